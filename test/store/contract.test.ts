import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_KINDS, StoreError, type Run } from '../../src/model/index.js';
import { caseKey } from '../../src/store/kysely-store.js';
import type { RunStore } from '../../src/store/types.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { at, makeCase, makeRun } from '../helpers/fixtures.js';
import { BACKENDS, type StoreFixture } from './backends.js';

const MIGRATIONS = ['0001_initial_schema', '0002_append_only_audit', '0003_e2e_run_scenarios', '0004_failure_index', '0005_history_quarantine_retention', '0006_live_runs', '0007_runs_recorded_at', '0008_plan_runs'];

const SEED_INDEXES = [
  'idx_e2e_scenario_name',
  'idx_e2e_scenario_status',
  'idx_e2e_scenario_test_type',
  'idx_e2e_scenario_tags',
  'idx_e2e_run_scenario_id',
  'idx_e2e_run_status',
  'idx_e2e_run_ci_build_id',
  'idx_e2e_run_started_at',
  'idx_canary_service_name',
  'idx_canary_status',
  'idx_canary_started_at',
  'idx_canary_new_version',
  'idx_chaos_target_service',
  'idx_chaos_status',
  'idx_chaos_experiment_type',
  'idx_chaos_started_at',
  'idx_perf_test_type',
  'idx_perf_scenario_name',
  'idx_perf_started_at',
  'idx_perf_status',
  'idx_api_suite_service_name',
  'idx_api_suite_status',
  'idx_api_suite_started_at',
];

const DETAIL_TABLES = [
  'runs',
  'cases',
  'metric_samples',
  'e2e_test_scenarios',
  'e2e_run_scenarios',
  'e2e_test_runs',
  'e2e_test_step_results',
  'api_test_suites',
  'api_test_results',
  'performance_tests',
  'performance_metrics',
  'chaos_experiments',
  'chaos_observations',
  'chaos_audit_log',
  'canary_deployments',
  'canary_metrics',
];

/** A run id with a chosen prefix, still a valid UUID. */
function idWithPrefix(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(8 - prefix.length, '0')}-0000-4000-8000-000000000000`;
}

async function rowCounts(fx: StoreFixture): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of DETAIL_TABLES) {
    const [row] = await fx.query(`select count(*) as n from ${table}`);
    counts[table] = Number(row!.n);
  }
  return counts;
}

describe.each(BACKENDS)('RunStore contract: $name', (backend) => {
  let fx: StoreFixture;
  let store: RunStore;

  beforeEach(async () => {
    fx = await backend.create();
    store = await fx.open();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  describe('migrations', () => {
    it('reports every migration pending on a new database, then applied', async () => {
      expect(store.backend).toBe(backend.name);
      const before = await store.migrationStatus();
      expect(before).toEqual(MIGRATIONS.map((name) => ({ name, executedAt: null })));
      expect(await store.migrate()).toEqual(MIGRATIONS);
      const after = await store.migrationStatus();
      expect(after.map((m) => m.name)).toEqual(MIGRATIONS);
      for (const m of after) expect(m.executedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('is idempotent, also from a second connection', async () => {
      expect(await store.migrate()).toEqual(MIGRATIONS);
      expect(await store.migrate()).toEqual([]);
      const second = await fx.open();
      expect(await second.migrate()).toEqual([]);
      expect((await second.migrationStatus()).every((m) => m.executedAt !== null)).toBe(true);
    });

    it('creates every index the seed names', async () => {
      await store.migrate();
      const rows =
        backend.name === 'sqlite'
          ? await fx.query(`select name from sqlite_master where type = 'index' and name like 'idx_%'`)
          : await fx.query(`select indexname as name from pg_indexes where schemaname = current_schema() and indexname like 'idx_%'`);
      const names = rows.map((r) => String(r.name));
      for (const index of SEED_INDEXES) expect(names, index).toContain(index);
      if (backend.name === 'postgres') {
        const [tags] = await fx.query(`select indexdef from pg_indexes where indexname = 'idx_e2e_scenario_tags'`);
        expect(String(tags!.indexdef)).toMatch(/USING gin/i);
      }
    });

    it('refuses a database migrated by a newer shopfds-test', async () => {
      await store.migrate();
      await fx.query(`insert into kysely_migration (name, timestamp) values ('9999_future', ?)`, [new Date().toISOString()]);
      const newer = await fx.open();
      const error = await newer.migrate().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toMatch(/newer shopfds-test.*9999_future/);
      expect((error as StoreError).exitCode).toBe(4);
      await expect(newer.saveRun(makeRun())).rejects.toBeInstanceOf(StoreError);
      await expect(newer.listRuns()).rejects.toBeInstanceOf(StoreError);
      expect((await newer.migrationStatus()).map((m) => m.name)).toContain('9999_future');
      expect((await rowCounts(fx)).runs).toBe(0);
    });
  });

  describe('saveRun / getRun', () => {
    it.each(RUN_KINDS)('round-trips a %s run with every kind-specific record', async (kind) => {
      const run = makeRun({ kind, ci: { provider: 'github-actions', buildId: '123', commitSha: 'abc123', branch: 'main', jobUrl: 'https://github.com/o/r/actions/runs/123' }, runGroup: '123', shard: { current: 1, total: 2 } });
      await store.saveRun(run);
      expect(await store.getRun(run.id)).toEqual(run);
      // The detail records really are rows of the seed's tables.
      const counts = await rowCounts(fx);
      expect(counts.cases).toBe(run.cases.length);
      if (kind === 'e2e') {
        expect(counts.e2e_test_runs).toBe(run.e2e!.test_runs.length);
        expect(counts.e2e_test_step_results).toBe(run.e2e!.test_runs.reduce((n, r) => n + r.steps.length, 0));
        expect(counts.e2e_test_scenarios).toBe(1);
      }
      if (kind === 'api') expect(counts.api_test_results).toBe(run.cases.length);
      if (kind === 'perf') expect(counts.performance_metrics).toBe(3);
      if (kind === 'chaos') expect([counts.chaos_observations, counts.chaos_audit_log]).toEqual([3, 3]);
      if (kind === 'canary') expect(counts.canary_metrics).toBe(3);
    });

    it('keeps a step run\'s plan run id, and lists the step runs of a plan', async () => {
      const plan = makeRun({ kind: 'plan' });
      const step = makeRun({ kind: 'api', parentRunId: plan.id });
      // Step runs are saved as they finish, before their plan run.
      await store.saveRun(step);
      await store.saveRun(plan);
      await store.saveRun(makeRun({ kind: 'api' }));
      expect((await store.getRun(step.id))!.parentRunId).toBe(plan.id);
      expect((await store.getRun(plan.id))!.plan).toEqual(plan.plan);
      expect((await store.listRuns({ parentRunId: plan.id })).map((r) => r.id)).toEqual([step.id]);
    });

    it('round-trips JSON fields, unicode, nulls and large text unchanged', async () => {
      const long = 'x'.repeat(20_000);
      const run = makeRun({
        kind: 'api',
        name: 'naïve <&> "quoted" ]]> 日本語 🚀',
        metadata: { a: '1', 'key with space': 'v\nline2', empty: '' },
        cases: [
          makeCase({ status: 'passed', name: long, suitePath: [], project: null, file: null, line: null, column: null, tags: [], properties: { k: 'v' } }),
          makeCase({ status: 'failed', errorStack: long, stdout: '\u0001ctrl\ttab', stderr: 'err 🚨' }),
        ],
      });
      await store.saveRun(run);
      expect(await store.getRun(run.id)).toEqual(run);
    });

    it('keeps the scenario definitions each e2e run used, while the catalog holds the latest', async () => {
      const v1 = makeRun({ kind: 'e2e', scenarioName: 'checkout' });
      const scenario = v1.e2e!.scenarios[0]!;
      const v2 = makeRun({
        kind: 'e2e',
        e2e: { ...v1.e2e!, scenarios: [{ ...scenario, description: 'v2', priority: 'critical' }] },
      });
      // A scenario no test run points at (every test of it was skipped before starting) is kept too.
      const unused = { ...scenario, name: 'refund', tags: [] };
      const v3 = makeRun({ kind: 'e2e', e2e: { scenarios: [unused, scenario], test_runs: [] } });
      for (const run of [v1, v2, v3]) await store.saveRun(run);
      expect(await store.getRun(v1.id)).toEqual(v1);
      expect(await store.getRun(v2.id)).toEqual(v2);
      expect(await store.getRun(v3.id)).toEqual(v3);
      const catalog = await fx.query(`select name, description, priority from e2e_test_scenarios order by name`);
      expect(catalog).toEqual([
        { name: 'checkout', description: scenario.description, priority: scenario.priority },
        { name: 'refund', description: scenario.description, priority: scenario.priority },
      ]);
      const [linked] = await fx.query(`select count(*) as n from e2e_test_runs where scenario_id is not null`);
      expect(Number(linked!.n)).toBe(2);
    });

    it('reads back empty and absent kind-specific records as they were saved', async () => {
      const e2e = makeRun({ kind: 'e2e', e2e: { scenarios: [], test_runs: [] } });
      const api = makeRun({ kind: 'api', api: { suites: [] } });
      const none = makeRun({ kind: 'api', api: null });
      for (const run of [e2e, api, none]) await store.saveRun(run);
      expect(await store.getRun(e2e.id)).toEqual(e2e);
      expect(await store.getRun(api.id)).toEqual(api);
      expect(await store.getRun(none.id)).toEqual(none);
    });

    it('keeps the order of e2e test runs and performance metrics', async () => {
      const e2e = makeRun({ kind: 'e2e' });
      const reordered = { ...e2e, e2e: { ...e2e.e2e!, test_runs: [...e2e.e2e!.test_runs].reverse() } };
      await store.saveRun(reordered);
      expect(await store.getRun(e2e.id)).toEqual(reordered);
      const perf = makeRun({ kind: 'perf' });
      const test = perf.perf!.test;
      const sameTime = { ...perf, perf: { test: { ...test, metrics: test.metrics.map((m, i) => ({ ...m, measured_at: test.metrics[0]!.measured_at, virtual_users: 30 - i })) } } };
      await store.saveRun(sameTime);
      expect(await store.getRun(perf.id)).toEqual(sameTime);
    });

    it('round-trips a run bigger than one bulk statement (6,000 cases with e2e test runs)', async () => {
      const cases = Array.from({ length: 6000 }, (_, i) =>
        makeCase({ status: i % 97 === 0 ? 'failed' : i % 89 === 0 ? 'flaky' : 'passed', name: `case ${i}`, suitePath: [`file-${i % 13}.spec.ts`] }),
      );
      const run = makeRun({ kind: 'e2e', cases });
      expect(run.e2e!.test_runs.length).toBeGreaterThan(5000);
      await store.saveRun(run);
      expect(await store.getRun(run.id)).toEqual(run);
    });

    it('round-trips api bodies of every JSON shape', async () => {
      const run = makeRun({ kind: 'api', cases: [makeCase(), makeCase(), makeCase(), makeCase(), makeCase()] });
      const bodies = ['plain "text" \\ with escapes', 42.5, [1, 'two', { three: null }], true, { deep: { a: [{}] } }];
      const suite = run.api!.suites[0]!;
      const withBodies = { ...run, api: { suites: [{ ...suite, results: suite.results.map((r, i) => ({ ...r, request_body: bodies[i], response_body: bodies[4 - i] })) }] } };
      await store.saveRun(withBodies);
      expect(await store.getRun(run.id)).toEqual(withBodies);
    });

    it('normalizes timestamps to UTC ISO strings', async () => {
      const run = makeRun({ kind: 'perf', startedAt: '2025-03-01T12:00:00+02:00', completedAt: '2025-03-01T12:01:30.5+02:00' });
      await store.saveRun(run);
      const got = await store.getRun(run.id);
      expect(got!.startedAt).toBe('2025-03-01T10:00:00.000Z');
      expect(got!.completedAt).toBe('2025-03-01T10:01:30.500Z');
      expect(got!.perf!.test.started_at).toBe('2025-03-01T10:00:00.000Z');
      const [summary] = await store.listRuns();
      expect(summary!.startedAt).toBe('2025-03-01T10:00:00.000Z');
    });

    it('returns null for an unknown id and finds a run by a unique prefix', async () => {
      const run = makeRun();
      await store.saveRun(run);
      expect(await store.getRun('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await store.getRun('zzzz')).toBeNull();
      expect((await store.getRun(run.id.slice(0, 8)))!.id).toBe(run.id);
      expect((await store.getRun(run.id.slice(0, 4).toUpperCase()))!.id).toBe(run.id);
      // Too short to be a prefix.
      expect(await store.getRun(run.id.slice(0, 3))).toBeNull();
    });

    it('refuses an ambiguous prefix with a StoreError', async () => {
      await store.saveRun(makeRun({ id: idWithPrefix('abcd', 1) }));
      await store.saveRun(makeRun({ id: idWithPrefix('abcd', 2) }));
      await expect(store.getRun('abcd')).rejects.toThrow(/ambiguous/);
      expect((await store.getRun('abcd0002'))!.id).toBe(idWithPrefix('abcd', 2));
    });

    it('refuses a second run with the same id and keeps nothing of it', async () => {
      const first = makeRun({ kind: 'e2e' });
      await store.saveRun(first);
      const before = await rowCounts(fx);
      const second = makeRun({ kind: 'e2e', id: first.id, name: 'another', scenarioName: 'another scenario', cases: [makeCase({ status: 'failed' }), makeCase({ status: 'failed' }), makeCase({ status: 'failed' }), makeCase({ status: 'failed' }), makeCase({ status: 'passed' })] });
      await expect(store.saveRun(second)).rejects.toThrow();
      expect(await rowCounts(fx)).toEqual(before);
      expect(await store.getRun(first.id)).toEqual(first);
    });

    it('leaves no partial run when a case row violates a constraint', async () => {
      const run = makeRun({ kind: 'e2e' });
      const broken = { ...run, cases: run.cases.map((c, i) => (i === 2 ? { ...c, durationMs: -1 } : c)) } as Run;
      await expect(store.saveRun(broken)).rejects.toThrow();
      expect(Object.values(await rowCounts(fx)).every((n) => n === 0)).toBe(true);
      expect(await store.getRun(run.id)).toBeNull();
      // The store still works afterwards.
      await store.saveRun(run);
      expect(await store.getRun(run.id)).toEqual(run);
    });

    it('leaves no partial run when an api suite violates the totals check', async () => {
      const run = makeRun({ kind: 'api' });
      const suite = run.api!.suites[0]!;
      const broken = { ...run, api: { suites: [suite, { ...suite, passed_tests: suite.passed_tests + 1 }] } } as Run;
      await expect(store.saveRun(broken)).rejects.toThrow();
      expect(Object.values(await rowCounts(fx)).every((n) => n === 0)).toBe(true);
    });

    it('keeps the chaos audit log append-only', async () => {
      const run = makeRun({ kind: 'chaos' });
      await store.saveRun(run);
      await expect(fx.query(`update chaos_audit_log set actor = 'mallory'`)).rejects.toThrow(/append-only/);
      await expect(fx.query(`delete from chaos_audit_log`)).rejects.toThrow(/append-only/);
      expect((await store.getRun(run.id))!.chaos!.experiment.audit).toEqual(run.chaos!.experiment.audit);
    });
  });

  describe('queries', () => {
    const DAY = 86_400_000;
    const now = Date.parse('2025-03-10T12:00:00.000Z');
    const when = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();

    async function seed(): Promise<Run[]> {
      const runs = [
        makeRun({ kind: 'e2e', name: 'r0', startedAt: when(9), environment: 'staging', cases: [makeCase({ status: 'failed', name: 'pay' })] }),
        makeRun({ kind: 'e2e', name: 'r1', startedAt: when(5), runGroup: 'build-7', cases: [makeCase({ status: 'failed', name: 'pay' }), makeCase({ status: 'passed', name: 'login' })] }),
        makeRun({ kind: 'api', name: 'r2', startedAt: when(4), environment: 'production', cases: [makeCase({ status: 'passed', name: 'GET /orders' })] }),
        makeRun({ kind: 'e2e', name: 'r3', startedAt: when(3), runGroup: 'build-7', cases: [makeCase({ status: 'timed_out', name: 'pay' }), makeCase({ status: 'failed', name: 'login' })] }),
        makeRun({ kind: 'perf', name: 'r4', startedAt: when(2), status: 'error', errorMessage: 'k6 crashed', cases: [] }),
        makeRun({ kind: 'e2e', name: 'r5', startedAt: when(1), cases: [makeCase({ status: 'flaky', name: 'pay' }), makeCase({ status: 'interrupted', name: 'search' })], status: 'interrupted' }),
      ];
      // Saved out of order: the store orders by start time, not insertion.
      for (const i of [3, 0, 5, 1, 4, 2]) await store.saveRun(runs[i]!);
      return runs;
    }

    it('lists runs newest first with their summaries', async () => {
      const runs = await seed();
      const all = await store.listRuns();
      expect(all.map((r) => r.name)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
      const r3 = runs[3]!;
      expect(all[2]).toEqual({
        id: r3.id,
        kind: 'e2e',
        name: 'r3',
        status: 'failed',
        environment: 'local',
        startedAt: r3.startedAt,
        recordedAt: expect.any(String),
        durationMs: r3.durationMs,
        totals: r3.totals,
        runGroup: 'build-7',
        ciBuildId: null,
        commitSha: null,
        toolName: 'playwright',
      });
    });

    it('orders by when runs were stored with order "recorded": an older run stored last comes first', async () => {
      const newer = makeRun({ name: 'newer', startedAt: at(3_600_000), completedAt: at(3_660_000) });
      const older = makeRun({ name: 'older', startedAt: at(0), completedAt: at(60_000) });
      await store.saveRun(newer);
      await new Promise((r) => setTimeout(r, 5));
      await store.saveRun(older);
      expect((await store.listRuns()).map((r) => r.name)).toEqual(['newer', 'older']);
      const recorded = await store.listRuns({ order: 'recorded' });
      expect(recorded.map((r) => r.name)).toEqual(['older', 'newer']);
      expect(Date.parse(recorded[0]!.recordedAt)).toBeGreaterThan(Date.parse(recorded[1]!.recordedAt));
    });

    it('filters runs by kind, status, environment, since, group and limit', async () => {
      await seed();
      const names = async (filter: Parameters<RunStore['listRuns']>[0]) => (await store.listRuns(filter)).map((r) => r.name);
      expect(await names({ kind: 'e2e' })).toEqual(['r5', 'r3', 'r1', 'r0']);
      expect(await names({ kind: 'api' })).toEqual(['r2']);
      expect(await names({ status: 'failed' })).toEqual(['r3', 'r1', 'r0']);
      expect(await names({ status: 'error' })).toEqual(['r4']);
      expect(await names({ environment: 'production' })).toEqual(['r2']);
      expect(await names({ environment: 'staging' })).toEqual(['r0']);
      expect(await names({ since: when(3) })).toEqual(['r5', 'r4', 'r3']);
      // A since with an offset means the same instant.
      expect(await names({ since: '2025-03-07T14:00:00+02:00' })).toEqual(['r5', 'r4', 'r3']);
      expect(await names({ runGroup: 'build-7' })).toEqual(['r3', 'r1']);
      expect(await names({ limit: 2 })).toEqual(['r5', 'r4']);
      expect(await names({ kind: 'e2e', status: 'failed', since: when(6), limit: 1 })).toEqual(['r3']);
      expect(await names({ kind: 'canary' })).toEqual([]);
    });

    it('groups failures since a time by case, most failures first', async () => {
      const runs = await seed();
      const pay = caseKey('e2e', runs[0]!.cases[0]!);
      const login = caseKey('e2e', runs[1]!.cases[1]!);
      const search = caseKey('e2e', runs[5]!.cases[1]!);
      const groups = await store.failuresSince(when(7));
      // r0's failure is older than the window; r5's flaky pay passed in the end.
      expect(groups).toEqual([
        { caseKey: pay, name: 'pay', suitePath: ['checkout.spec.ts', 'Checkout'], project: 'chromium', failures: 2, lastFailedAt: when(3) },
        ...[
          { caseKey: login, name: 'login', suitePath: ['checkout.spec.ts', 'Checkout'], project: 'chromium', failures: 1, lastFailedAt: when(3) },
          { caseKey: search, name: 'search', suitePath: ['checkout.spec.ts', 'Checkout'], project: 'chromium', failures: 1, lastFailedAt: when(1) },
        ].sort((a, b) => a.caseKey.localeCompare(b.caseKey)),
      ]);
      expect((await store.failuresSince(when(10))).find((g) => g.caseKey === pay)!.failures).toBe(3);
      expect(await store.failuresSince(when(10), 1)).toHaveLength(1);
      expect(await store.failuresSince(when(0.5))).toEqual([]);
    });

    it("returns one case's history across runs, newest first", async () => {
      const runs = await seed();
      const pay = caseKey('e2e', runs[0]!.cases[0]!);
      const history = await store.caseHistory(pay);
      expect(history.map((h) => [h.runId, h.status, h.attempts])).toEqual([
        [runs[5]!.id, 'flaky', 2],
        [runs[3]!.id, 'timed_out', 1],
        [runs[1]!.id, 'failed', 2],
        [runs[0]!.id, 'failed', 2],
      ]);
      expect(history[1]).toEqual({
        runId: runs[3]!.id,
        startedAt: when(3),
        status: 'timed_out',
        durationMs: runs[3]!.cases[0]!.durationMs,
        attempts: 1,
        errorMessage: 'expected 200, got 500',
      });
      expect(await store.caseHistory(pay, 2)).toHaveLength(2);
      expect(await store.caseHistory('0'.repeat(40))).toEqual([]);
      // The same name in another kind is another case.
      expect(caseKey('api', runs[0]!.cases[0]!)).not.toBe(pay);
    });
  });

  it('lets two processes save runs into one store at the same time', async () => {
    const openModule = pathToFileURL(join(REPO_ROOT, 'dist/store/open.js')).href;
    if (!existsSync(join(REPO_ROOT, 'dist/store/open.js'))) throw new Error('build first: dist/store/open.js is missing');
    const perWriter = 15;
    const writer = (n: number) => {
      const runs = Array.from({ length: perWriter }, (_, i) => makeRun({ kind: 'api', name: `writer ${n} run ${i}`, startedAt: at(i * 1000 + n) }));
      const script = `
        const { openStore } = await import(${JSON.stringify(openModule)});
        const runs = JSON.parse(process.env.RUNS);
        const store = await openStore(process.env.TARGET);
        try { for (const run of runs) await store.saveRun(run); } finally { await store.close(); }
      `;
      return new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
          env: { ...process.env, RUNS: JSON.stringify(runs), TARGET: fx.target },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    };
    // A fresh database: both writers also race to migrate it.
    const results = await Promise.all([writer(1), writer(2), writer(3)]);
    for (const r of results) expect(r, r.stderr).toEqual({ code: 0, stderr: '' });
    expect(await store.listRuns({ limit: 1000 })).toHaveLength(3 * perWriter);
    expect(await store.migrate()).toEqual([]);
  });
});
