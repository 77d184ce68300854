import { sql, type Kysely } from 'kysely';
import type { CaseOutcome, CaseWindowStats, FlakyRule, PerfFigures, QuarantineEntry, RunKind } from '../model/index.js';
import type { StoreCapabilities } from './migrations.js';
import type {
  ApiServiceRow,
  CanaryTrendRow,
  CaseIdentity,
  ChaosRecoveryRow,
  PerfTrendRow,
  PruneOptions,
  PruneResult,
  RunTrendRow,
  StoreStats,
  TrendOptions,
  Trends,
} from './types.js';

type Db = Kysely<any>;
type Row = Record<string, unknown>;

function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
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

const FAILED = `status in ('failed', 'timed_out', 'interrupted')`;

/** Tables a run's records live in, for `db stats`. */
const STAT_TABLES = [
  'runs',
  'cases',
  'metric_samples',
  'e2e_test_runs',
  'e2e_test_step_results',
  'e2e_run_scenarios',
  'api_test_suites',
  'api_test_results',
  'performance_tests',
  'performance_metrics',
  'chaos_experiments',
  'chaos_observations',
  'chaos_audit_log',
  'canary_deployments',
  'canary_metrics',
  'quarantine',
];

/**
 * The history queries, shared by both backends like the rest of the store. Instants are text on
 * SQLite (UTC ISO-8601, so they sort and slice as text) and timestamptz on PostgreSQL; the few
 * expressions that differ branch on that capability.
 */
export class HistoryQueries {
  constructor(
    private readonly db: Db,
    private readonly caps: StoreCapabilities,
    private readonly parseJson: <T>(value: unknown) => T,
  ) {}

  private get textTime(): boolean {
    return this.caps.timestampType === 'text';
  }

  /** A time parameter typed for the column. */
  private t(value: string) {
    return this.textTime ? sql`${iso(value)}` : sql`${iso(value)}::timestamptz`;
  }

  /** `YYYY-MM-DD` of the day or of the Monday of the week an instant falls in (UTC). */
  private bucket(column: string, bucket: 'day' | 'week') {
    const col = sql.ref(column);
    if (this.textTime) return bucket === 'day' ? sql<string>`substr(${col}, 1, 10)` : sql<string>`date(${col}, '-6 days', 'weekday 1')`;
    return sql<string>`to_char(date_trunc(${bucket}, ${col} at time zone 'UTC'), 'YYYY-MM-DD')`;
  }

  /**
   * Per-case outcomes in a window, for cases that failed or were retried at least once.
   *
   * Those cases are found first through the partial indexes of failed and retried rows (a few
   * percent of all rows); only their rows in the window are then read, in key order, from the
   * covering index idx_cases_key_window. Flips need each case's outcomes in time order, so they are
   * counted only where they can matter: flips <= 2 x failures, so a case with 2 x failures below
   * `minFlips` or below `minFlipRate` x (runs - 1) cannot reach the rule and gets `flips: null`
   * (retried cases and cases with a conflicting commit always get their flips). Same-commit
   * conflicts are looked for only on commits that ran more than once in the window.
   */
  async caseWindowStats(since: string, kind: RunKind | undefined, rule: FlakyRule): Promise<CaseWindowStats[]> {
    const s = this.t(since);
    const kindOf = (alias: string) => (kind ? sql`and ${sql.ref(`${alias}.kind`)} = ${kind}` : sql``);
    const f = sql.raw(`case when c.${FAILED} then 1 else 0 end`);
    const result = await sql<Row>`
      with failing as materialized (
        select c.case_key from cases c where c.run_started_at >= ${s} and c.${sql.raw(FAILED)} ${kindOf('c')}
      ),
      retried as materialized (
        select c.case_key from cases c where c.run_started_at >= ${s} and c.status = 'flaky' ${kindOf('c')}
      ),
      unstable as materialized (
        -- Each branch materialized on its own: as one UNION, SQLite prefers walking a key-ordered
        -- index over all rows to the partial indexes of the few failed and retried ones.
        select distinct case_key from (select case_key from failing union all select case_key from retried) x
      ),
      w as materialized (
        select c.case_key, c.run_started_at, c.run_id, c.commit_sha, ${f} as f, case when c.status = 'flaky' then 1 else 0 end as r
        from unstable u join cases c on c.case_key = u.case_key
        where c.run_started_at >= ${s} and c.status <> 'skipped' ${kindOf('c')}
      ),
      agg as materialized (
        select case_key, count(*) as runs, sum(f) as failures, sum(r) as retried, max(run_started_at) as last_seen
        from w group by case_key
      ),
      multi as (
        select ci_commit_sha from runs
        where started_at >= ${s} and ci_commit_sha is not null
        group by ci_commit_sha having count(*) > 1
      ),
      commits as materialized (
        select case_key, count(*) as n from (
          select case_key from w where commit_sha in (select ci_commit_sha from multi)
          group by case_key, commit_sha having min(f) = 0 and max(f) = 1
        ) x group by case_key
      ),
      cand as materialized (
        select a.case_key from agg a left join commits k on k.case_key = a.case_key
        where a.retried > 0 or k.n > 0
          or (a.failures < a.runs and 2 * a.failures >= ${sql.lit(Number(rule.minFlips))} and 2 * a.failures >= ${sql.lit(Number(rule.minFlipRate))} * (a.runs - 1))
      ),
      seq as (
        select w.case_key,
          case when lag(w.f) over (partition by w.case_key order by w.run_started_at, w.run_id) <> w.f then 1 else 0 end as flip
        from w where w.case_key in (select case_key from cand)
      ),
      flips as (select case_key, sum(flip) as flips from seq group by case_key)
      select a.case_key, a.runs, a.failures, a.retried, a.last_seen, fl.flips, coalesce(k.n, 0) as conflicts
      from agg a left join flips fl on fl.case_key = a.case_key left join commits k on k.case_key = a.case_key`.execute(this.db);
    return result.rows.map((r) => ({
      caseKey: String(r.case_key),
      runs: num(r.runs),
      failures: num(r.failures),
      retriedPasses: num(r.retried),
      flips: numOrNull(r.flips),
      conflictingCommits: num(r.conflicts),
      lastSeen: iso(r.last_seen),
    }));
  }

  private identity(r: Row): CaseIdentity {
    return {
      caseKey: String(r.case_key),
      kind: (strOrNull(r.kind) as RunKind | null) ?? null,
      name: String(r.name),
      suitePath: this.parseJson<string[]>(r.suite_path) ?? [],
      project: strOrNull(r.project),
      lastSeen: iso(r.run_started_at),
    };
  }

  /** Who each key is, read from its row at `lastSeen` (one index seek per key). */
  async describeCases(keys: readonly { caseKey: string; lastSeen: string }[]): Promise<CaseIdentity[]> {
    const byKey = new Map<string, CaseIdentity>();
    for (let i = 0; i < keys.length; i += 200) {
      const chunk = keys.slice(i, i + 200);
      const rows = await this.db
        .selectFrom('cases')
        .select(['case_key', 'kind', 'name', 'suite_path', 'project', 'run_started_at'])
        .where((eb) => eb.or(chunk.map((k) => eb.and([eb('case_key', '=', k.caseKey), eb('run_started_at', '=', this.textTime ? iso(k.lastSeen) : new Date(k.lastSeen))]))))
        .execute();
      for (const r of rows) if (!byKey.has(String(r.case_key))) byKey.set(String(r.case_key), this.identity(r));
    }
    return keys.map((k) => byKey.get(k.caseKey)).filter((x): x is CaseIdentity => x !== undefined);
  }

  async findCases(target: string, limit = 50): Promise<CaseIdentity[]> {
    if (/^[0-9a-f]{6,40}$/i.test(target)) {
      const prefix = target.toLowerCase();
      const keys = await this.db
        .selectFrom('cases')
        .select(['case_key', sql`max(run_started_at)`.as('last_seen')])
        .where('case_key', '>=', prefix)
        .where('case_key', '<', prefix + 'g')
        .groupBy('case_key')
        .limit(limit)
        .execute();
      if (keys.length) return this.describeCases(keys.map((k: Row) => ({ caseKey: String(k.case_key), lastSeen: iso(k.last_seen) })));
    }
    // A name pattern: narrow by the last path segment in SQL, then match the whole path exactly.
    const { patternMatchesCase } = await import('../model/index.js');
    const last = target.split(' › ').at(-1)!;
    const like = last.includes('*') ? last.replaceAll('%', '\\%').replaceAll('_', '\\_').replaceAll('*', '%') : `%${last.replaceAll('%', '\\%').replaceAll('_', '\\_')}%`;
    const rows = await sql<Row>`
      select case_key, max(run_started_at) as run_started_at from cases
      where name like ${like} escape '\\'
      group by case_key order by max(run_started_at) desc limit ${limit * 20}`.execute(this.db);
    if (!rows.rows.length) return [];
    const found = await this.describeCases(rows.rows.map((r) => ({ caseKey: String(r.case_key), lastSeen: iso(r.run_started_at) })));
    return found
      .filter((c) => patternMatchesCase(target, c))
      .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen))
      .slice(0, limit);
  }

  async caseOutcomes(runId: string): Promise<CaseOutcome[]> {
    const rows = await this.db
      .selectFrom('cases')
      .select(['case_key', 'name', 'suite_path', 'project', 'status', 'duration_ms'])
      .where('run_id', '=', runId)
      .orderBy('ordinal')
      .execute();
    return rows.map((r: Row) => ({
      caseKey: String(r.case_key),
      name: String(r.name),
      suitePath: this.parseJson<string[]>(r.suite_path) ?? [],
      project: strOrNull(r.project),
      status: r.status as CaseOutcome['status'],
      durationMs: num(r.duration_ms),
    }));
  }

  async perfFigures(runId: string): Promise<PerfFigures | null> {
    const t = await this.db
      .selectFrom('performance_tests')
      .select(['p95_response_time', 'p99_response_time', 'actual_tps', 'error_rate'])
      .where('shopfds_run_id', '=', runId)
      .executeTakeFirst();
    if (!t) return null;
    return { p95: numOrNull(t.p95_response_time), p99: numOrNull(t.p99_response_time), tps: numOrNull(t.actual_tps), errorRate: numOrNull(t.error_rate) };
  }

  async findRunIdByContentHash(hash: string): Promise<string | null> {
    const row = await this.db.selectFrom('runs').select('id').where('content_hash', '=', hash).orderBy('started_at').executeTakeFirst();
    return row ? String(row.id) : null;
  }

  async addQuarantine(e: QuarantineEntry): Promise<void> {
    const values = {
      kind: e.kind,
      reason: e.reason,
      until: e.until ? iso(e.until) : null,
      created_by: e.createdBy,
      created_at: iso(e.createdAt),
    };
    await this.db
      .insertInto('quarantine')
      .values({ id: e.id, target: e.target, ...values })
      .onConflict((oc) => oc.column('target').doUpdateSet(values))
      .execute();
  }

  async removeQuarantine(targetOrId: string): Promise<number> {
    const result = await this.db
      .deleteFrom('quarantine')
      .where((eb) => eb.or([eb('target', '=', targetOrId), eb('id', '=', targetOrId)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async listQuarantine(): Promise<QuarantineEntry[]> {
    const rows = await this.db.selectFrom('quarantine').selectAll().orderBy('created_at').orderBy('target').execute();
    return rows.map((r: Row) => ({
      id: String(r.id),
      target: String(r.target),
      kind: (strOrNull(r.kind) as RunKind | null) ?? null,
      reason: String(r.reason),
      until: r.until === null || r.until === undefined ? null : iso(r.until),
      createdBy: String(r.created_by),
      createdAt: iso(r.created_at),
    }));
  }

  async trends(o: TrendOptions): Promise<Trends> {
    const since = this.t(o.since);
    const kindFilter = o.kind ? sql`and kind = ${o.kind}` : sql``;
    const b = this.bucket('started_at', o.bucket);
    const runs = await sql<Row>`
      select ${b} as bucket, kind, count(*) as runs, sum(case when status = 'passed' then 1 else 0 end) as passed_runs,
        sum(total) as cases, sum(passed) as cases_passed, avg(duration_ms) as avg_ms, max(duration_ms) as max_ms
      from runs where started_at >= ${since} ${kindFilter}
      group by 1, kind order by 1, kind`.execute(this.db);
    const want = (k: RunKind) => !o.kind || o.kind === k;
    const perf = want('perf')
      ? await sql<Row>`
      select ${this.bucket('started_at', o.bucket)} as bucket, scenario_name, test_type, count(*) as runs,
        avg(p95_response_time) as avg_p95, max(p95_response_time) as max_p95, avg(p99_response_time) as avg_p99,
        avg(actual_tps) as avg_tps, avg(error_rate) as avg_error_rate
      from performance_tests where started_at >= ${since}
      group by 1, scenario_name, test_type order by 1, scenario_name, test_type`.execute(this.db)
      : { rows: [] };
    // The seed's query counts passed experiments; recovery is only measured when the system recovered.
    const chaos = want('chaos')
      ? await sql<Row>`
      select experiment_type, count(*) as n, avg(recovery_time_sec) as avg_rec, max(recovery_time_sec) as max_rec
      from chaos_experiments where result = 'passed' and started_at >= ${since}
      group by experiment_type order by experiment_type`.execute(this.db)
      : { rows: [] };
    const canary = want('canary')
      ? await sql<Row>`
      select d.shopfds_run_id, d.service_name, d.old_version, d.new_version, d.status, d.started_at,
        count(m.id) as samples, avg(m.error_rate) as avg_err, max(m.error_rate) as max_err,
        avg(m.response_time_p95) as avg_p95, max(m.response_time_p95) as max_p95
      from canary_deployments d left join canary_metrics m on m.canary_deployment_id = d.id
      where d.started_at >= ${since}
      group by d.id, d.shopfds_run_id, d.service_name, d.old_version, d.new_version, d.status, d.started_at
      order by d.started_at desc limit 50`.execute(this.db)
      : { rows: [] };
    const api = want('api')
      ? await sql<Row>`
      select service_name, count(*) as suites, sum(total_tests) as tests, sum(passed_tests) as passed, sum(skipped_tests) as skipped
      from api_test_suites where started_at >= ${since}
      group by service_name order by service_name`.execute(this.db)
      : { rows: [] };
    return {
      runs: runs.rows.map(
        (r): RunTrendRow => ({
          bucket: String(r.bucket),
          kind: r.kind as RunKind,
          runs: num(r.runs),
          passedRuns: num(r.passed_runs),
          passRate: num(r.runs) ? num(r.passed_runs) / num(r.runs) : 0,
          cases: num(r.cases),
          casesPassed: num(r.cases_passed),
          avgDurationMs: num(r.avg_ms),
          maxDurationMs: num(r.max_ms),
        }),
      ),
      perf: perf.rows.map(
        (r): PerfTrendRow => ({
          bucket: String(r.bucket),
          scenario: String(r.scenario_name),
          testType: String(r.test_type),
          runs: num(r.runs),
          avgP95: numOrNull(r.avg_p95),
          maxP95: numOrNull(r.max_p95),
          avgP99: numOrNull(r.avg_p99),
          avgTps: numOrNull(r.avg_tps),
          avgErrorRate: numOrNull(r.avg_error_rate),
        }),
      ),
      chaos: chaos.rows.map(
        (r): ChaosRecoveryRow => ({
          experimentType: String(r.experiment_type),
          experiments: num(r.n),
          avgRecoverySec: numOrNull(r.avg_rec),
          maxRecoverySec: numOrNull(r.max_rec),
        }),
      ),
      canary: canary.rows.map(
        (r): CanaryTrendRow => ({
          runId: String(r.shopfds_run_id),
          service: String(r.service_name),
          oldVersion: String(r.old_version),
          newVersion: String(r.new_version),
          status: String(r.status),
          startedAt: iso(r.started_at),
          samples: num(r.samples),
          avgErrorRate: numOrNull(r.avg_err),
          maxErrorRate: numOrNull(r.max_err),
          avgP95: numOrNull(r.avg_p95),
          maxP95: numOrNull(r.max_p95),
        }),
      ),
      api: api.rows.map((r): ApiServiceRow => {
        const ran = num(r.tests) - num(r.skipped);
        return { service: String(r.service_name), suites: num(r.suites), tests: num(r.tests), passed: num(r.passed), successRate: ran > 0 ? num(r.passed) / ran : null };
      }),
    };
  }

  /**
   * Deletes old runs in small transactions, oldest first, so a concurrent writer waits for one
   * batch at most. Cases and kind records go with their run (ON DELETE CASCADE). Chaos runs with
   * an audit trail are kept: the audit log is append-only.
   */
  async prune(o: PruneOptions): Promise<PruneResult> {
    // Without a fixed size, each batch is sized so its transaction takes about 50 ms: the longest a
    // concurrent writer waits, whatever the machine's speed.
    const fixed = o.batchSize !== undefined;
    let batchSize = o.batchSize ?? 20;
    const keep = new Set<string>();
    if (o.keepLast && o.keepLast > 0) {
      const kept = await sql<Row>`
        select id from (
          select id, row_number() over (partition by kind, name order by started_at desc, id desc) as rn from runs
        ) ranked where rn <= ${o.keepLast}`.execute(this.db);
      for (const r of kept.rows) keep.add(String(r.id));
    }
    const audited = new Set(
      (
        await this.db
          .selectFrom('chaos_experiments as e')
          .select('e.shopfds_run_id')
          .where((eb) => eb.exists(eb.selectFrom('chaos_audit_log as a').select('a.id').whereRef('a.chaos_experiment_id', '=', 'e.id')))
          .execute()
      ).map((r: Row) => String(r.shopfds_run_id)),
    );
    let runs = 0;
    let cases = 0;
    let batches = 0;
    let keptForAudit = 0;
    const runIds: string[] = [];
    let after: { startedAt: unknown; id: string } | null = null;
    for (;;) {
      let q = this.db
        .selectFrom('runs')
        .select(['id', 'started_at', 'total'])
        .where('started_at', '<', iso(o.before))
        .orderBy('started_at')
        .orderBy('id')
        .limit(batchSize);
      if (after) {
        const a: { startedAt: unknown; id: string } = after;
        q = q.where((eb) => eb.or([eb('started_at', '>', a.startedAt), eb.and([eb('started_at', '=', a.startedAt), eb('id', '>', a.id)])]));
      }
      const page = await q.execute();
      if (!page.length) break;
      const last = page[page.length - 1]!;
      after = { startedAt: last.started_at, id: String(last.id) };
      const doomed = page.filter((r: Row) => {
        const id = String(r.id);
        if (keep.has(id)) return false;
        if (audited.has(id)) return (keptForAudit++, false);
        return true;
      });
      if (!doomed.length) continue;
      const ids = doomed.map((r: Row) => String(r.id));
      if (!o.dryRun) {
        const started = performance.now();
        await this.db.transaction().execute(async (trx) => {
          await trx.deleteFrom('runs').where('id', 'in', ids).execute();
        });
        const elapsed = performance.now() - started;
        if (!fixed) batchSize = Math.max(5, Math.min(1000, Math.round((batchSize * 50) / Math.max(elapsed, 1))));
        batches++;
        await o.onBatch?.(ids);
        // Let a waiting writer in between two batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      runs += ids.length;
      cases += doomed.reduce((s: number, r: Row) => s + num(r.total), 0);
      runIds.push(...ids);
    }
    return { runs, cases, batches, keptForAudit, runIds };
  }

  async stats(): Promise<StoreStats> {
    const kinds = await this.db
      .selectFrom('runs')
      .select(['kind', sql<number>`count(*)`.as('n'), sql`min(started_at)`.as('oldest'), sql`max(started_at)`.as('newest')])
      .groupBy('kind')
      .orderBy('kind')
      .execute();
    const tables: { table: string; rows: number; bytes: number | null }[] = [];
    let sizes = new Map<string, number>();
    let databaseBytes: number | null = null;
    if (this.textTime) {
      const page = await sql<Row>`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(this.db);
      databaseBytes = num(page.rows[0]?.bytes ?? 0);
      try {
        const per = await sql<Row>`select name, sum(pgsize) as bytes from dbstat group by name`.execute(this.db);
        sizes = new Map(per.rows.map((r) => [String(r.name), num(r.bytes)]));
      } catch {
        // SQLite built without the dbstat table: per-table sizes are unknown.
      }
    } else {
      const total = await sql<Row>`select pg_database_size(current_database()) as bytes`.execute(this.db);
      databaseBytes = num(total.rows[0]?.bytes ?? 0);
      const per = await sql<Row>`
        select c.relname as name, pg_total_relation_size(c.oid) as bytes from pg_class c
        join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relkind = 'r'`.execute(this.db);
      sizes = new Map(per.rows.map((r) => [String(r.name), num(r.bytes)]));
    }
    for (const table of STAT_TABLES) {
      const row = await this.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirst();
      tables.push({ table, rows: num(row?.n ?? 0), bytes: sizes.get(table) ?? null });
    }
    return {
      runs: tables[0]!.rows,
      cases: tables[1]!.rows,
      byKind: kinds.map((k: Row) => ({ kind: k.kind as RunKind, runs: num(k.n), oldest: iso(k.oldest), newest: iso(k.newest) })),
      databaseBytes,
      tables,
    };
  }
}
