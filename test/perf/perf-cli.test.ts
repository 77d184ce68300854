import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';

/*
 * `shopfds-test perf` through the built bin, with the k6 stand-in (test/fixtures/k6-stand-in/k6) first
 * on PATH: a Node script that behaves like k6 at the process boundary and replays real recorded k6
 * output from ../shared/reference/k6/ (k6 itself is not installed here).
 */

const STAND_IN_DIR = join(REPO_ROOT, 'test', 'fixtures', 'k6-stand-in');

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
let argvFile: string;
beforeEach(() => {
  tmp = makeTempDir('shopfds-perf-cli-');
  db = join(tmp.dir, 'results.db');
  argvFile = join(tmp.dir, 'k6-argv.json');
});
afterEach(() => tmp.cleanup());

function standInEnv(scenario: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cliEnv({ PATH: `${STAND_IN_DIR}:${process.env.PATH}`, K6_STANDIN_SCENARIO: scenario, K6_STANDIN_ARGV_FILE: argvFile, ...extra });
}

const perf = (args: string[], env: NodeJS.ProcessEnv) => runBin(['perf', ...args, '--db', db], { cwd: tmp.dir, env });

interface StoredRun {
  id: string;
  status: string;
  errorMessage: string | null;
  tool: { name: string; version: string | null; commandLine: string | null };
  cases: { name: string; suitePath: string[]; status: string; errorMessage: string | null; properties: Record<string, string> }[];
  artifacts: { name: string; path: string }[];
  metadata: Record<string, string>;
  perf: { test: Record<string, unknown> & { metrics: Record<string, unknown>[] } };
}

async function show(id: string): Promise<StoredRun> {
  const r = await runBin(['runs', 'show', id, '--json', '--db', db], { cwd: tmp.dir });
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as StoredRun;
}

describe('shopfds-test perf (k6 stand-in replaying recorded output)', () => {
  it('passes: k6 exit 0, figures from the summary export, a series from the JSON output, the exact argv', async () => {
    const r = await perf(['load', '--json', '--target-tps', '1', '-e', 'VUS=3', '-e', 'DURATION=5s'], standInEnv('pass'));
    expect(r.exitCode).toBe(0);
    const run = JSON.parse(r.stdout) as StoredRun;
    expect(run.status).toBe('passed');
    expect(run.tool).toMatchObject({ name: 'k6', version: '0.49.0' });
    expect(run.perf.test).toMatchObject({
      test_type: 'load',
      scenario_name: 'load',
      target_tps: 1,
      total_requests: 40,
      failed_requests: 0,
      error_rate: 0,
      p95_response_time: 122,
      p99_response_time: 186,
      avg_response_time: 120,
      max_response_time: 225,
      virtual_users: 1,
      status: 'completed',
      k6_script_path: join(REPO_ROOT, 'k6', 'load.js'),
    });
    expect(run.perf.test.metrics.length).toBeGreaterThan(40);
    expect(run.cases.map((c) => c.status)).toEqual(['skipped', 'passed']); // 0.89 req/s below target 1, not enforced
    expect(r.stderr).toContain('actual throughput 0.89 req/s is below --target-tps 1 (add --fail-under-target to fail the run)');

    // No --base-url: the demo shop was started and handed to the script as BASE_URL.
    const shop = /started the ShopFDS demo shop at (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stderr)![1]!;
    const workDir = join(tmp.dir, '.shopfds', 'work', run.id);
    expect(JSON.parse(readFileSync(argvFile, 'utf8'))).toEqual([
      'run',
      '--summary-export',
      join(workDir, 'summary.json'),
      '--summary-trend-stats',
      'avg,min,med,max,p(90),p(95),p(99),count',
      '--out',
      `json=${join(workDir, 'points.ndjson')}`,
      '--no-color',
      '--quiet',
      '-e',
      `BASE_URL=${shop}`,
      '-e',
      'VUS=3',
      '-e',
      'DURATION=5s',
      join(REPO_ROOT, 'k6', 'load.js'),
    ]);
    expect(run.artifacts.map((a) => a.name)).toEqual(['summary.json', 'points.ndjson']);
    for (const a of run.artifacts) expect(existsSync(join(tmp.dir, a.path))).toBe(true);

    const stored = await show(run.id);
    expect(stored.perf.test.total_requests).toBe(40);
    expect(stored.perf.test.metrics.length).toBe(run.perf.test.metrics.length);
  });

  it('thresholds crossed: k6 exit 99 is a failed run (exit 1), one case per threshold and check, JUnit written', async () => {
    const junit = join(tmp.dir, 'perf.xml');
    const r = await perf(['spike', '--base-url', 'http://127.0.0.1:9', '--json', '--junit', junit, '--vus', '20', '--duration', '30s'], standInEnv('thresholds'));
    expect(r.exitCode).toBe(1);
    const run = JSON.parse(r.stdout) as StoredRun;
    expect(run.status).toBe('failed');
    expect(run.perf.test).toMatchObject({ test_type: 'spike', actual_tps: 1334.4, p95_response_time: 84, total_requests: 613790, status: 'failed' });
    const failed = run.cases.filter((c) => c.status === 'failed');
    expect(failed.map((c) => [...c.suitePath, c.name].join(' › '))).toEqual(['thresholds › fast_latency › p(95)<50']);
    expect(failed[0]!.errorMessage).toBe("threshold 'p(95)<50' on fast_latency crossed: p(95)=137.35");
    expect(run.cases.filter((c) => c.suitePath[0] === 'checks').map((c) => c.properties.passes)).toEqual(['206626', '204903', '202261']);
    expect(run.metadata.k6_exit_code).toBe('99');
    const argv = JSON.parse(readFileSync(argvFile, 'utf8')) as string[];
    expect(argv.slice(9, 15)).toEqual(['--vus', '20', '--duration', '30s', '-e', 'BASE_URL=http://127.0.0.1:9']);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('p(95)&lt;50');
    expect(xml).toMatch(/<failure/);
  });

  it('script exception: k6 exit 107 is a tool error (exit 3) with k6 own message, stored as error', async () => {
    const r = await perf(['load', '--base-url', 'http://127.0.0.1:9'], standInEnv('script-error'));
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain('ERROR');
    expect(r.stdout).toContain('k6 exited with code 107 (script exception): ReferenceError: shop is not defined');
    const listed = JSON.parse((await runBin(['runs', 'list', '--json', '--db', db], { cwd: tmp.dir })).stdout) as { id: string; status: string }[];
    expect(listed.map((x) => x.status)).toEqual(['error']);
    const stored = await show(listed[0]!.id);
    expect(stored.errorMessage).toMatch(/^k6 exited with code 107 \(script exception\): ReferenceError: shop is not defined/);
    expect(stored.perf.test.status).toBe('failed');
  });

  it('invalid config and test.abort(): exits 104 and 108 are tool errors (exit 3)', async () => {
    const config = await perf(['load', '--base-url', 'http://127.0.0.1:9', '--json'], standInEnv('invalid-config'));
    expect(config.exitCode).toBe(3);
    expect((JSON.parse(config.stdout) as StoredRun).errorMessage).toContain('k6 exited with code 104 (invalid config): json: cannot unmarshal');
    const aborted = await perf(['load', '--base-url', 'http://127.0.0.1:9', '--json'], standInEnv('test-abort'));
    expect(aborted.exitCode).toBe(3);
    const run = JSON.parse(aborted.stdout) as StoredRun;
    expect(run.errorMessage).toContain('k6 exited with code 108 (aborted by test.abort()): test aborted: the shop is down');
    expect(run.perf.test.total_requests).toBe(40); // what k6 measured before the abort is kept
  });

  it('Ctrl-C: one SIGINT to k6, which writes its summary; the partial run is stored as interrupted, exit 130', async () => {
    const child = spawn(process.execPath, [BIN, 'perf', 'soak', '--base-url', 'http://127.0.0.1:9', '--db', db, '--json'], { cwd: tmp.dir, env: standInEnv('abort') });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let exitCode: number | null;
    try {
      // Interrupt once k6 (the stand-in) is running and writing its JSON output.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        // The stand-in records `k6 version` too; wait for the `k6 run` argv.
        const argv = existsSync(argvFile) ? (JSON.parse(readFileSync(argvFile, 'utf8') || '[]') as string[]) : [];
        const points = argv[0] === 'run' ? argv.find((a) => a.startsWith('json='))?.slice(5) : undefined;
        if (points && existsSync(points) && readFileSync(points, 'utf8').split('\n').length > 100) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGINT');
      exitCode = await closed;
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await closed;
      }
    }
    expect(exitCode).toBe(130);
    expect(stderr).toContain('stopping k6');
    const run = JSON.parse(stdout) as StoredRun;
    expect(run.status).toBe('interrupted');
    expect(run.errorMessage).toContain('k6 exit code 105');
    expect(run.metadata.k6_summary_format).toBe('summary-export');
    const listed = JSON.parse((await runBin(['runs', 'list', '--json', '--db', db], { cwd: tmp.dir })).stdout) as { id: string; status: string }[];
    expect(listed.map((x) => x.status)).toEqual(['interrupted']);
    const stored = await show(listed[0]!.id);
    expect(stored.perf.test.test_type).toBe('soak');
    expect(Number(stored.perf.test.total_requests)).toBeGreaterThan(0);
  });

  it('--fail-under-target: an actual rate below --target-tps fails the run', async () => {
    const r = await perf(['load', '--base-url', 'http://127.0.0.1:9', '--target-tps', '100', '--fail-under-target', '--json'], standInEnv('pass'));
    expect(r.exitCode).toBe(1);
    const run = JSON.parse(r.stdout) as StoredRun;
    expect(run.cases[0]).toMatchObject({ name: 'actual_tps >= target_tps (100)', status: 'failed', errorMessage: 'actual throughput 0.89 req/s is below the target of 100' });
  });

  it('a script file by path; --type wins over the name; --interval sets the bucket', async () => {
    writeFileSync(join(tmp.dir, 'checkout.js'), 'export default function () {}\n');
    const r = await perf(['./checkout.js', '--type', 'stress', '--interval', '5s', '--base-url', 'http://127.0.0.1:9', '--json'], standInEnv('pass'));
    expect(r.exitCode).toBe(0);
    const run = JSON.parse(r.stdout) as StoredRun;
    expect(run.perf.test).toMatchObject({ test_type: 'stress', scenario_name: 'checkout', k6_script_path: 'checkout.js' });
    expect(run.metadata.series_interval_ms).toBe('5000');
    expect(run.perf.test.metrics.length).toBeLessThanOrEqual(11);
  });

  it('k6 missing: exit 3 with install instructions, nothing stored', async () => {
    const r = await perf(['load', '--base-url', 'http://127.0.0.1:9'], cliEnv({ PATH: '/usr/bin:/bin' }));
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('shopfds-test: error E_TOOL_MISSING: k6 is not installed (no "k6" on PATH)');
    expect(r.stderr).toMatch(/apt.*brew install k6.*grafana\/k6.*releases/s);
    expect(existsSync(db)).toBe(false);
    const wrongPath = await perf(['load', '--base-url', 'http://127.0.0.1:9'], cliEnv({ SHOPFDS_K6_PATH: join(tmp.dir, 'no-k6') }));
    expect(wrongPath.exitCode).toBe(3);
    expect(wrongPath.stderr).toContain(`k6 not found: SHOPFDS_K6_PATH=${join(tmp.dir, 'no-k6')} is not an executable file`);
  });

  it('SHOPFDS_K6_PATH points at the binary', async () => {
    const r = await perf(['load', '--base-url', 'http://127.0.0.1:9'], cliEnv({ PATH: '/usr/bin:/bin', SHOPFDS_K6_PATH: join(STAND_IN_DIR, 'k6'), K6_STANDIN_SCENARIO: 'pass' }));
    expect(r.exitCode).toBe(0);
  });

  it('usage errors exit 2 before k6 runs: missing script, bad flags', async () => {
    const cases: [string[], string][] = [
      [['./nope.js'], 'k6 script not found: ./nope.js'],
      [['nope'], 'k6 script not found: "nope" is neither a file nor a script in k6/'],
      [['load', '--vus', '0'], '--vus must be a positive whole number (got "0")'],
      [['load', '--duration', 'soon'], '--duration must be a k6 duration'],
      [['load', '-e', 'NOEQUALS'], '-e must be KEY=VALUE'],
      [['load', '--interval', 'fast'], '--interval must be a duration'],
      [['load', '--fail-under-target'], '--fail-under-target needs --target-tps'],
    ];
    for (const [args, message] of cases) {
      const r = await perf(args, standInEnv('pass'));
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(existsSync(argvFile)).toBe(false);
    expect(existsSync(db)).toBe(false);
  });
});

describe('shopfds-test perf live progress (k6 stand-in replaying recorded output)', () => {
  it('redraws VUs, req/s, p95 and errors from the growing JSON output on a terminal', async () => {
    const env = standInEnv('pass', { K6_STANDIN_PACE_MS: '1200' });
    delete env.CI;
    const command = [process.execPath, BIN, 'perf', 'load', '--base-url', 'http://127.0.0.1:9', '--db', db].map((a) => `'${a}'`).join(' ');
    // `script` gives the CLI a pseudo-terminal, so stderr is a TTY as in an interactive shell.
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qec', `stty cols 200; ${command}`, '/dev/null'], { cwd: tmp.dir, env });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    expect(out).toMatch(/\r\x1b\[2K. k6 \d+s {2}VUs 1 {2}[\d.]+ req\/s {2}p95 \d+ ms {2}requests \d+ {2}errors 0 \(0\.0%\)/);
    expect(out).toContain('perf load: PASSED');
  });
});
