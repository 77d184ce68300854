import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/model/index.js';
import { BIN, REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { makeRun } from '../helpers/fixtures.js';

/*
 * The Prometheus export end to end with the real servers from Debian: a prometheus-pushgateway and a
 * prometheus started here on free loopback ports (not the system services), Prometheus scraping both
 * the Pushgateway and `shopfds-test metrics`. Every seed metric is read back through Prometheus' HTTP
 * query API and compared with the stored run it came from. Fails when the servers are missing.
 */

const T = 180_000;
const PROMETHEUS = '/usr/bin/prometheus';
const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';

const SEED_METRICS = [
  'e2e_test_duration_seconds',
  'e2e_test_success_rate',
  'canary_traffic_weight',
  'canary_error_rate',
  'canary_response_time_p95',
  'chaos_recovery_time_seconds',
  'performance_test_tps',
  'performance_test_response_time_p95',
  'api_test_success_rate',
] as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== null) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

const children: ChildProcess[] = [];
function start(file: string, args: string[], cwd: string): ChildProcess {
  const child = spawn(file, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
  (child as ChildProcess & { log: () => string }).log = () => err;
  children.push(child);
  return child;
}

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
let gateway: string;
let prom: string;
let metricsPort: number;

beforeAll(async () => {
  for (const f of [PROMETHEUS, PUSHGATEWAY]) expect(existsSync(f), `${f} is required (apt-get install prometheus prometheus-pushgateway)`).toBe(true);
  tmp = makeTempDir('shopfds-prometheus-');
  db = join(tmp.dir, 'results.db');
  const [gwPort, promPort] = [await freePort(), await freePort()];
  metricsPort = await freePort();
  gateway = `http://127.0.0.1:${gwPort}`;
  prom = `http://127.0.0.1:${promPort}`;
  start(PUSHGATEWAY, [`--web.listen-address=127.0.0.1:${gwPort}`], tmp.dir);
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: pushgateway',
    '    honor_labels: true',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${gwPort}']`,
    '  - job_name: shopfds-metrics',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${metricsPort}']`,
    '',
  ].join('\n');
  writeFileSync(join(tmp.dir, 'prometheus.yml'), config);
  mkdirSync(join(tmp.dir, 'tsdb'));
  start(PROMETHEUS, [`--config.file=${join(tmp.dir, 'prometheus.yml')}`, `--web.listen-address=127.0.0.1:${promPort}`, `--storage.tsdb.path=${join(tmp.dir, 'tsdb')}`], tmp.dir);
  await waitFor('the Pushgateway', async () => ((await fetch(`${gateway}/-/ready`)).ok ? true : null));
  await waitFor('Prometheus', async () => ((await fetch(`${prom}/-/ready`)).ok ? true : null));
}, T);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  tmp?.cleanup();
});

interface VectorResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(expr: string): Promise<VectorResult[]> {
  const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: VectorResult[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

/** The runs each seed metric comes from, one per kind, with figures that differ from each other. */
function seedRuns(prefix: string): Run[] {
  const base = Date.parse('2026-12-02T10:00:00.000Z');
  const runs = [
    makeRun({ kind: 'e2e', name: `${prefix} checkout`, startedAt: new Date(base).toISOString(), completedAt: new Date(base + 42_500).toISOString() }),
    makeRun({ kind: 'api', name: `${prefix} api` }),
    makeRun({ kind: 'perf', name: `${prefix} load` }),
    makeRun({ kind: 'chaos', name: `${prefix} pod delete` }),
    makeRun({ kind: 'canary', name: `${prefix} canary` }),
  ];
  return runs;
}

/** What each metric should be for the run it came from, read from the stored model. */
function expected(run: Run): Record<string, { value: number; labels: Record<string, string> }> {
  const labels = { kind: run.kind, name: run.name, environment: run.environment };
  switch (run.kind) {
    case 'e2e': {
      const t = run.totals;
      return {
        e2e_test_duration_seconds: { value: run.durationMs / 1000, labels },
        e2e_test_success_rate: { value: Math.round(((t.passed + t.flaky) / (t.passed + t.flaky + t.failed + t.timedOut)) * 100 * 1000) / 1000, labels },
      };
    }
    case 'api': {
      const s = run.api!.suites;
      const passed = s.reduce((n, x) => n + x.passed_tests, 0);
      const failed = s.reduce((n, x) => n + x.failed_tests, 0);
      return { api_test_success_rate: { value: Math.round((passed / (passed + failed)) * 100 * 1000) / 1000, labels: { ...labels, service: s[0]!.service_name } } };
    }
    case 'perf':
      return {
        performance_test_tps: { value: run.perf!.test.actual_tps!, labels: { ...labels, scenario: run.perf!.test.scenario_name } },
        performance_test_response_time_p95: { value: run.perf!.test.p95_response_time!, labels: { ...labels, scenario: run.perf!.test.scenario_name } },
      };
    case 'chaos':
      return { chaos_recovery_time_seconds: { value: run.chaos!.experiment.recovery_time_sec!, labels: { ...labels, service: run.chaos!.experiment.target_service } } };
    case 'canary': {
      const d = run.canary!.deployment;
      return {
        canary_traffic_weight: { value: d.traffic_weight, labels: { ...labels, service: d.service_name } },
        canary_error_rate: { value: d.error_rate!, labels: { ...labels, service: d.service_name } },
        canary_response_time_p95: { value: d.response_time_p95!, labels: { ...labels, service: d.service_name } },
      };
    }
  }
}

async function assertEverySeedMetric(runs: readonly Run[], job: string): Promise<void> {
  const want = Object.assign({}, ...runs.map(expected)) as ReturnType<typeof expected>;
  expect(Object.keys(want).sort()).toEqual([...SEED_METRICS].sort());
  for (const metric of SEED_METRICS) {
    const { value, labels } = want[metric]!;
    const selector = `${metric}{job="${job}",name="${labels.name}"}`;
    const result = await waitFor(`${selector} in Prometheus`, async () => {
      const r = await query(selector);
      return r.length ? r : null;
    });
    expect(result, selector).toHaveLength(1);
    expect(result[0]!.metric).toMatchObject(labels);
    expect(Number(result[0]!.value[1]), selector).toBeCloseTo(value, 6);
  }
}

describe('Prometheus export (real prometheus 2.42 and prometheus-pushgateway 1.5)', () => {
  it(
    'pushes every seed metric of a stored run to the Pushgateway; Prometheus scrapes them with the run\'s values',
    async () => {
      const { openStore } = await import('../../src/store/open.js');
      const { pushRunMetrics } = await import('../../src/cli/prometheus.js');
      const runs = seedRuns('pushed');
      const store = await openStore(db);
      for (const run of runs) await store.saveRun(run);
      await store.close();
      for (const run of runs) {
        const pushed = await pushRunMetrics(gateway, run);
        expect(pushed.problem).toBeNull();
        expect(pushed.pushed).toBe(Object.keys(expected(run)).length);
      }
      await assertEverySeedMetric(runs, 'shopfds-test');
    },
    T,
  );

  it(
    '`shopfds-test metrics` serves the gauges of the latest stored runs; Prometheus scrapes them with the stored values',
    async () => {
      const { openStore } = await import('../../src/store/open.js');
      const store = await openStore(db);
      // An older run of the same e2e suite with other figures: the gauge follows the latest.
      const older = makeRun({ kind: 'e2e', name: 'served checkout', startedAt: '2026-12-01T10:00:00.000Z', completedAt: '2026-12-01T10:10:00.000Z' });
      const runs = seedRuns('served');
      for (const run of [older, ...runs]) await store.saveRun(run);
      await store.close();
      const child = spawn(process.execPath, [BIN, 'metrics', '--port', String(metricsPort), '--db', db], { cwd: tmp.dir, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      await waitFor('shopfds-test metrics to listen', async () => (stderr.includes(`127.0.0.1:${metricsPort}/metrics`) ? true : null));
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(text).toContain('# TYPE performance_test_tps gauge');
      await assertEverySeedMetric(runs, 'shopfds-metrics');
      const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await closed).not.toBeNull();
    },
    T,
  );

  it(
    'a run with --pushgateway pushes after it is stored; a Pushgateway that is down warns and loses nothing',
    async () => {
      const csv = join(REPO_ROOT, 'test/fixtures/locust/faults/locust_stats.csv');
      const ok = await runBin(['import', csv, '--format', 'locust-csv', '--name', 'imported locust', '--json', '--db', db, '--pushgateway', gateway], { cwd: tmp.dir });
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(ok.stderr).not.toContain('warning');
      const tps = await waitFor('the imported run in Prometheus', async () => {
        const r = await query('performance_test_tps{job="shopfds-test",name="imported locust"}');
        return r.length ? r : null;
      });
      expect(Number(tps[0]!.value[1])).toBeCloseTo(20.53, 6);

      // The same report again (--force: an import of an already stored report is otherwise refused).
      const dead = `http://127.0.0.1:${await freePort()}`;
      const down = await runBin(['import', csv, '--format', 'locust-csv', '--name', 'not pushed', '--force', '--json', '--db', db], { cwd: tmp.dir, env: cliEnv({ SHOPFDS_PUSHGATEWAY_URL: dead }) });
      expect(down.exitCode, down.stderr).toBe(0);
      expect(down.stderr).toContain(`shopfds-test: warning: could not push to the Pushgateway at ${dead}/: ECONNREFUSED (the run is stored; its metrics were not pushed)`);
      const [summary] = JSON.parse(down.stdout) as { id: string }[];
      const shown = await runBin(['runs', 'show', summary!.id, '--json', '--db', db], { cwd: tmp.dir });
      expect(shown.exitCode).toBe(0);
      expect(JSON.parse(shown.stdout).name).toBe('not pushed');
    },
    T,
  );

  it('`metrics --once` prints the exposition of the stored runs; a bad --port is a usage error (exit 2)', async () => {
    const once = await runBin(['metrics', '--once', '--db', db], { cwd: tmp.dir });
    expect(once.exitCode, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/^# HELP e2e_test_duration_seconds /m);
    expect(once.stdout).toMatch(/^performance_test_tps\{kind="perf",name="imported locust",environment="local",scenario="locust",service=""\} 20\.53$/m);
    const bad = await runBin(['metrics', '--port', 'http', '--db', db], { cwd: tmp.dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toBe('shopfds-test: error E_USAGE: --port must be a port number from 0 to 65535 (got "http")');
  }, T);
});
