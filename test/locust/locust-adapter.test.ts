import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvReader, parseCsv } from '../../src/adapters/locust/csv.js';
import { buildLocustInvocation, parseDebianVersion, parseLocustVersion, runTimeMs } from '../../src/adapters/locust/invocation.js';
import { NO_CRITERIA, buildLocustRun, locustErrorMessage, type LocustCapture, type LocustRunContext } from '../../src/adapters/locust/run.js';
import { locustSeries, parseLocustExceptions, parseLocustFailures, parseLocustHistory, parseLocustStats } from '../../src/adapters/locust/stats.js';
import { validateRun } from '../../src/model/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

/* The adapter's pure parts, fed real files that Debian's Locust 2.12.1 wrote (test/fixtures/locust/). */

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'locust');
const read = (dir: string, file: string) => readFileSync(join(FIXTURES, dir, `locust_${file}`), 'utf8');

function capture(dir: string, overrides: Partial<LocustCapture> = {}): LocustCapture {
  return {
    exitCode: 1,
    signal: null,
    stderr: '',
    stats: parseLocustStats(read(dir, 'stats.csv')),
    statsProblem: null,
    failures: parseLocustFailures(read(dir, 'failures.csv')),
    exceptions: parseLocustExceptions(read(dir, 'exceptions.csv')),
    history: parseLocustHistory(read(dir, 'stats_history.csv')).points,
    interrupted: false,
    wallMs: 3500,
    ...overrides,
  };
}

function context(overrides: Partial<LocustRunContext> = {}): LocustRunContext {
  return {
    id: '6f1b8e52-3f0a-4a55-9d55-0c1f4a1f3b10',
    name: 'raising',
    startedAt: '2026-12-02T15:48:00.000Z',
    completedAt: '2026-12-02T15:48:04.000Z',
    environment: 'local',
    trigger: 'manual',
    executedBy: 'tester',
    ci: null,
    runGroup: null,
    toolVersion: '2.12.1',
    commandLine: 'locust -f raising.py',
    testType: 'load',
    scenarioName: 'raising',
    locustfile: 'raising.py',
    users: 3,
    criteria: NO_CRITERIA,
    exitCodeOnError: 1,
    intervalMs: 1000,
    artifacts: [],
    ...overrides,
  };
}

describe('CSV reader (Python csv, excel dialect)', () => {
  const text = 'a,b,c\r\n1,"x, ""y""",3\r\n2,"two\nlines",\r\n';
  it('reads quoted commas, doubled quotes, line breaks inside quotes and empty fields', () => {
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, "y"', '3'],
      ['2', 'two\nlines', ''],
    ]);
  });
  it('gives the same rows for every split of the input into two chunks', () => {
    const whole = parseCsv(text);
    for (let i = 0; i <= text.length; i++) {
      const rows: string[][] = [];
      const r = new CsvReader((row) => rows.push(row));
      r.push(text.slice(0, i));
      r.push(text.slice(i));
      r.end();
      expect(rows, `split at ${i}`).toEqual(whole);
    }
  });
  it('reads the real exceptions file, whose traceback spans lines and quotes', () => {
    const [x] = parseLocustExceptions(read('faults', 'exceptions.csv'));
    expect(x).toMatchObject({ count: 7, message: 'the basket, is "broken"' });
    expect(x!.traceback).toContain('raise ValueError("the basket, is \\"broken\\"")');
  });
});

describe('Locust 2.12 CSV files', () => {
  it('stats: one entry per request name and the Aggregated row, counts as Locust wrote them', () => {
    const s = parseLocustStats(read('faults', 'stats.csv'));
    expect(s.entries.map((e) => [e.type, e.name, e.requests, e.failures])).toEqual([
      ['GET', 'GET /api/products', 21, 0],
      ['POST', 'POST /api/fds/score', 8, 3],
    ]);
    expect(s.aggregated).toMatchObject({ requests: 29, failures: 3, maxMs: 94.63647999996283 });
    expect(s.aggregated!.percentiles['95%']).toBe(67);
  });
  it('failures: method, name, error and occurrences', () => {
    expect(parseLocustFailures(read('faults', 'failures.csv'))).toEqual([
      { method: 'POST', name: 'POST /api/fds/score', error: "HTTPError('503 Server Error: Service Unavailable for url: POST /api/fds/score')", occurrences: 3 },
    ]);
  });
  it('history: the Aggregated rows only, cumulative totals ending at the final counts (with the final-round plugin)', () => {
    const h = parseLocustHistory(read('faults', 'stats_history.csv'));
    expect(h.problem).toBeNull();
    expect(h.points.length).toBeGreaterThan(1);
    expect(h.points.at(-1)).toMatchObject({ totalRequests: 29, totalFailures: 3 });
    expect(h.rows).toBeGreaterThan(h.points.length); // per-name rows were read and skipped
  });
  it('history as Locust 2.12 leaves it without the plugin: only the first flush', () => {
    const h = parseLocustHistory(read('raw', 'stats_history.csv'));
    expect(h.points).toHaveLength(1);
    expect(h.points[0]).toMatchObject({ users: 0, totalRequests: 0, p95: null });
  });
  it('history cut in the middle of a row (buffered writes) drops the partial row', () => {
    const text = read('faults', 'stats_history.csv');
    const cut = text.slice(0, text.lastIndexOf('\n', text.length - 2) + 20);
    const h = parseLocustHistory(cut);
    expect(h.partialRows).toBe(1);
    expect(h.points.length).toBe(parseLocustHistory(text).points.length - 1);
  });
  it('a file that is not Locust statistics is an error naming the missing columns', () => {
    expect(() => parseLocustStats('a,b\n1,2\n', 'x_stats.csv')).toThrow(/x_stats.csv is not a Locust file: no "Type", "Name"/);
  });
});

describe('series', () => {
  const points = [
    { time: 1000_000, users: 0, totalRequests: 0, totalFailures: 0, p95: null },
    { time: 1001_000, users: 5, totalRequests: 10, totalFailures: 1, p95: 20 },
    { time: 1002_000, users: 5, totalRequests: 30, totalFailures: 1, p95: 25 },
    { time: 1003_000, users: 5, totalRequests: 45, totalFailures: 4, p95: 30 },
    { time: 1003_000, users: 0, totalRequests: 50, totalFailures: 4, p95: 31 },
  ];
  it('1 s buckets: requests are differences of the cumulative totals; the final quit row keeps its users', () => {
    const rows = locustSeries(points, 1000);
    expect(rows.map((r) => [r.requests, r.failures, r.users, r.p95])).toEqual([
      [10, 1, 5, 20],
      [20, 0, 5, 25],
      [20, 3, 5, 31],
    ]);
    expect(rows.reduce((s, r) => s + r.requests, 0)).toBe(50);
  });
  it('2 s buckets', () => {
    const rows = locustSeries(points, 2000);
    expect(rows.map((r) => r.requests)).toEqual([10, 40]);
    expect(rows.reduce((s, r) => s + r.requests, 0)).toBe(50);
  });
});

describe('buildLocustRun', () => {
  it('failed requests and task exceptions fail the run (Locust exit 1 = --exit-code-on-error); counts equal Locust\'s', () => {
    const run = buildLocustRun(context(), capture('faults'));
    expect(validateRun(run).ok).toBe(true);
    expect(run.status).toBe('failed');
    expect(run.tool).toEqual({ name: 'locust', version: '2.12.1', commandLine: 'locust -f raising.py' });
    const byName = Object.fromEntries(run.cases.map((c) => [`${c.suitePath.join('/')}: ${c.name}`, c]));
    expect(byName['requests: GET /api/products']!.status).toBe('passed');
    expect(byName['requests: POST /api/fds/score']).toMatchObject({ status: 'failed', properties: { requests: '8', failures: '3', method: 'POST' } });
    expect(byName['requests: POST /api/fds/score']!.errorMessage).toBe("3 of 8 requests failed: HTTPError('503 Server Error: Service Unavailable for url: POST /api/fds/score') (x3)");
    expect(byName['exceptions: the basket, is "broken"']).toMatchObject({ status: 'failed' });
    expect(byName['exceptions: the basket, is "broken"']!.errorStack).toContain('in broken');
    const t = run.perf!.test;
    expect(t).toMatchObject({ total_requests: 29, failed_requests: 3, error_rate: 10.34, p95_response_time: 67, p99_response_time: 95, avg_response_time: 19, max_response_time: 95, actual_tps: 20.53, virtual_users: 3, status: 'failed', k6_script_path: 'raising.py' });
    expect(t.metrics.length).toBeGreaterThan(0);
    const seriesRequests = t.metrics.reduce((s, m) => s + m.requests_per_sec, 0);
    expect(Math.round(seriesRequests)).toBe(29); // 1 s buckets: rate x 1 s = requests
    expect(run.metrics.map((m) => m.name)).toContain('http_reqs_per_sec');
  });

  it('--exit-code-on-error 7: exit 7 with failures is a failed run, not a tool error', () => {
    const run = buildLocustRun(context({ exitCodeOnError: 7 }), capture('raw', { exitCode: 7 }));
    expect(run.status).toBe('failed');
    expect(run.errorMessage).toBeNull();
  });

  it('an exit code Locust does not give for failures is a tool error with its message', () => {
    const run = buildLocustRun(context(), capture('faults', { exitCode: 2, stderr: "[2026-12-02 15:48:01,000] vm/ERROR/locust.runners: Unhandled exception in greenlet: <Greenlet>\nTraceback...\nKeyError: 'x'\n" }));
    expect(run.status).toBe('error');
    expect(run.errorMessage).toBe("Locust exited with code 2 (an unhandled exception in a greenlet): Unhandled exception in greenlet: <Greenlet>");
  });

  it('--exit-code-on-error 0: failures are recorded but do not fail the run', () => {
    const run = buildLocustRun(context({ exitCodeOnError: 0 }), capture('faults', { exitCode: 0 }));
    expect(run.status).toBe('passed');
    const fds = run.cases.find((c) => c.name === 'POST /api/fds/score')!;
    expect(fds).toMatchObject({ status: 'passed', properties: { failures: '3' } });
    expect(run.perf!.test.failed_requests).toBe(3);
  });

  it('criteria from options are cases: a missed p95 fails the run, a met error rate passes', () => {
    const run = buildLocustRun(context({ exitCodeOnError: 0, criteria: { ...NO_CRITERIA, maxP95Ms: 50, maxErrorRate: 20 } }), capture('faults', { exitCode: 0 }));
    expect(run.status).toBe('failed');
    const criteria = run.cases.filter((c) => c.suitePath[0] === 'criteria').map((c) => [c.name, c.status, c.errorMessage]);
    expect(criteria).toEqual([
      ['error_rate <= 20%', 'passed', null],
      ['p95 <= 50 ms', 'failed', 'p95 <= 50 ms not met: observed 67 ms'],
    ]);
  });

  it('no statistics: a tool error carrying the last line Locust printed', () => {
    const run = buildLocustRun(context(), { ...capture('faults'), stats: null, statsProblem: 'wrote no statistics (no _stats.csv)', failures: [], exceptions: [], history: [], stderr: 'Traceback (most recent call last):\n  File "x.py", line 1\nSyntaxError: invalid syntax\n' });
    expect(run.status).toBe('error');
    expect(run.errorMessage).toBe('Locust exited with code 1 and wrote no statistics (no _stats.csv): SyntaxError: invalid syntax');
  });

  it('interrupted keeps what Locust measured', () => {
    const run = buildLocustRun(context(), capture('faults', { interrupted: true, exitCode: 1 }));
    expect(run.status).toBe('interrupted');
    expect(run.perf!.test.total_requests).toBe(29);
  });

  it('the last meaningful stderr line skips Locust\'s summary table', () => {
    expect(locustErrorMessage('ImportError: no module named foo\n[2026-12-02 15:48:01,000] vm/INFO/locust.main: Shutting down (exit code 1)\nType     Name  # reqs\n--------|----\n')).toBe('ImportError: no module named foo');
  });
});

describe('invocation', () => {
  it('builds the exact argv: headless, CSV with full history, the final-round plugin next to the locustfile', () => {
    const inv = buildLocustInvocation({ locustPath: '/usr/bin/locust', locustfile: '/p/locust/shop.py', finalCsvPlugin: '/p/locust/plugins/shopfds_final_csv.py', workDir: '/w', users: 15, spawnRate: 5, runTime: '20s', host: 'http://127.0.0.1:3000', exitCodeOnError: 1 });
    expect(inv.args).toEqual(['-f', '/p/locust/shop.py,/p/locust/plugins/shopfds_final_csv.py', '--headless', '--users', '15', '--spawn-rate', '5', '--run-time', '20s', '--host', 'http://127.0.0.1:3000', '--csv', '/w/locust', '--csv-full-history', '--only-summary', '--exit-code-on-error', '1']);
    expect(inv.files).toEqual({ prefix: '/w/locust', stats: '/w/locust_stats.csv', history: '/w/locust_stats_history.csv', failures: '/w/locust_failures.csv', exceptions: '/w/locust_exceptions.csv' });
  });
  it('versions: "locust 2.15.1", Debian 2.12\'s empty "locust ", and the dpkg version', () => {
    expect(parseLocustVersion('locust 2.15.1 from /usr/lib/python3/dist-packages/locust (python 3.11.2)')).toBe('2.15.1');
    expect(parseLocustVersion('locust \n')).toBeNull();
    expect(parseDebianVersion('2.12.1-1')).toBe('2.12.1');
  });
  it('run times', () => {
    expect(runTimeMs('20s')).toBe(20_000);
    expect(runTimeMs('1h30m')).toBe(5_400_000);
    expect(runTimeMs('90')).toBe(90_000);
    expect(runTimeMs('abc')).toBeNull();
  });
});
