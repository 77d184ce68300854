import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLocustStats } from '../../src/adapters/locust/stats.js';
import { BIN, REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';

/*
 * `shopfds-test perf --tool locust` through the built bin with the real Locust from Debian
 * (/usr/bin/locust, python3-locust 2.12) against the bundled demo shop the CLI starts. The tests fail
 * (they do not skip) when Locust is missing; .ci/run installs it.
 */

const LOCUST = process.env.SHOPFDS_LOCUST_PATH ?? '/usr/bin/locust';
const T = 180_000;

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
beforeEach(() => {
  expect(existsSync(LOCUST), `Locust is required for these tests (apt-get install python3-locust); not found at ${LOCUST}`).toBe(true);
  tmp = makeTempDir('shopfds-locust-cli-');
  db = join(tmp.dir, 'results.db');
});
afterEach(() => tmp.cleanup());

interface StoredRun {
  id: string;
  status: string;
  errorMessage: string | null;
  tool: { name: string; version: string | null; commandLine: string | null };
  totals: { total: number; passed: number; failed: number };
  cases: { name: string; suitePath: string[]; status: string; errorMessage: string | null; properties: Record<string, string> }[];
  artifacts: { name: string; path: string }[];
  metadata: Record<string, string>;
  perf: { test: Record<string, unknown> & { total_requests: number; failed_requests: number; metrics: { requests_per_sec: number; virtual_users: number }[] } };
}

/** Live processes whose command line mentions `text`. */
function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) out.push(`${pid}: ${cmd}`);
    } catch {
      // gone
    }
  }
  return out;
}

const env = (extra: NodeJS.ProcessEnv = {}) => cliEnv({ SHOPFDS_LOCUST_PATH: LOCUST, ...extra });
const perf = (args: string[], extra: NodeJS.ProcessEnv = {}) => runBin(['perf', ...args, '--db', db], { cwd: tmp.dir, env: env(extra), timeoutMs: T - 10_000 });

async function show(id: string): Promise<StoredRun> {
  const r = await runBin(['runs', 'show', id, '--json', '--db', db], { cwd: tmp.dir });
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StoredRun;
}

function statsOf(run: StoredRun) {
  const file = run.artifacts.find((a) => a.name === 'locust_stats.csv')!;
  return parseLocustStats(readFileSync(join(tmp.dir, file.path), 'utf8'));
}

describe('shopfds-test perf --tool locust (real Locust 2.12 against the demo shop)', () => {
  it(
    'passes: the bundled locustfile, every request name a case, figures equal to Locust\'s own statistics',
    async () => {
      // A Pushgateway that is down (nothing listens on port 9 of loopback) costs a warning, not the run.
      const r = await perf(['shop', '--tool', 'locust', '--users', '4', '--spawn-rate', '4', '--duration', '10s', '--json', '--pushgateway', 'http://127.0.0.1:9']);
      expect(r.stderr).toContain('started the ShopFDS demo shop');
      expect(r.exitCode, r.stderr).toBe(0);
      // (fetch refuses port 9 outright as a "bad port"; either way nothing is pushed.)
      expect(r.stderr).toMatch(/^shopfds-test: warning: could not push to the Pushgateway at http:\/\/127\.0\.0\.1:9\/: .+ \(the run is stored; its metrics were not pushed\)$/m);
      const run = JSON.parse(r.stdout) as StoredRun;
      expect(run.status, JSON.stringify({ errorMessage: run.errorMessage, cases: run.cases.filter((c) => c.status !== 'passed') })).toBe('passed');
      expect((await show(run.id)).status).toBe('passed');
      expect(run.tool.name).toBe('locust');
      expect(run.tool.version).toBe('2.12.1');
      expect(run.tool.commandLine).toMatch(/^locust -f \S+\/locust\/shop\.py,\S+shopfds_final_csv\.py --headless --users 4 --spawn-rate 4 --run-time 10s --host http:\/\/127\.0\.0\.1:\d+ --csv /);
      const names = run.cases.filter((c) => c.suitePath[0] === 'requests').map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['GET /api/products', 'GET /api/products/:id', 'POST /api/auth/signup', 'POST /api/fds/score']));
      expect(run.cases.every((c) => c.status === 'passed')).toBe(true);

      const stats = statsOf(await show(run.id));
      expect(stats.aggregated!.requests).toBeGreaterThan(0);
      expect(run.perf.test.total_requests).toBe(stats.aggregated!.requests);
      expect(run.perf.test.failed_requests).toBe(0);
      const perCase = run.cases.filter((c) => c.suitePath[0] === 'requests').reduce((s, c) => s + Number(c.properties.requests), 0);
      expect(perCase).toBe(stats.aggregated!.requests);
      expect(run.perf.test.metrics.length).toBeGreaterThan(0);
      expect(run.perf.test.metrics.some((m) => m.virtual_users === 4)).toBe(true);
      expect(run.perf.test.virtual_users).toBe(4);
    },
    T,
  );

  it(
    'fault injection: the shop fails every FDS score request, Locust exits 1 and the run fails with that request as the failed case',
    async () => {
      const faults = JSON.stringify({ routes: { 'POST /api/fds/score': { errorRate: 1, status: 503 } } });
      // A .py path picks Locust without --tool.
      writeFileSync(join(tmp.dir, 'shop.py'), readFileSync(join(REPO_ROOT, 'locust', 'shop.py')));
      const r2 = await perf(['shop.py', '--users', '3', '--spawn-rate', '3', '--duration', '5s', '--json'], { SHOPFDS_DEMO_FAULTS: faults });
      expect(r2.exitCode, r2.stderr).toBe(1);
      const run = JSON.parse(r2.stdout) as StoredRun;
      expect(run.status).toBe('failed');
      expect(run.errorMessage).toBeNull();
      expect(run.metadata.locust_exit_code).toBe('1');
      const fds = run.cases.find((c) => c.name === 'POST /api/fds/score')!;
      expect(fds.status).toBe('failed');
      expect(Number(fds.properties.failures)).toBe(Number(fds.properties.requests));
      expect(fds.errorMessage).toMatch(/^\d+ of \d+ requests failed: CatchResponseError\('fds: expected 200 with a score in 0\.\.100, got 503'\) \(x\d+\)$/);
      expect(run.cases.find((c) => c.name === 'GET /api/products')!.status).toBe('passed');
      const stats = statsOf(run);
      expect(run.perf.test.failed_requests).toBe(stats.aggregated!.failures);
      expect(run.perf.test.total_requests).toBe(stats.aggregated!.requests);
    },
    T,
  );

  it(
    '--exit-code-on-error 0 with --max-error-rate: failures are data, the criterion decides',
    async () => {
      const faults = JSON.stringify({ routes: { 'POST /api/fds/score': { errorRate: 1, status: 503 } } });
      const r = await perf(['shop', '--tool', 'locust', '--users', '2', '--spawn-rate', '2', '--duration', '4s', '--exit-code-on-error', '0', '--max-error-rate', '100', '--json'], { SHOPFDS_DEMO_FAULTS: faults });
      expect(r.exitCode, r.stderr).toBe(0);
      const run = JSON.parse(r.stdout) as StoredRun;
      expect(run.status).toBe('passed');
      expect(run.perf.test.failed_requests).toBeGreaterThan(0);
      expect(run.cases.find((c) => c.suitePath[0] === 'criteria')).toMatchObject({ name: 'error_rate <= 100%', status: 'passed' });
      const strict = await perf(['shop', '--tool', 'locust', '--users', '2', '--spawn-rate', '2', '--duration', '4s', '--exit-code-on-error', '0', '--max-error-rate', '1', '--json'], { SHOPFDS_DEMO_FAULTS: faults });
      expect(strict.exitCode).toBe(1);
      expect((JSON.parse(strict.stdout) as StoredRun).cases.find((c) => c.suitePath[0] === 'criteria')).toMatchObject({ name: 'error_rate <= 1%', status: 'failed' });
    },
    T,
  );

  it(
    'Ctrl-C stops Locust, which still writes its statistics; the run is stored as interrupted (exit 130)',
    async () => {
      const child = spawn(process.execPath, [BIN, 'perf', 'shop', '--tool', 'locust', '--users', '3', '--spawn-rate', '3', '--duration', '10m', '--db', db], { cwd: tmp.dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // Wait until Locust has made requests (its stats file shows them), then press Ctrl-C.
      const deadline = Date.now() + 120_000;
      let seen = false;
      while (!seen && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        const work = join(tmp.dir, '.shopfds', 'work');
        if (!existsSync(work)) continue;
        for (const id of readdirSync(work)) {
          const f = join(work, id, 'locust_stats.csv');
          if (existsSync(f)) {
            try {
              seen = (parseLocustStats(readFileSync(f, 'utf8')).aggregated?.requests ?? 0) > 0;
            } catch {
              // being rewritten
            }
          }
        }
      }
      expect(seen, stderr).toBe(true);
      child.kill('SIGINT');
      const code = await closed;
      expect(code, stderr).toBe(130);
      expect(stderr).toContain('stopping Locust');
      const id = /run ([0-9a-f-]{36})/.exec(stdout)?.[1];
      expect(id, stdout).toBeDefined();
      const run = await show(id!);
      expect(run.status).toBe('interrupted');
      expect(run.perf.test.total_requests).toBeGreaterThan(0);
      expect(run.perf.test.total_requests).toBe(statsOf(run).aggregated!.requests);
      // No Locust left behind.
      expect(processesMentioning(tmp.dir)).toEqual([]);
    },
    T,
  );

  it(
    'a locustfile that does not import is a tool error (exit 3) with Python\'s message, stored as error',
    async () => {
      writeFileSync(join(tmp.dir, 'broken.py'), 'from locust import HttpUser, task\ndef broken(:\n');
      const r = await perf(['broken.py', '--duration', '3s', '--json']);
      expect(r.exitCode, r.stderr).toBe(3);
      const run = JSON.parse(r.stdout) as StoredRun;
      expect(run.status).toBe('error');
      expect(run.errorMessage).toMatch(/^Locust exited with code 1 and wrote no statistics \(no _stats\.csv\): SyntaxError: invalid syntax/);
    },
    T,
  );

  it('usage errors exit 2 before anything runs; a missing Locust exits 3 with how to install it', async () => {
    writeFileSync(join(tmp.dir, 'x.py'), '');
    const bad = await perf(['x.py', '--duration', 'soon']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--duration must be a Locust run time such as 20s, 5m or 1h30m (got "soon")');
    const k6opt = await perf(['x.py', '-e', 'A=1']);
    expect(k6opt.exitCode).toBe(2);
    const missing = await perf(['x.py'], { SHOPFDS_LOCUST_PATH: join(tmp.dir, 'no-locust') });
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toContain('Locust not found: SHOPFDS_LOCUST_PATH=');
    expect(missing.stderr).toContain('apt-get install python3-locust');
    expect(existsSync(db)).toBe(false);
  }, T);

  it('import --format locust-csv stores statistics written elsewhere, with Locust\'s counts', async () => {
    const r = await runBin(['import', join(REPO_ROOT, 'test/fixtures/locust/faults/locust_stats.csv'), '--format', 'locust-csv', '--json', '--db', db], { cwd: tmp.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const [summary] = JSON.parse(r.stdout) as { id: string; status: string }[];
    expect(summary!.status).toBe('failed');
    const run = await show(summary!.id);
    expect(run.tool.name).toBe('locust');
    expect(run.perf.test).toMatchObject({ total_requests: 29, failed_requests: 3 });
    expect(run.cases.map((c) => `${c.suitePath[0]}:${c.name}:${c.status}`)).toEqual(['requests:GET /api/products:passed', 'requests:POST /api/fds/score:failed', 'exceptions:the basket, is "broken":failed']);
    const notLocust = await runBin(['import', join(REPO_ROOT, 'package.json'), '--format', 'locust-csv', '--db', db], { cwd: tmp.dir });
    expect(notLocust.exitCode).toBe(2);
    expect(notLocust.stderr).toContain('package.json: not a Locust stats file');
  }, T);
});
