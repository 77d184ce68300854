import { randomUUID } from 'node:crypto';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { CONTENT_HASH_METADATA, REPLACED_CHARACTERS_KEY, StoreError, addToTotals, caseKey, emptyTotals, normalizeRunText, redactText, type Case, type Run } from '../model/index.js';

export { caseKey };
import { DEFAULT_FLAKY_RULE, type CaseOutcome, type CaseWindowStats, type FlakyRule, type PerfFigures, type QuarantineEntry, type RunKind } from '../model/index.js';
import { HistoryQueries } from './history-queries.js';
import { buildMigrations, type StoreCapabilities } from './migrations.js';
import type {
  CaseIdentity,
  PruneOptions,
  PruneResult,
  StoreStats,
  TrendOptions,
  Trends,
} from './types.js';
import {
  LIVE_RUN_STALE_MS,
  type CaseFailureGroup,
  type LiveRun,
  type LiveRunStart,
  type CaseHistoryEntry,
  type MigrationState,
  type RunFilter,
  type RunStore,
  type RunSummary,
  type StoreBackend,
} from './types.js';

type Db = Kysely<any>;
type Row = Record<string, unknown>;

/**
 * Writes many rows of one table inside the current transaction. A backend may supply a faster way
 * than the generic multi-row INSERT: building and binding one statement of 30,000 parameters per
 * chunk dominated saving a 10,000-case run on both backends. Rows all have the same keys; JSON
 * columns hold JSON text.
 */
export interface RowWriter {
  insertRows(trx: Db, table: string, rows: readonly Row[]): Promise<void>;
}

const FAILED_STATUSES = ['failed', 'timed_out', 'interrupted'];

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations() {
    return this.migrations;
  }
}

function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}
function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}
function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}
function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}
function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
/** SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock past the busy wait. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) || /database is locked/i.test(String((error as Error)?.message));
}

function groupBy(rows: readonly Row[], key: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const k = String(row[key]);
    let group = groups.get(k);
    if (!group) groups.set(k, (group = []));
    group.push(row);
  }
  return groups;
}

/**
 * The RunStore over Kysely, shared by both backends. Dialect differences come in as
 * {@link StoreCapabilities}.
 */
export class KyselyRunStore implements RunStore {
  private readonly migrations: Record<string, Migration>;
  private migrated = false;

  constructor(
    readonly backend: StoreBackend,
    readonly location: string,
    private readonly db: Db,
    private readonly caps: StoreCapabilities,
    private readonly rowWriter?: RowWriter,
  ) {
    this.migrations = buildMigrations(caps);
  }

  private json(value: unknown): string | null {
    if (value === undefined || value === null) return null;
    // Most cases have no artifacts, tags or properties.
    if (Array.isArray(value) && value.length === 0) return '[]';
    return JSON.stringify(value);
  }
  private parseJson<T>(value: unknown): T {
    if (value === null || value === undefined) return null as T;
    if (this.caps.jsonParsedOnRead || typeof value !== 'string') return value as T;
    return JSON.parse(value) as T;
  }

  private migrator(db: Db = this.db): Migrator {
    return new Migrator({ db, provider: new StaticProvider(this.migrations) });
  }

  private async executedMigrations(db: Db = this.db): Promise<Map<string, string>> {
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    if (!tables.some((t) => t.name === 'kysely_migration')) return new Map();
    const rows = await db.selectFrom('kysely_migration').select(['name', 'timestamp']).execute();
    return new Map(rows.map((r: Row) => [String(r.name), String(r.timestamp)]));
  }

  /** Refuses a database written by a newer shopfds-test: it has migrations this binary does not know. */
  private async assertNotNewer(db: Db = this.db): Promise<void> {
    const executed = await this.executedMigrations(db);
    const unknown = [...executed.keys()].filter((name) => !(name in this.migrations));
    if (unknown.length) {
      throw new StoreError(
        `the database at ${this.location} was migrated by a newer shopfds-test (unknown migration ${unknown.sort().join(', ')})`,
        { hint: 'Upgrade shopfds-test, or point --db at another database.' },
      );
    }
  }

  async migrate(): Promise<readonly string[]> {
    await this.assertNotNewer();
    const { error, results } =
      this.caps.migrationLock === 'write-transaction' ? await this.migrateInWriteTransaction() : await this.migrator().migrateToLatest();
    if (error instanceof StoreError) throw error;
    if (error) throw new StoreError(`migration failed on ${this.location}: ${(error as Error).message}`, { cause: error });
    this.migrated = true;
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  /** Runs the migrator on one connection holding the database's write lock; all or nothing. */
  private async migrateInWriteTransaction(): Promise<MigrationResultSet> {
    // Nothing pending (the common case): no need to take the write lock.
    const executed = await this.executedMigrations();
    if (Object.keys(this.migrations).every((name) => executed.has(name))) return { results: [] };
    return this.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      let outcome: MigrationResultSet;
      try {
        // Another process may have migrated while this one waited for the lock.
        await this.assertNotNewer(conn);
        outcome = await this.migrator(conn).migrateToLatest();
      } catch (error) {
        outcome = { error };
      }
      await sql.raw(outcome.error ? 'rollback' : 'commit').execute(conn);
      return outcome;
    });
  }

  async migrationStatus(): Promise<readonly MigrationState[]> {
    const executed = await this.executedMigrations();
    const names = new Set([...Object.keys(this.migrations), ...executed.keys()]);
    return [...names].sort().map((name) => ({ name, executedAt: executed.has(name) ? iso(executed.get(name)) : null }));
  }

  private async ensureMigrated(): Promise<void> {
    if (!this.migrated) await this.migrate();
  }

  private async insertMany(db: Db, table: string, rows: Row[]): Promise<void> {
    if (!rows.length) return;
    if (this.rowWriter) return this.rowWriter.insertRows(db, table, rows);
    const columns = Object.keys(rows[0]!).length;
    const size = Math.max(1, Math.floor(this.caps.maxParameters / columns));
    for (let i = 0; i < rows.length; i += size) {
      await db.insertInto(table).values(rows.slice(i, i + size)).execute();
    }
  }

  /**
   * Saves a run whose cases come from `cases` (read again if the transaction is retried) instead of
   * `header.cases`: one transaction, the cases inserted in batches as they are read, so memory stays
   * bounded whatever their number. Whole or nothing: cases that do not add up to `header.totals`
   * roll everything back.
   */
  async saveRunWithCases(header: Run, cases: () => AsyncIterable<Case>): Promise<void> {
    if (header.cases.length) throw new StoreError('a run saved with streamed cases must carry none itself');
    await this.saveRun(header, cases);
  }

  /** Rows of cases per insert when they are streamed. */
  private static readonly STREAM_BATCH = 1000;

  private async insertStreamedCases(trx: Db, run: Run, startedAt: string, metadata: Readonly<Record<string, string>>, source: () => AsyncIterable<Case>): Promise<void> {
    const totals = emptyTotals();
    let replaced = 0;
    let batch: Row[] = [];
    for await (const given of source()) {
      // NUL and lone surrogates, as for a whole run.
      const { run: c, replaced: n } = normalizeRunText(given);
      replaced += n;
      addToTotals(totals, c);
      batch.push(this.caseRow(run, startedAt, c));
      if (batch.length >= KyselyRunStore.STREAM_BATCH) {
        await this.insertMany(trx, 'cases', batch);
        batch = [];
      }
    }
    await this.insertMany(trx, 'cases', batch);
    const differs = (Object.keys(totals) as (keyof typeof totals)[]).filter((k) => totals[k] !== run.totals[k]);
    if (differs.length) {
      throw new StoreError(
        `the run's cases do not add up to its totals (${differs.map((k) => `${k} ${totals[k]}, expected ${run.totals[k]}`).join('; ')}); nothing was stored`,
      );
    }
    if (replaced) {
      const counted = { ...metadata, [REPLACED_CHARACTERS_KEY]: String(Number(metadata[REPLACED_CHARACTERS_KEY] ?? 0) + replaced) };
      await trx.updateTable('runs').set({ metadata: this.json(counted) }).where('id', '=', run.id).execute();
    }
  }

  private caseRow(run: Run, startedAt: string, c: Case): Row {
    return {
      run_id: run.id,
      ordinal: c.ordinal,
      case_key: caseKey(run.kind, c),
      run_started_at: startedAt,
      suite_path: this.json(c.suitePath),
      name: c.name,
      file: c.file,
      line: c.line,
      col: c.column,
      project: c.project,
      status: c.status,
      duration_ms: c.durationMs,
      attempt_count: c.attempts.length,
      attempts: this.json(c.attempts),
      error_message: c.errorMessage,
      error_stack: c.errorStack,
      artifacts: this.json(c.artifacts),
      tags: this.json(c.tags),
      properties: this.json(c.properties),
      stdout: c.stdout,
      stderr: c.stderr,
      kind: run.kind,
      commit_sha: run.ci?.commitSha ?? null,
    };
  }

  async saveRun(given: Run, streamedCases?: () => AsyncIterable<Case>): Promise<void> {
    await this.ensureMigrated();
    // NUL and lone surrogates: PostgreSQL refuses them; both stores must accept the same runs.
    const { run, replaced } = normalizeRunText(given);
    const startedAt = iso(run.startedAt);
    const metadata = replaced
      ? { ...run.metadata, [REPLACED_CHARACTERS_KEY]: String(Number(run.metadata[REPLACED_CHARACTERS_KEY] ?? 0) + replaced) }
      : run.metadata;
    // Every row is built before the write transaction starts, so the write lock is held only for the inserts.
    const runRow = {
      id: run.id,
      kind: run.kind,
      name: run.name,
      status: run.status,
      environment: run.environment,
      trigger: run.trigger,
      executed_by: run.executedBy,
      started_at: startedAt,
      completed_at: iso(run.completedAt),
      recorded_at: new Date().toISOString(),
      duration_ms: run.durationMs,
      ci_provider: run.ci?.provider ?? null,
      ci_build_id: run.ci?.buildId ?? null,
      ci_commit_sha: run.ci?.commitSha ?? null,
      ci_branch: run.ci?.branch ?? null,
      ci_job_url: run.ci?.jobUrl ?? null,
      tool_name: run.tool.name,
      tool_version: run.tool.version,
      tool_command_line: run.tool.commandLine,
      total: run.totals.total,
      passed: run.totals.passed,
      failed: run.totals.failed,
      skipped: run.totals.skipped,
      flaky: run.totals.flaky,
      timed_out: run.totals.timedOut,
      interrupted: run.totals.interrupted,
      error_message: run.errorMessage,
      run_group: run.runGroup,
      shard_current: run.shard?.current ?? null,
      shard_total: run.shard?.total ?? null,
      artifacts: this.json(run.artifacts),
      metadata: this.json(metadata),
      details_present: (run[run.kind] ?? null) === null ? 0 : 1,
      parent_run_id: run.parentRunId ?? null,
      content_hash: run.metadata[CONTENT_HASH_METADATA] ?? null,
    };
    const caseRows = run.cases.map((c) => this.caseRow(run, startedAt, c));
    const metricRows = run.metrics.map((m, seq) => ({
      run_id: run.id,
      seq,
      name: m.name,
      time: iso(m.time),
      value: m.value,
      tags: this.json(m.tags),
    }));
    await this.writeTransaction(async (trx) => {
      await trx.insertInto('runs').values(runRow).execute();
      if (streamedCases) await this.insertStreamedCases(trx, run, startedAt, metadata, streamedCases);
      else await this.insertMany(trx, 'cases', caseRows);
      await this.insertMany(trx, 'metric_samples', metricRows);
      await this.saveDetails(trx, run);
      // The run is stored: it is no longer live.
      await trx.deleteFrom('live_runs').where('id', '=', run.id).execute();
    });
  }

  async beginLiveRun(start: LiveRunStart): Promise<void> {
    await this.ensureMigrated();
    const { run } = normalizeRunText(start);
    const row = {
      id: run.id,
      kind: run.kind,
      name: run.name.slice(0, 255),
      environment: run.environment,
      executed_by: run.executedBy.slice(0, 100),
      started_at: iso(run.startedAt),
      heartbeat_at: new Date().toISOString(),
      host: run.host.slice(0, 255),
      pid: run.pid,
      command_line: run.commandLine === null ? null : redactText(run.commandLine),
    };
    await this.writeTransaction(async (trx) => {
      await trx.insertInto('live_runs').values(row).execute();
    });
  }

  async heartbeatLiveRun(id: string, at: string = new Date().toISOString()): Promise<void> {
    await this.ensureMigrated();
    await this.writeTransaction(async (trx) => {
      await trx.updateTable('live_runs').set({ heartbeat_at: iso(at) }).where('id', '=', id).execute();
    });
  }

  async endLiveRun(id: string): Promise<void> {
    await this.ensureMigrated();
    await this.writeTransaction(async (trx) => {
      await trx.deleteFrom('live_runs').where('id', '=', id).execute();
    });
  }

  async listLiveRuns(options: { staleAfterMs?: number; now?: string } = {}): Promise<readonly LiveRun[]> {
    // A read for `db status`: never migrates; a store without the table has no live runs.
    if (!this.migrated && ![...(await this.executedMigrations()).keys()].some((name) => name.endsWith('_live_runs'))) return [];
    const now = Date.parse(options.now ?? new Date().toISOString());
    const stale = options.staleAfterMs ?? LIVE_RUN_STALE_MS;
    const rows = await this.db.selectFrom('live_runs').selectAll().orderBy('started_at', 'desc').orderBy('id').execute();
    return rows.map((r: Row) => {
      const heartbeatAt = iso(r.heartbeat_at);
      return {
        id: String(r.id),
        kind: r.kind as any,
        name: String(r.name),
        environment: r.environment as any,
        executedBy: String(r.executed_by),
        startedAt: iso(r.started_at),
        host: String(r.host),
        pid: num(r.pid),
        commandLine: strOrNull(r.command_line),
        heartbeatAt,
        state: now - Date.parse(heartbeatAt) > stale ? 'abandoned' : 'running',
      };
    });
  }

  /**
   * Runs `body` in one write transaction. On SQLite the write lock is taken up front (BEGIN
   * IMMEDIATE) and a "database is locked" failure, after the busy wait, is retried with growing,
   * jittered pauses until {@link KyselyRunStore.writeRetryMs} has passed: parallel CI jobs writing
   * one file wait for each other instead of failing.
   */
  private async writeTransaction(body: (trx: Db) => Promise<void>): Promise<void> {
    if (this.caps.migrationLock !== 'write-transaction') {
      await this.db.transaction().execute(body);
      return;
    }
    const deadline = Date.now() + this.writeRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.connection().execute(async (conn) => {
          await sql`begin immediate`.execute(conn);
          try {
            await body(conn);
          } catch (error) {
            await sql`rollback`.execute(conn).catch(() => {});
            throw error;
          }
          await sql`commit`.execute(conn);
        });
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        const pause = Math.min(2000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random());
        await new Promise((done) => setTimeout(done, pause));
      }
    }
  }

  /** How long a save keeps retrying a locked SQLite database (default 10 minutes). */
  writeRetryMs = Number(process.env.SHOPFDS_WRITE_RETRY_MS ?? 10 * 60_000);

  private async saveDetails(trx: Db, run: Run): Promise<void> {
    if (run.e2e) {
      const now = new Date().toISOString();
      const scenarioIds = new Map<string, string>();
      const snapshots: Row[] = [];
      for (const [ordinal, s] of run.e2e.scenarios.entries()) {
        const values = {
          description: s.description,
          test_type: s.test_type,
          browser: s.browser,
          viewport: this.json(s.viewport),
          steps: this.json(s.steps),
          expected_results: this.json(s.expected_results),
          status: s.status,
          priority: s.priority,
          timeout_ms: s.timeout_ms,
          retry_count: s.retry_count,
          tags: this.json(s.tags),
          created_by: s.created_by,
          updated_at: now,
        };
        await trx
          .insertInto('e2e_test_scenarios')
          .values({ id: randomUUID(), name: s.name, created_at: now, ...values })
          .onConflict((oc) => oc.column('name').doUpdateSet(values))
          .execute();
        const row = await trx.selectFrom('e2e_test_scenarios').select('id').where('name', '=', s.name).executeTakeFirstOrThrow();
        scenarioIds.set(s.name, String(row.id));
        snapshots.push({ shopfds_run_id: run.id, ordinal, scenario_id: String(row.id), definition: this.json(s) });
      }
      await this.insertMany(trx, 'e2e_run_scenarios', snapshots);
      const testRuns: Row[] = [];
      const steps: Row[] = [];
      for (const [ordinal, r] of run.e2e.test_runs.entries()) {
        const id = randomUUID();
        testRuns.push({
          id,
          ordinal,
          shopfds_run_id: run.id,
          case_ordinal: r.case_ordinal,
          scenario_id: r.scenario_name ? (scenarioIds.get(r.scenario_name) ?? null) : null,
          scenario_name: r.scenario_name,
          run_id: r.run_id,
          status: r.status,
          started_at: iso(r.started_at),
          completed_at: isoOrNull(r.completed_at),
          duration_ms: r.duration_ms,
          browser: r.browser,
          viewport: this.json(r.viewport),
          screenshots: this.json(r.screenshots),
          video_url: r.video_url,
          error_logs: r.error_logs,
          ci_build_id: r.ci_build_id,
          ci_commit_sha: r.ci_commit_sha,
          environment: r.environment,
          executed_by: r.executed_by,
        });
        for (const s of r.steps) steps.push({ id: randomUUID(), test_run_id: id, ...s });
      }
      await this.insertMany(trx, 'e2e_test_runs', testRuns);
      await this.insertMany(trx, 'e2e_test_step_results', steps);
    }
    if (run.api) {
      const results: Row[] = [];
      for (const [ordinal, s] of run.api.suites.entries()) {
        const id = randomUUID();
        const { results: suiteResults, ...fields } = s;
        await trx
          .insertInto('api_test_suites')
          .values({
            id,
            shopfds_run_id: run.id,
            ordinal,
            ...fields,
            started_at: isoOrNull(s.started_at),
            completed_at: isoOrNull(s.completed_at),
          })
          .execute();
        suiteResults.forEach((r, i) =>
          results.push({
            id: randomUUID(),
            api_test_suite_id: id,
            ordinal: i,
            ...r,
            request_body: this.json(r.request_body),
            response_body: this.json(r.response_body),
          }),
        );
      }
      await this.insertMany(trx, 'api_test_results', results);
    }
    if (run.perf) {
      const id = randomUUID();
      const { metrics, ...fields } = run.perf.test;
      await trx
        .insertInto('performance_tests')
        .values({
          id,
          shopfds_run_id: run.id,
          ...fields,
          started_at: isoOrNull(fields.started_at),
          completed_at: isoOrNull(fields.completed_at),
        })
        .execute();
      await this.insertMany(
        trx,
        'performance_metrics',
        metrics.map((m, seq) => ({ id: randomUUID(), performance_test_id: id, seq, ...m, measured_at: iso(m.measured_at) })),
      );
    }
    if (run.chaos) {
      const id = randomUUID();
      const { observations, audit, ...fields } = run.chaos.experiment;
      await trx
        .insertInto('chaos_experiments')
        .values({
          id,
          shopfds_run_id: run.id,
          ...fields,
          approval_required: this.caps.nativeBoolean ? fields.approval_required : fields.approval_required ? 1 : 0,
          steady_state_hypothesis: this.json(fields.steady_state_hypothesis),
          method: this.json(fields.method),
          started_at: isoOrNull(fields.started_at),
          completed_at: isoOrNull(fields.completed_at),
        })
        .execute();
      await this.insertMany(
        trx,
        'chaos_observations',
        observations.map((o, seq) => ({ id: randomUUID(), chaos_experiment_id: id, seq, ...o, observed_at: iso(o.observed_at) })),
      );
      await this.insertMany(
        trx,
        'chaos_audit_log',
        audit.map((a, seq) => ({ id: randomUUID(), chaos_experiment_id: id, seq, ...a, at: iso(a.at) })),
      );
    }
    if (run.plan) {
      await trx
        .insertInto('plan_runs')
        .values({ shopfds_run_id: run.id, plan_name: run.plan.plan_name, plan_file: run.plan.file, details: this.json(run.plan) })
        .execute();
    }
    if (run.canary) {
      const id = randomUUID();
      const { metrics, ...fields } = run.canary.deployment;
      await trx
        .insertInto('canary_deployments')
        .values({
          id,
          shopfds_run_id: run.id,
          ...fields,
          started_at: iso(fields.started_at),
          completed_at: isoOrNull(fields.completed_at),
        })
        .execute();
      await this.insertMany(
        trx,
        'canary_metrics',
        metrics.map((m, seq) => ({ id: randomUUID(), canary_deployment_id: id, seq, ...m, measured_at: iso(m.measured_at) })),
      );
    }
  }

  private async resolveRunId(idOrPrefix: string): Promise<string | null> {
    const exact = await this.db.selectFrom('runs').select('id').where('id', '=', idOrPrefix).executeTakeFirst();
    if (exact) return String(exact.id);
    if (idOrPrefix.length < 4 || !/^[0-9a-f-]+$/i.test(idOrPrefix)) return null;
    const rows = await this.db
      .selectFrom('runs')
      .select('id')
      .where('id', 'like', `${idOrPrefix.toLowerCase()}%`)
      .limit(2)
      .execute();
    if (rows.length > 1) throw new StoreError(`run id prefix "${idOrPrefix}" is ambiguous`, { hint: 'Give more characters of the id.' });
    return rows.length ? String(rows[0]!.id) : null;
  }

  async getRun(idOrPrefix: string): Promise<Run | null> {
    await this.ensureMigrated();
    const id = await this.resolveRunId(idOrPrefix);
    if (!id) return null;
    const r = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const caseRows = await this.db.selectFrom('cases').selectAll().where('run_id', '=', id).orderBy('ordinal').execute();
    const metricRows = await this.db.selectFrom('metric_samples').selectAll().where('run_id', '=', id).orderBy('seq').execute();
    const run: Run = {
      id,
      kind: r.kind,
      name: r.name,
      status: r.status,
      startedAt: iso(r.started_at),
      completedAt: iso(r.completed_at),
      durationMs: num(r.duration_ms),
      environment: r.environment,
      trigger: r.trigger,
      executedBy: r.executed_by,
      ci: r.ci_provider
        ? {
            provider: r.ci_provider,
            buildId: strOrNull(r.ci_build_id),
            commitSha: strOrNull(r.ci_commit_sha),
            branch: strOrNull(r.ci_branch),
            jobUrl: strOrNull(r.ci_job_url),
          }
        : null,
      tool: { name: r.tool_name, version: strOrNull(r.tool_version), commandLine: strOrNull(r.tool_command_line) },
      totals: {
        total: num(r.total),
        passed: num(r.passed),
        failed: num(r.failed),
        skipped: num(r.skipped),
        flaky: num(r.flaky),
        timedOut: num(r.timed_out),
        interrupted: num(r.interrupted),
      },
      errorMessage: strOrNull(r.error_message),
      runGroup: strOrNull(r.run_group),
      shard: r.shard_current === null ? null : { current: num(r.shard_current), total: num(r.shard_total) },
      artifacts: this.parseJson(r.artifacts),
      metadata: this.parseJson(r.metadata),
      cases: caseRows.map((c: Row) => ({
        ordinal: num(c.ordinal),
        suitePath: this.parseJson(c.suite_path),
        name: String(c.name),
        file: strOrNull(c.file),
        line: numOrNull(c.line),
        column: numOrNull(c.col),
        project: strOrNull(c.project),
        status: c.status as Case['status'],
        durationMs: num(c.duration_ms),
        attempts: this.parseJson(c.attempts),
        errorMessage: strOrNull(c.error_message),
        errorStack: strOrNull(c.error_stack),
        artifacts: this.parseJson(c.artifacts),
        tags: this.parseJson(c.tags),
        properties: this.parseJson(c.properties),
        stdout: strOrNull(c.stdout),
        stderr: strOrNull(c.stderr),
      })),
      metrics: metricRows.map((m: Row) => ({
        name: String(m.name),
        time: iso(m.time),
        value: num(m.value),
        tags: this.parseJson(m.tags),
      })),
      e2e: null,
      api: null,
      perf: null,
      chaos: null,
      canary: null,
      // Only plan runs carry `plan`, only step runs `parentRunId`: other runs read back as they were saved.
      ...(r.parent_run_id ? { parentRunId: String(r.parent_run_id) } : {}),
    };
    const present = r.details_present === null || r.details_present === undefined ? null : Boolean(num(r.details_present));
    return { ...run, ...(await this.loadDetails(run, present)) };
  }

  /**
   * The kind-specific records of a run. `present` says whether the run carried them (null for runs
   * saved before that was recorded: then they exist when their rows do).
   */
  private async loadDetails(run: Run, present: boolean | null): Promise<Partial<Run>> {
    if (present === false) return {};
    const db = this.db;
    switch (run.kind) {
      case 'e2e': {
        const testRuns = await db
          .selectFrom('e2e_test_runs')
          .selectAll()
          .where('shopfds_run_id', '=', run.id)
          .orderBy('ordinal')
          .orderBy('case_ordinal')
          .execute();
        const snapshots = await db.selectFrom('e2e_run_scenarios').select('definition').where('shopfds_run_id', '=', run.id).orderBy('ordinal').execute();
        if (!testRuns.length && !snapshots.length && !present) return {};
        // Runs saved before scenario snapshots existed: the catalog's current definitions.
        const names = snapshots.length
          ? []
          : [...new Set(testRuns.map((t: Row) => t.scenario_name).filter((n): n is string => typeof n === 'string'))];
        const scenarios = names.length ? await db.selectFrom('e2e_test_scenarios').selectAll().where('name', 'in', names).orderBy('name').execute() : [];
        // A subquery rather than the ids as parameters: a big run has more test runs than a statement takes parameters.
        const steps = testRuns.length
          ? await db
              .selectFrom('e2e_test_step_results')
              .selectAll()
              .where('test_run_id', 'in', db.selectFrom('e2e_test_runs').select('id').where('shopfds_run_id', '=', run.id))
              .orderBy('step_number')
              .execute()
          : [];
        const stepsByRun = groupBy(steps, 'test_run_id');
        return {
          e2e: {
            scenarios: snapshots.length
              ? snapshots.map((s: Row) => this.parseJson<NonNullable<Run['e2e']>['scenarios'][number]>(s.definition))
              : scenarios.map((s: Row) => ({
              name: String(s.name),
              description: strOrNull(s.description),
              test_type: s.test_type as any,
              browser: s.browser as any,
              viewport: this.parseJson(s.viewport),
              steps: this.parseJson(s.steps),
              expected_results: this.parseJson(s.expected_results),
              status: s.status as any,
              priority: s.priority as any,
              timeout_ms: num(s.timeout_ms),
              retry_count: num(s.retry_count),
              tags: this.parseJson(s.tags) ?? [],
              created_by: String(s.created_by),
            })),
            test_runs: testRuns.map((t: Row) => ({
              case_ordinal: num(t.case_ordinal),
              scenario_name: strOrNull(t.scenario_name),
              run_id: String(t.run_id),
              status: t.status as any,
              started_at: iso(t.started_at),
              completed_at: isoOrNull(t.completed_at),
              duration_ms: numOrNull(t.duration_ms),
              browser: t.browser as any,
              viewport: this.parseJson(t.viewport),
              screenshots: this.parseJson(t.screenshots) ?? [],
              video_url: strOrNull(t.video_url),
              error_logs: strOrNull(t.error_logs),
              ci_build_id: strOrNull(t.ci_build_id),
              ci_commit_sha: strOrNull(t.ci_commit_sha),
              environment: t.environment as any,
              executed_by: String(t.executed_by),
              steps: (stepsByRun.get(String(t.id)) ?? []).map((s: Row) => ({
                  step_number: num(s.step_number),
                  step_name: String(s.step_name),
                  status: s.status as any,
                  duration_ms: num(s.duration_ms),
                  screenshot_url: strOrNull(s.screenshot_url),
                  error_message: strOrNull(s.error_message),
                })),
            })),
          },
        };
      }
      case 'api': {
        const suites = await db.selectFrom('api_test_suites').selectAll().where('shopfds_run_id', '=', run.id).orderBy('ordinal').execute();
        if (!suites.length) return present ? { api: { suites: [] } } : {};
        const results = await db
          .selectFrom('api_test_results')
          .selectAll()
          .where('api_test_suite_id', 'in', db.selectFrom('api_test_suites').select('id').where('shopfds_run_id', '=', run.id))
          .orderBy('ordinal')
          .execute();
        const resultsBySuite = groupBy(results, 'api_test_suite_id');
        return {
          api: {
            suites: suites.map((s: Row) => ({
              name: String(s.name),
              service_name: String(s.service_name),
              postman_collection_id: String(s.postman_collection_id),
              postman_collection_path: String(s.postman_collection_path),
              newman_run_id: strOrNull(s.newman_run_id),
              total_tests: num(s.total_tests),
              passed_tests: num(s.passed_tests),
              failed_tests: num(s.failed_tests),
              skipped_tests: num(s.skipped_tests),
              status: s.status as any,
              started_at: isoOrNull(s.started_at),
              completed_at: isoOrNull(s.completed_at),
              duration_ms: numOrNull(s.duration_ms),
              environment: s.environment as any,
              newman_report_path: strOrNull(s.newman_report_path),
              ci_build_id: strOrNull(s.ci_build_id),
              executed_by: String(s.executed_by),
              results: (resultsBySuite.get(String(s.id)) ?? []).map((r: Row) => ({
                  case_ordinal: numOrNull(r.case_ordinal),
                  endpoint: String(r.endpoint),
                  http_method: String(r.http_method),
                  status_code: numOrNull(r.status_code),
                  test_status: r.test_status as any,
                  response_time_ms: numOrNull(r.response_time_ms),
                  error_message: strOrNull(r.error_message),
                  request_body: this.parseJson(r.request_body),
                  response_body: this.parseJson(r.response_body),
                })),
            })),
          },
        };
      }
      case 'perf': {
        const t = await db.selectFrom('performance_tests').selectAll().where('shopfds_run_id', '=', run.id).executeTakeFirst();
        if (!t) return {};
        const metrics = await db
          .selectFrom('performance_metrics')
          .selectAll()
          .where('performance_test_id', '=', t.id)
          .orderBy('seq')
          .orderBy('measured_at')
          .execute();
        return {
          perf: {
            test: {
              test_type: t.test_type,
              scenario_name: String(t.scenario_name),
              target_tps: num(t.target_tps),
              actual_tps: numOrNull(t.actual_tps),
              p95_response_time: numOrNull(t.p95_response_time),
              p99_response_time: numOrNull(t.p99_response_time),
              avg_response_time: numOrNull(t.avg_response_time),
              max_response_time: numOrNull(t.max_response_time),
              error_rate: numOrNull(t.error_rate),
              total_requests: numOrNull(t.total_requests),
              failed_requests: numOrNull(t.failed_requests),
              duration_sec: num(t.duration_sec),
              virtual_users: num(t.virtual_users),
              status: t.status,
              started_at: isoOrNull(t.started_at),
              completed_at: isoOrNull(t.completed_at),
              k6_script_path: String(t.k6_script_path),
              environment: t.environment,
              ci_build_id: strOrNull(t.ci_build_id),
              executed_by: String(t.executed_by),
              metrics: metrics.map((m: Row) => ({
                measured_at: iso(m.measured_at),
                virtual_users: num(m.virtual_users),
                requests_per_sec: num(m.requests_per_sec),
                response_time_p95: numOrNull(m.response_time_p95),
                error_rate: numOrNull(m.error_rate),
              })),
            },
          },
        };
      }
      case 'chaos': {
        const e = await db.selectFrom('chaos_experiments').selectAll().where('shopfds_run_id', '=', run.id).executeTakeFirst();
        if (!e) return {};
        const observations = await db.selectFrom('chaos_observations').selectAll().where('chaos_experiment_id', '=', e.id).orderBy('seq').execute();
        const audit = await db.selectFrom('chaos_audit_log').selectAll().where('chaos_experiment_id', '=', e.id).orderBy('seq').execute();
        return {
          chaos: {
            experiment: {
              name: String(e.name),
              experiment_type: e.experiment_type,
              target_service: String(e.target_service),
              target_pod: strOrNull(e.target_pod),
              hypothesis: String(e.hypothesis),
              steady_state_hypothesis: this.parseJson(e.steady_state_hypothesis),
              method: this.parseJson(e.method),
              duration_sec: num(e.duration_sec),
              status: e.status,
              started_at: isoOrNull(e.started_at),
              completed_at: isoOrNull(e.completed_at),
              result: e.result ?? null,
              recovery_time_sec: numOrNull(e.recovery_time_sec),
              recovery_target_sec: num(e.recovery_target_sec),
              chaos_engine_name: String(e.chaos_engine_name),
              kubernetes_namespace: String(e.kubernetes_namespace),
              environment: e.environment,
              approval_required: Boolean(e.approval_required),
              approved_by: strOrNull(e.approved_by),
              created_by: String(e.created_by),
              observations: observations.map((o: Row) => ({
                observed_at: iso(o.observed_at),
                metric_name: String(o.metric_name),
                metric_value: String(o.metric_value),
                observation_type: o.observation_type as any,
                notes: strOrNull(o.notes),
              })),
              audit: audit.map((a: Row) => ({
                at: iso(a.at),
                actor: String(a.actor),
                action: a.action as any,
                detail: strOrNull(a.detail),
              })),
            },
          },
        };
      }
      case 'plan': {
        const d = await db.selectFrom('plan_runs').select('details').where('shopfds_run_id', '=', run.id).executeTakeFirst();
        return d ? { plan: this.parseJson(d.details) } : {};
      }
      case 'canary': {
        const d = await db.selectFrom('canary_deployments').selectAll().where('shopfds_run_id', '=', run.id).executeTakeFirst();
        if (!d) return {};
        const metrics = await db.selectFrom('canary_metrics').selectAll().where('canary_deployment_id', '=', d.id).orderBy('seq').execute();
        return {
          canary: {
            deployment: {
              service_name: String(d.service_name),
              old_version: String(d.old_version),
              new_version: String(d.new_version),
              traffic_weight: num(d.traffic_weight),
              error_rate: numOrNull(d.error_rate),
              response_time_p95: numOrNull(d.response_time_p95),
              request_success_rate: numOrNull(d.request_success_rate),
              started_at: iso(d.started_at),
              completed_at: isoOrNull(d.completed_at),
              status: d.status,
              rollback_reason: strOrNull(d.rollback_reason),
              analysis_interval_sec: num(d.analysis_interval_sec),
              threshold_max_error_rate: num(d.threshold_max_error_rate),
              threshold_max_response_time: num(d.threshold_max_response_time),
              flagger_canary_name: String(d.flagger_canary_name),
              kubernetes_namespace: String(d.kubernetes_namespace),
              created_by: String(d.created_by),
              metrics: metrics.map((m: Row) => ({
                measured_at: iso(m.measured_at),
                traffic_weight: num(m.traffic_weight),
                error_rate: numOrNull(m.error_rate),
                response_time_p95: numOrNull(m.response_time_p95),
                request_success_rate: numOrNull(m.request_success_rate),
                total_requests: numOrNull(m.total_requests),
                failed_requests: numOrNull(m.failed_requests),
                phase: strOrNull(m.phase),
                iterations: numOrNull(m.iterations),
                failed_checks: numOrNull(m.failed_checks),
              })),
            },
          },
        };
      }
    }
  }

  async listRuns(filter: RunFilter = {}): Promise<readonly RunSummary[]> {
    await this.ensureMigrated();
    let q = this.db.selectFrom('runs').selectAll();
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.environment) q = q.where('environment', '=', filter.environment);
    if (filter.since) q = q.where('started_at', '>=', iso(filter.since));
    if (filter.runGroup) q = q.where('run_group', '=', filter.runGroup);
    if (filter.name) q = q.where('name', '=', filter.name);
    if (filter.flaky) q = q.where('flaky', '>', 0);
    if (filter.before) q = q.where('started_at', '<', iso(filter.before));
    if (filter.parentRunId) q = q.where('parent_run_id', '=', filter.parentRunId);
    // `recorded`: the run stored last first ("latest"), whenever it started.
    if (filter.order === 'recorded') q = q.orderBy('recorded_at', 'desc');
    const rows = await q.orderBy('started_at', 'desc').orderBy('id').limit(filter.limit ?? 20).execute();
    return rows.map((r: Row) => ({
      id: String(r.id),
      kind: r.kind as any,
      name: String(r.name),
      status: r.status as any,
      environment: r.environment as any,
      startedAt: iso(r.started_at),
      recordedAt: iso(r.recorded_at ?? r.started_at),
      durationMs: num(r.duration_ms),
      totals: {
        total: num(r.total),
        passed: num(r.passed),
        failed: num(r.failed),
        skipped: num(r.skipped),
        flaky: num(r.flaky),
        timedOut: num(r.timed_out),
        interrupted: num(r.interrupted),
      },
      runGroup: strOrNull(r.run_group),
      ciBuildId: strOrNull(r.ci_build_id),
      commitSha: strOrNull(r.ci_commit_sha),
      toolName: String(r.tool_name),
      ...(r.parent_run_id ? { parentRunId: String(r.parent_run_id) } : {}),
    }));
  }

  async failuresSince(since: string, limit = 50): Promise<readonly CaseFailureGroup[]> {
    await this.ensureMigrated();
    // Literal statuses, not parameters: the partial index idx_cases_failures is only usable when the
    // query repeats its predicate exactly (SQLite matches terms, not values).
    const failed = sql.raw<boolean>(`status in (${FAILED_STATUSES.map((s) => `'${s}'`).join(', ')})`);
    // Materialized first: otherwise SQLite, without statistics, walks all of idx_cases_case_key to
    // get the GROUP BY order for free instead of reading the few rows of the partial index.
    const groups = await this.db
      .with(
        (w) => w('recent_failures').materialized(),
        (db) => db.selectFrom('cases').select(['case_key', 'run_started_at']).where(failed).where('run_started_at', '>=', iso(since)),
      )
      .selectFrom('recent_failures')
      .select(['case_key', sql<unknown>`max(run_started_at)`.as('last_failed_at'), sql<number>`count(*)`.as('failures')])
      .groupBy('case_key')
      .orderBy('failures', 'desc')
      .orderBy('case_key')
      .limit(limit)
      .execute();
    if (!groups.length) return [];
    // Name, project and suite path are the same in every row of a key (they make the key): read them
    // from each group's latest failure, one index seek per key.
    const samples = await this.db
      .selectFrom('cases')
      .select(['case_key', 'name', 'project', 'suite_path'])
      .where((eb) => eb.or(groups.map((g: Row) => eb.and([eb('case_key', '=', g.case_key), eb('run_started_at', '=', g.last_failed_at)]))))
      .execute();
    const byKey = new Map(samples.map((s: Row) => [String(s.case_key), s]));
    return groups.map((g: Row) => {
      const sample = byKey.get(String(g.case_key));
      return {
        caseKey: String(g.case_key),
        name: String(sample?.name ?? ''),
        suitePath: sample ? this.parseJson<string[]>(sample.suite_path) : [],
        project: strOrNull(sample?.project),
        failures: num(g.failures),
        lastFailedAt: iso(g.last_failed_at),
      };
    });
  }

  async caseHistory(key: string, limit = 50): Promise<readonly CaseHistoryEntry[]> {
    await this.ensureMigrated();
    const rows = await this.db
      .selectFrom('cases')
      .select(['run_id', 'run_started_at', 'status', 'duration_ms', 'attempt_count', 'error_message'])
      .where('case_key', '=', key)
      .orderBy('run_started_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r: Row) => ({
      runId: String(r.run_id),
      startedAt: iso(r.run_started_at),
      status: r.status as any,
      durationMs: num(r.duration_ms),
      attempts: num(r.attempt_count),
      errorMessage: strOrNull(r.error_message),
    }));
  }

  // -------------------------------------------------------------------------------------------
  // History questions (flaky, quarantine, compare, trends, retention): see history-queries.ts.

  private historyQueries?: HistoryQueries;
  private async history(): Promise<HistoryQueries> {
    await this.ensureMigrated();
    return (this.historyQueries ??= new HistoryQueries(this.db, this.caps, (v) => this.parseJson(v)));
  }
  async caseWindowStats(since: string, kind?: RunKind, rule: FlakyRule = DEFAULT_FLAKY_RULE): Promise<readonly CaseWindowStats[]> {
    return (await this.history()).caseWindowStats(since, kind, rule);
  }
  async describeCases(keys: readonly { caseKey: string; lastSeen: string }[]): Promise<readonly CaseIdentity[]> {
    return (await this.history()).describeCases(keys);
  }
  async findCases(target: string, limit?: number): Promise<readonly CaseIdentity[]> {
    return (await this.history()).findCases(target, limit);
  }
  async caseOutcomes(runId: string): Promise<readonly CaseOutcome[]> {
    return (await this.history()).caseOutcomes(runId);
  }
  async perfFigures(runId: string): Promise<PerfFigures | null> {
    return (await this.history()).perfFigures(runId);
  }
  async findRunByContentHash(hash: string): Promise<string | null> {
    return (await this.history()).findRunIdByContentHash(hash);
  }
  async addQuarantine(entry: QuarantineEntry): Promise<void> {
    return (await this.history()).addQuarantine(entry);
  }
  async removeQuarantine(targetOrId: string): Promise<number> {
    return (await this.history()).removeQuarantine(targetOrId);
  }
  async listQuarantine(): Promise<readonly QuarantineEntry[]> {
    return (await this.history()).listQuarantine();
  }
  async trends(options: TrendOptions): Promise<Trends> {
    return (await this.history()).trends(options);
  }
  async prune(options: PruneOptions): Promise<PruneResult> {
    return (await this.history()).prune(options);
  }
  async stats(): Promise<StoreStats> {
    return (await this.history()).stats();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
