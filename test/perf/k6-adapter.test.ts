import { describe, expect, it } from 'vitest';
import { buildK6Invocation, parseK6Version, K6_INSTALL_HINT } from '../../src/adapters/k6/invocation.js';
import { buildK6Run, k6ErrorMessage, type K6RunContext } from '../../src/adapters/k6/run.js';
import { readK6Summary } from '../../src/adapters/k6/summary.js';
import { formatObserved, observedValue, parseThreshold, thresholdHolds } from '../../src/adapters/k6/thresholds.js';
import { validateRun } from '../../src/model/index.js';

describe('buildK6Invocation (pure, exact argv)', () => {
  it('writes the summary export and the JSON output into the work directory, then flags, -e pairs, the script', () => {
    const inv = buildK6Invocation({
      k6Path: '/opt/k6/k6',
      script: '/repo/k6/load.js',
      workDir: '/repo/.shopfds/work/abc',
      vus: 10,
      duration: '30s',
      scriptEnv: [
        ['BASE_URL', 'http://127.0.0.1:3000'],
        ['TARGET_TPS', '5'],
      ],
    });
    expect(inv).toEqual({
      file: '/opt/k6/k6',
      args: [
        'run',
        '--summary-export',
        '/repo/.shopfds/work/abc/summary.json',
        '--summary-trend-stats',
        'avg,min,med,max,p(90),p(95),p(99),count',
        '--out',
        'json=/repo/.shopfds/work/abc/points.ndjson',
        '--no-color',
        '--quiet',
        '--vus',
        '10',
        '--duration',
        '30s',
        '-e',
        'BASE_URL=http://127.0.0.1:3000',
        '-e',
        'TARGET_TPS=5',
        '/repo/k6/load.js',
      ],
      env: { K6_NO_USAGE_REPORT: 'true' },
      files: { summary: '/repo/.shopfds/work/abc/summary.json', points: '/repo/.shopfds/work/abc/points.ndjson' },
    });
  });

  it('leaves --vus and --duration to the script when not given', () => {
    const inv = buildK6Invocation({ k6Path: 'k6', script: 's.js', workDir: 'w', scriptEnv: [] });
    expect(inv.args).not.toContain('--vus');
    expect(inv.args).not.toContain('--duration');
    expect(inv.args.at(-1)).toBe('s.js');
  });
});

describe('k6 process boundary helpers', () => {
  it.each([
    ['k6 v0.49.0 (go1.21.6, linux/amd64)', '0.49.0'],
    ['k6 v1.0.0 (commit/41b4984b75, go1.24.2, linux/amd64)\n  k6/x/faker v0.4.0', '1.0.0'],
    ['k6 v0.50.0-rc1 (2024-03-01T00:00:00+0000/v0.50.0-rc1, go1.21.6, darwin/arm64)', '0.50.0-rc1'],
    ['something else', null],
  ])('parseK6Version(%j) = %j', (out, version) => {
    expect(parseK6Version(out)).toBe(version);
  });

  it('the install hint names the apt repository, brew, docker and the release binary', () => {
    expect(K6_INSTALL_HINT).toMatch(/apt-get install k6/);
    expect(K6_INSTALL_HINT).toMatch(/brew install k6/);
    expect(K6_INSTALL_HINT).toMatch(/grafana\/k6/);
    expect(K6_INSTALL_HINT).toMatch(/github\.com\/grafana\/k6\/releases/);
    expect(K6_INSTALL_HINT).toMatch(/SHOPFDS_K6_PATH/);
  });

  it('k6ErrorMessage takes k6 own error from logfmt or coloured logs, skipping the thresholds line', () => {
    expect(
      k6ErrorMessage(
        'time="2024-02-21T16:43:55Z" level=warning msg="x"\n' +
          'time="2024-02-21T16:43:55Z" level=error msg="ReferenceError: shop is not defined\\n\\tat file:///k6/load.js:7:1(12)\\n" hint="script exception"\n',
      ),
    ).toBe('ReferenceError: shop is not defined\n\tat file:///k6/load.js:7:1(12) (script exception)');
    expect(k6ErrorMessage('\x1b[31mERRO\x1b[0m[0001] test run was aborted because k6 received a \'interrupt\' signal\n')).toBe(
      "test run was aborted because k6 received a 'interrupt' signal",
    );
    expect(k6ErrorMessage('level=error msg="thresholds on metrics \'x\' have been crossed"\n')).toBe("thresholds on metrics 'x' have been crossed");
    expect(k6ErrorMessage('panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n')).toBe('main.main()');
    expect(k6ErrorMessage('')).toBeNull();
  });
});

describe('thresholds', () => {
  it.each([
    ['p(95)<500', { aggregation: 'p(95)', operator: '<', bound: 500 }],
    ['p(95) < 1000', { aggregation: 'p(95)', operator: '<', bound: 1000 }],
    ['rate == 0', { aggregation: 'rate', operator: '==', bound: 0 }],
    ['count<=500', { aggregation: 'count', operator: '<=', bound: 500 }],
    ['p(99.9)<2e3', { aggregation: 'p(99.9)', operator: '<', bound: 2000 }],
  ])('parses %j', (expr, parsed) => {
    expect(parseThreshold(expr)).toEqual(parsed);
  });

  it('evaluates against summary values and formats the observed value like k6', () => {
    const t = parseThreshold('p(95) < 1000')!;
    expect(observedValue(t, { 'p(95)': 1113.5978 })).toBe(1113.5978);
    expect(thresholdHolds(t, 1113.5978)).toBe(false);
    expect(observedValue(parseThreshold('p(99.0)<5')!, { 'p(99)': 4 })).toBe(4);
    expect(formatObserved('p(95)', 148.2111, 'time', 'trend')).toBe('p(95)=148.21ms');
    expect(formatObserved('rate', 0.0042, 'default', 'rate')).toBe('rate=0.42%');
    expect(parseThreshold('weird(1)>2')).toBeNull();
  });
});

describe('readK6Summary', () => {
  it('returns null for JSON that is not a k6 summary', () => {
    expect(readK6Summary({ run: {} })).toBeNull();
    expect(readK6Summary([1, 2])).toBeNull();
    expect(readK6Summary({ metrics: { x: { avg: 1 } } })).toBeNull(); // no root_group: not a summary export
  });
});

describe('buildK6Run verdicts', () => {
  const ctx: K6RunContext = {
    id: '0b7f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
    name: 'load',
    startedAt: '2025-06-01T12:00:00.000Z',
    completedAt: '2025-06-01T12:00:30.000Z',
    environment: 'local',
    trigger: 'manual',
    executedBy: 'tester',
    ci: { provider: 'github-actions', buildId: '42', commitSha: null, branch: null, jobUrl: null },
    runGroup: null,
    toolVersion: '0.49.0',
    commandLine: 'k6 run load.js',
    testType: 'load',
    scenarioName: 'load',
    scriptPath: 'k6/load.js',
    targetTps: 50,
    failUnderTarget: false,
    vus: null,
    artifacts: [],
  };
  const summary = readK6Summary({
    root_group: { name: '', path: '', groups: [], checks: [{ name: 'ok', path: '::ok', passes: 10, fails: 0 }] },
    metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count: 1800, rate: 60 } },
      http_req_duration: { type: 'trend', contains: 'time', values: { avg: 10.4, max: 90.6, 'p(95)': 20.5, 'p(99)': 40.49 }, thresholds: { 'p(95)<500': { ok: true } } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.005, passes: 9, fails: 1791 } },
      vus_max: { type: 'gauge', contains: 'default', values: { value: 20, min: 20, max: 20 } },
    },
  })!;
  const capture = { exitCode: 0, stderr: '', summary, summaryProblem: null, stream: null, interrupted: false, wallMs: 30_000 };

  it('exit 0: passed, with the seed figures and the CI build id', () => {
    const run = buildK6Run(ctx, capture);
    expect(validateRun(run).ok).toBe(true);
    expect(run.status).toBe('passed');
    expect(run.perf!.test).toMatchObject({ actual_tps: 60, p95_response_time: 21, p99_response_time: 40, avg_response_time: 10, max_response_time: 91, error_rate: 0.5, total_requests: 1800, failed_requests: 9, duration_sec: 30, virtual_users: 20, ci_build_id: '42', target_tps: 50, status: 'completed' });
    expect(run.cases.map((c) => `${c.name}: ${c.status}`)).toEqual(['p(95)<500: passed', 'ok: passed', 'actual_tps >= target_tps (50): passed']);
  });

  it('exit 99 without a crossed threshold in the summary is still a failed run', () => {
    const run = buildK6Run(ctx, { ...capture, exitCode: 99 });
    expect(run.status).toBe('failed');
    expect(run.cases.at(-1)).toMatchObject({ name: 'k6 thresholds', status: 'failed' });
  });

  it('exit 0 without a summary export is a tool error, never a pass', () => {
    const run = buildK6Run(ctx, { ...capture, summary: null, summaryProblem: 'wrote no summary export (/w/summary.json)' });
    expect(run.status).toBe('error');
    expect(run.errorMessage).toBe('k6 exited with code 0 but wrote no summary export (/w/summary.json)');
  });

  it('exit 105 after our interrupt is interrupted; without it, an error', () => {
    expect(buildK6Run(ctx, { ...capture, exitCode: 105, interrupted: true }).status).toBe('interrupted');
    const run = buildK6Run(ctx, { ...capture, exitCode: 105, stderr: 'level=error msg="test run was aborted because k6 received a \'terminated\' signal"' });
    expect(run.status).toBe('error');
    expect(run.errorMessage).toBe("k6 exited with code 105 (aborted from outside (signal)): test run was aborted because k6 received a 'terminated' signal");
  });

  it('k6 killed by a signal it did not get from us is an error, never a pass', () => {
    const run = buildK6Run(ctx, { ...capture, exitCode: null, signal: 'SIGKILL' });
    expect(run.status).toBe('error');
    expect(run.errorMessage).toBe('k6 was killed by SIGKILL before it finished');
  });

  it('below --target-tps: reported as skipped, failed with --fail-under-target', () => {
    const slow = { ...ctx, targetTps: 100 };
    expect(buildK6Run(slow, capture).cases.at(-1)).toMatchObject({ status: 'skipped', errorMessage: 'actual throughput 60 req/s is below the target of 100 (not enforced; add --fail-under-target to fail the run)' });
    const strict = buildK6Run({ ...slow, failUnderTarget: true }, capture);
    expect(strict.status).toBe('failed');
  });
});
