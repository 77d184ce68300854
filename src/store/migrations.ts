import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What differs between the two backends. Shared code branches on these capabilities, never on the
 * dialect's name.
 */
export interface StoreCapabilities {
  /** Column type for instants: `timestamptz` stores them natively; `text` holds UTC ISO-8601 strings. */
  readonly timestampType: 'timestamptz' | 'text';
  /** Column type for JSON documents. */
  readonly jsonType: 'jsonb' | 'text';
  /** Whether the driver hands JSON columns back already parsed. */
  readonly jsonParsedOnRead: boolean;
  /** Whether tag arrays get a GIN index (the seed's `idx_e2e_scenario_tags`). */
  readonly ginIndexes: boolean;
  /** Largest number of bound parameters in one statement. */
  readonly maxParameters: number;
  /** Column type for 8-byte floats. */
  readonly doubleType: 'double precision' | 'real';
  /** Whether the driver binds booleans; otherwise they are stored as 0/1. */
  readonly nativeBoolean: boolean;
  /** How row triggers are written: a PL/pgSQL function, or an inline trigger body. */
  readonly triggerStyle: 'function' | 'inline';
  /**
   * How concurrent migrators are kept apart. `driver`: Kysely's own lock (an advisory lock inside a
   * transaction on PostgreSQL). `write-transaction`: Kysely 0.28's SQLite lock only guards one
   * connection and runs DDL outside a transaction, so two processes migrating one file race
   * ("table runs already exists") and a failure leaves half a schema; the store instead holds the
   * file's write lock (BEGIN IMMEDIATE) around the whole migration and rolls back on failure.
   */
  readonly migrationLock?: 'driver' | 'write-transaction';
}

type Db = Kysely<any>;

function createTable(db: Db, caps: StoreCapabilities, name: string, columns: string[]): Promise<unknown> {
  const body = columns
    .join(',\n  ')
    .replaceAll('$TS', caps.timestampType)
    .replaceAll('$JSON', caps.jsonType)
    .replaceAll('$DOUBLE', caps.doubleType);
  return sql.raw(`create table ${name} (\n  ${body}\n)`).execute(db);
}

function createIndex(db: Db, name: string, table: string, columns: string, using?: string): Promise<unknown> {
  return sql.raw(`create index ${name} on ${table} ${using ? `using ${using} ` : ''}(${columns})`).execute(db);
}

/** The first schema: the shared run model plus the seed's kind-specific tables and indexes. */
function initialSchema(caps: StoreCapabilities): Migration {
  return {
    async up(db: Db) {
      await createTable(db, caps, 'runs', [
        'id varchar(36) primary key',
        'kind varchar(16) not null',
        'name varchar(255) not null',
        'status varchar(16) not null',
        'environment varchar(16) not null',
        'trigger varchar(16) not null',
        'executed_by varchar(100) not null',
        'started_at $TS not null',
        'completed_at $TS not null',
        'duration_ms $DOUBLE not null check (duration_ms >= 0)',
        'ci_provider varchar(32)',
        'ci_build_id varchar(100)',
        'ci_commit_sha varchar(64)',
        'ci_branch varchar(255)',
        'ci_job_url text',
        'tool_name varchar(64) not null',
        'tool_version varchar(64)',
        'tool_command_line text',
        'total integer not null',
        'passed integer not null',
        'failed integer not null',
        'skipped integer not null',
        'flaky integer not null',
        'timed_out integer not null',
        'interrupted integer not null',
        'error_message text',
        'run_group varchar(255)',
        'shard_current integer',
        'shard_total integer',
        'artifacts $JSON not null',
        'metadata $JSON not null',
        'check (passed + failed + skipped = total)',
        'check (completed_at >= started_at)',
      ]);
      await createIndex(db, 'idx_runs_started_at', 'runs', 'started_at desc');
      await createIndex(db, 'idx_runs_kind_started_at', 'runs', 'kind, started_at desc');
      await createIndex(db, 'idx_runs_status', 'runs', 'status');
      await createIndex(db, 'idx_runs_run_group', 'runs', 'run_group');
      await createIndex(db, 'idx_runs_ci_build_id', 'runs', 'ci_build_id');

      await createTable(db, caps, 'cases', [
        'run_id varchar(36) not null references runs(id) on delete cascade',
        'ordinal integer not null',
        'case_key varchar(40) not null',
        'run_started_at $TS not null',
        'suite_path $JSON not null',
        'name text not null',
        'file text',
        'line integer',
        'col integer',
        'project varchar(255)',
        'status varchar(16) not null',
        'duration_ms $DOUBLE not null check (duration_ms >= 0)',
        'attempt_count integer not null',
        'attempts $JSON not null',
        'error_message text',
        'error_stack text',
        'artifacts $JSON not null',
        'tags $JSON not null',
        'properties $JSON not null',
        'stdout text',
        'stderr text',
        'primary key (run_id, ordinal)',
      ]);
      await createIndex(db, 'idx_cases_case_key', 'cases', 'case_key, run_started_at desc');
      await createIndex(db, 'idx_cases_status_started_at', 'cases', 'status, run_started_at');

      await createTable(db, caps, 'metric_samples', [
        'run_id varchar(36) not null references runs(id) on delete cascade',
        'seq integer not null',
        'name varchar(255) not null',
        'time $TS not null',
        'value $DOUBLE not null',
        'tags $JSON not null',
        'primary key (run_id, seq)',
      ]);

      // E2E (seed: e2e_test_scenarios, e2e_test_runs, e2e_test_step_results)
      await createTable(db, caps, 'e2e_test_scenarios', [
        'id varchar(36) primary key',
        'name varchar(255) not null unique',
        'description text',
        'test_type varchar(16) not null',
        'browser varchar(16) not null',
        'viewport $JSON not null',
        'steps $JSON not null',
        'expected_results $JSON not null',
        "status varchar(16) not null default 'active'",
        "priority varchar(16) not null default 'medium'",
        'timeout_ms integer not null default 30000 check (timeout_ms between 5000 and 600000)',
        'retry_count integer not null default 2 check (retry_count between 0 and 5)',
        'tags $JSON',
        'created_by varchar(100) not null',
        'created_at $TS not null',
        'updated_at $TS not null',
      ]);
      await createIndex(db, 'idx_e2e_scenario_name', 'e2e_test_scenarios', 'name');
      await createIndex(db, 'idx_e2e_scenario_status', 'e2e_test_scenarios', 'status');
      await createIndex(db, 'idx_e2e_scenario_test_type', 'e2e_test_scenarios', 'test_type');
      await createIndex(db, 'idx_e2e_scenario_tags', 'e2e_test_scenarios', 'tags', caps.ginIndexes ? 'gin' : undefined);

      await createTable(db, caps, 'e2e_test_runs', [
        'id varchar(36) primary key',
        'shopfds_run_id varchar(36) not null references runs(id) on delete cascade',
        'case_ordinal integer not null',
        // Null for ordinary Playwright specs, which have no scenario definition.
        'scenario_id varchar(36) references e2e_test_scenarios(id)',
        'scenario_name varchar(255)',
        'run_id varchar(100) not null',
        'status varchar(16) not null',
        'started_at $TS not null',
        'completed_at $TS',
        'duration_ms integer check (duration_ms >= 0)',
        'browser varchar(16) not null',
        'viewport $JSON not null',
        'screenshots $JSON',
        'video_url varchar(500)',
        'error_logs text',
        'ci_build_id varchar(100)',
        'ci_commit_sha varchar(40)',
        'environment varchar(16) not null',
        'executed_by varchar(100) not null',
        'check (completed_at is null or completed_at >= started_at)',
      ]);
      await createIndex(db, 'idx_e2e_run_scenario_id', 'e2e_test_runs', 'scenario_id');
      await createIndex(db, 'idx_e2e_run_status', 'e2e_test_runs', 'status');
      await createIndex(db, 'idx_e2e_run_ci_build_id', 'e2e_test_runs', 'ci_build_id');
      await createIndex(db, 'idx_e2e_run_started_at', 'e2e_test_runs', 'started_at desc');
      await createIndex(db, 'idx_e2e_run_shopfds_run_id', 'e2e_test_runs', 'shopfds_run_id');

      await createTable(db, caps, 'e2e_test_step_results', [
        'id varchar(36) primary key',
        'test_run_id varchar(36) not null references e2e_test_runs(id) on delete cascade',
        'step_number integer not null',
        'step_name text not null',
        'status varchar(16) not null',
        'duration_ms integer not null check (duration_ms >= 0)',
        'screenshot_url varchar(500)',
        'error_message text',
      ]);
      await createIndex(db, 'idx_e2e_step_test_run_id', 'e2e_test_step_results', 'test_run_id');

      // API (seed: api_test_suites, api_test_results)
      await createTable(db, caps, 'api_test_suites', [
        'id varchar(36) primary key',
        'shopfds_run_id varchar(36) not null references runs(id) on delete cascade',
        'ordinal integer not null',
        'name varchar(255) not null',
        'service_name varchar(100) not null',
        'postman_collection_id varchar(100) not null',
        'postman_collection_path varchar(500) not null',
        'newman_run_id varchar(100)',
        'total_tests integer check (total_tests >= 0)',
        'passed_tests integer',
        'failed_tests integer',
        'skipped_tests integer',
        'status varchar(16) not null',
        'started_at $TS',
        'completed_at $TS',
        'duration_ms integer check (duration_ms >= 0)',
        'environment varchar(16) not null',
        'newman_report_path varchar(500)',
        'ci_build_id varchar(100)',
        'executed_by varchar(100) not null',
        'check (passed_tests + failed_tests + skipped_tests = total_tests)',
      ]);
      await createIndex(db, 'idx_api_suite_service_name', 'api_test_suites', 'service_name');
      await createIndex(db, 'idx_api_suite_status', 'api_test_suites', 'status');
      await createIndex(db, 'idx_api_suite_started_at', 'api_test_suites', 'started_at desc');
      await createIndex(db, 'idx_api_suite_shopfds_run_id', 'api_test_suites', 'shopfds_run_id');

      await createTable(db, caps, 'api_test_results', [
        'id varchar(36) primary key',
        'api_test_suite_id varchar(36) not null references api_test_suites(id) on delete cascade',
        'ordinal integer not null',
        'case_ordinal integer',
        'endpoint text not null',
        'http_method varchar(16) not null',
        'status_code integer',
        'test_status varchar(16) not null',
        'response_time_ms integer',
        'error_message text',
        'request_body $JSON',
        'response_body $JSON',
      ]);
      await createIndex(db, 'idx_api_result_suite_id', 'api_test_results', 'api_test_suite_id');

      // Performance (seed: performance_tests, performance_metrics)
      await createTable(db, caps, 'performance_tests', [
        'id varchar(36) primary key',
        'shopfds_run_id varchar(36) not null references runs(id) on delete cascade',
        'test_type varchar(16) not null',
        'scenario_name varchar(255) not null',
        'target_tps integer not null check (target_tps >= 1)',
        'actual_tps $DOUBLE',
        'p95_response_time integer',
        'p99_response_time integer',
        'avg_response_time integer',
        'max_response_time integer',
        'error_rate $DOUBLE check (error_rate between 0 and 100)',
        'total_requests bigint',
        'failed_requests bigint',
        'duration_sec integer not null',
        'virtual_users integer not null check (virtual_users >= 1)',
        'status varchar(16) not null',
        'started_at $TS',
        'completed_at $TS',
        'k6_script_path varchar(500) not null',
        'environment varchar(16) not null',
        'ci_build_id varchar(100)',
        'executed_by varchar(100) not null',
        'check (p95_response_time is null or p99_response_time is null or p95_response_time <= p99_response_time)',
      ]);
      await createIndex(db, 'idx_perf_test_type', 'performance_tests', 'test_type');
      await createIndex(db, 'idx_perf_scenario_name', 'performance_tests', 'scenario_name');
      await createIndex(db, 'idx_perf_started_at', 'performance_tests', 'started_at desc');
      await createIndex(db, 'idx_perf_status', 'performance_tests', 'status');
      await createIndex(db, 'idx_perf_shopfds_run_id', 'performance_tests', 'shopfds_run_id');

      await createTable(db, caps, 'performance_metrics', [
        'id varchar(36) primary key',
        'performance_test_id varchar(36) not null references performance_tests(id) on delete cascade',
        'measured_at $TS not null',
        'virtual_users integer not null',
        'requests_per_sec $DOUBLE not null',
        'response_time_p95 integer',
        'error_rate $DOUBLE',
      ]);
      await createIndex(db, 'idx_perf_metric_test_id', 'performance_metrics', 'performance_test_id, measured_at');

      // Chaos (seed: chaos_experiments, chaos_observations) plus the audit trail
      await createTable(db, caps, 'chaos_experiments', [
        'id varchar(36) primary key',
        'shopfds_run_id varchar(36) not null references runs(id) on delete cascade',
        'name varchar(255) not null',
        'experiment_type varchar(32) not null',
        'target_service varchar(100) not null',
        'target_pod varchar(100)',
        'hypothesis text not null',
        'steady_state_hypothesis $JSON not null',
        'method $JSON not null',
        'duration_sec integer not null check (duration_sec between 10 and 600)',
        "status varchar(16) not null default 'scheduled'",
        'started_at $TS',
        'completed_at $TS',
        'result varchar(16)',
        'recovery_time_sec integer',
        'recovery_target_sec integer not null',
        'chaos_engine_name varchar(100) not null',
        'kubernetes_namespace varchar(100) not null',
        "environment varchar(16) not null default 'staging'",
        'approval_required boolean not null',
        'approved_by varchar(100)',
        'created_by varchar(100) not null',
        "check (environment <> 'production' or approval_required)",
      ]);
      await createIndex(db, 'idx_chaos_target_service', 'chaos_experiments', 'target_service');
      await createIndex(db, 'idx_chaos_status', 'chaos_experiments', 'status');
      await createIndex(db, 'idx_chaos_experiment_type', 'chaos_experiments', 'experiment_type');
      await createIndex(db, 'idx_chaos_started_at', 'chaos_experiments', 'started_at desc');
      await createIndex(db, 'idx_chaos_shopfds_run_id', 'chaos_experiments', 'shopfds_run_id');

      await createTable(db, caps, 'chaos_observations', [
        'id varchar(36) primary key',
        'chaos_experiment_id varchar(36) not null references chaos_experiments(id) on delete cascade',
        'seq integer not null',
        'observed_at $TS not null',
        'metric_name varchar(100) not null',
        'metric_value text not null',
        'observation_type varchar(32) not null',
        'notes text',
      ]);
      await createIndex(db, 'idx_chaos_obs_experiment_id', 'chaos_observations', 'chaos_experiment_id, seq');

      await createTable(db, caps, 'chaos_audit_log', [
        'id varchar(36) primary key',
        'chaos_experiment_id varchar(36) not null references chaos_experiments(id)',
        'seq integer not null',
        'at $TS not null',
        'actor varchar(100) not null',
        'action varchar(16) not null',
        'detail text',
      ]);
      await createIndex(db, 'idx_chaos_audit_experiment_id', 'chaos_audit_log', 'chaos_experiment_id, seq');

      // Canary (seed: canary_deployments, canary_metrics)
      await createTable(db, caps, 'canary_deployments', [
        'id varchar(36) primary key',
        'shopfds_run_id varchar(36) not null references runs(id) on delete cascade',
        'service_name varchar(100) not null',
        'old_version varchar(50) not null',
        'new_version varchar(50) not null',
        'traffic_weight integer not null default 0 check (traffic_weight between 0 and 100)',
        'error_rate $DOUBLE check (error_rate between 0 and 100)',
        'response_time_p95 integer check (response_time_p95 >= 0)',
        'request_success_rate $DOUBLE',
        'started_at $TS not null',
        'completed_at $TS',
        "status varchar(16) not null default 'initializing'",
        'rollback_reason text',
        'analysis_interval_sec integer not null default 60',
        'threshold_max_error_rate $DOUBLE not null default 5.0 check (threshold_max_error_rate between 0 and 100)',
        'threshold_max_response_time integer not null default 200',
        'flagger_canary_name varchar(100) not null',
        'kubernetes_namespace varchar(100) not null',
        'created_by varchar(100) not null',
        'check (old_version <> new_version)',
      ]);
      await createIndex(db, 'idx_canary_service_name', 'canary_deployments', 'service_name');
      await createIndex(db, 'idx_canary_status', 'canary_deployments', 'status');
      await createIndex(db, 'idx_canary_started_at', 'canary_deployments', 'started_at desc');
      await createIndex(db, 'idx_canary_new_version', 'canary_deployments', 'new_version');
      await createIndex(db, 'idx_canary_shopfds_run_id', 'canary_deployments', 'shopfds_run_id');

      await createTable(db, caps, 'canary_metrics', [
        'id varchar(36) primary key',
        'canary_deployment_id varchar(36) not null references canary_deployments(id) on delete cascade',
        'seq integer not null',
        'measured_at $TS not null',
        'traffic_weight integer not null',
        'error_rate $DOUBLE',
        'response_time_p95 integer',
        'request_success_rate $DOUBLE',
        'total_requests bigint',
        'failed_requests bigint',
        'phase varchar(32)',
        'iterations integer',
        'failed_checks integer',
      ]);
      await createIndex(db, 'idx_canary_metric_deployment_id', 'canary_metrics', 'canary_deployment_id, measured_at');
    },
  };
}

/** Makes the audit trail append-only at the database level. */
function appendOnlyAudit(caps: StoreCapabilities): Migration {
  return {
    async up(db: Db) {
      if (caps.triggerStyle === 'function') {
        await sql
          .raw(
            `create function chaos_audit_log_append_only() returns trigger language plpgsql as $$
begin raise exception 'chaos_audit_log is append-only'; end $$`,
          )
          .execute(db);
        await sql
          .raw(
            `create trigger chaos_audit_log_no_change before update or delete on chaos_audit_log
for each row execute function chaos_audit_log_append_only()`,
          )
          .execute(db);
      } else {
        await sql
          .raw(`create trigger chaos_audit_log_no_update before update on chaos_audit_log begin select raise(abort, 'chaos_audit_log is append-only'); end`)
          .execute(db);
        await sql
          .raw(`create trigger chaos_audit_log_no_delete before delete on chaos_audit_log begin select raise(abort, 'chaos_audit_log is append-only'); end`)
          .execute(db);
      }
    },
  };
}

/**
 * Keeps each e2e run's scenario definitions as the run used them. `e2e_test_scenarios` is the seed's
 * catalog, upserted by name, so it only holds the latest definition; reading an older run from it
 * returned definitions the run never saw, and lost scenarios no test run pointed at. Also records
 * whether a run carried kind-specific records at all, so an empty set (`{ suites: [] }`) reads back
 * as saved instead of as null, and the order of e2e test runs and performance metrics.
 */
function runScenarioSnapshots(caps: StoreCapabilities): Migration {
  return {
    async up(db: Db) {
      await createTable(db, caps, 'e2e_run_scenarios', [
        'shopfds_run_id varchar(36) not null references runs(id) on delete cascade',
        'ordinal integer not null',
        'scenario_id varchar(36) not null references e2e_test_scenarios(id)',
        'definition $JSON not null',
        'primary key (shopfds_run_id, ordinal)',
      ]);
      await createIndex(db, 'idx_e2e_run_scenarios_scenario_id', 'e2e_run_scenarios', 'scenario_id');
      // Null for runs saved before this migration: presence is then inferred from the detail rows.
      await sql.raw('alter table runs add column details_present integer').execute(db);
      // Keep the order records were given in (null for older rows: they fall back to case order / time).
      await sql.raw('alter table e2e_test_runs add column ordinal integer').execute(db);
      await sql.raw('alter table performance_metrics add column seq integer').execute(db);
    },
  };
}

/**
 * `runs failures` reads only failed cases of recent runs. A partial index holds just those rows
 * (a few percent of all cases) with the case key, so the grouping reads the index alone, and saving
 * a run no longer maintains an index entry for every passed case.
 */
function failureIndex(): Migration {
  return {
    async up(db: Db) {
      await sql.raw('drop index idx_cases_status_started_at').execute(db);
      await sql
        .raw(`create index idx_cases_failures on cases (run_started_at, case_key) where status in ('failed', 'timed_out', 'interrupted')`)
        .execute(db);
    },
  };
}

/**
 * What the history questions need (flaky detection, quarantine, duplicate imports, retention):
 * - each case row carries its run's kind and commit, and flaky detection reads a case's window from
 *   one covering index (`idx_cases_key_window`) instead of joining every case to its run; cases
 *   retried to a pass get a partial index like failures have (`idx_cases_retried`), so the cases
 *   worth looking at are found without reading passed ones;
 * - `runs.content_hash`: the SHA-256 of an imported report, so the same file is not stored twice;
 * - `runs(name, started_at)`: the previous run of the same name (`runs compare`, `--baseline last-passed`);
 * - `quarantine`: quarantined cases, by case key or name pattern, with a reason and an end date.
 */
function historyQuarantineRetention(caps: StoreCapabilities): Migration {
  return {
    async up(db: Db) {
      await sql.raw('alter table cases add column kind varchar(16)').execute(db);
      await sql.raw('alter table cases add column commit_sha varchar(64)').execute(db);
      await sql
        .raw(
          'update cases set kind = (select r.kind from runs r where r.id = cases.run_id), commit_sha = (select r.ci_commit_sha from runs r where r.id = cases.run_id)',
        )
        .execute(db);
      await createIndex(db, 'idx_cases_key_window', 'cases', 'case_key, run_started_at, status, kind, commit_sha, run_id');
      await sql.raw(`create index idx_cases_retried on cases (run_started_at, case_key) where status = 'flaky'`).execute(db);
      await sql.raw('alter table runs add column content_hash varchar(64)').execute(db);
      await createIndex(db, 'idx_runs_content_hash', 'runs', 'content_hash');
      await createIndex(db, 'idx_runs_name_started_at', 'runs', 'name, started_at desc');
      await createTable(db, caps, 'quarantine', [
        'id varchar(36) primary key',
        'target varchar(500) not null unique',
        'kind varchar(16)',
        'reason text not null',
        'until $TS',
        'created_by varchar(100) not null',
        'created_at $TS not null',
      ]);
    },
  };
}

/**
 * Live runs: a row written when a run starts and refreshed by a heartbeat while it runs, removed when
 * the run is saved. A row whose heartbeat stopped (the CLI was killed hard) reads as abandoned.
 */
function liveRuns(caps: StoreCapabilities): Migration {
  return {
    async up(db: Db) {
      await createTable(db, caps, 'live_runs', [
        'id varchar(36) primary key',
        'kind varchar(16) not null',
        'name varchar(255) not null',
        'environment varchar(16) not null',
        'executed_by varchar(100) not null',
        'started_at $TS not null',
        'heartbeat_at $TS not null',
        'host varchar(255) not null',
        'pid integer not null',
        'command_line text',
      ]);
      await createIndex(db, 'idx_live_runs_heartbeat_at', 'live_runs', 'heartbeat_at');
    },
  };
}

/**
 * When each run was stored, so "latest" means the run recorded last, not the one that started last
 * (an imported report can be older than runs already stored). Older rows take their start time.
 */
function runsRecordedAt(caps: StoreCapabilities): Migration {
  return {
    async up(db: Db) {
      await sql.raw(`alter table runs add column recorded_at ${caps.timestampType}`).execute(db);
      await sql.raw('update runs set recorded_at = started_at').execute(db);
      await createIndex(db, 'idx_runs_recorded_at', 'runs', 'recorded_at desc');
    },
  };
}

/**
 * Run plans: a plan run is the parent of the runs its steps stored (`runs.parent_run_id`, no foreign
 * key: step runs are saved as they finish, before their parent), and its tiers, steps and gates are
 * kept as one document (`plan_runs`).
 */
function planRuns(caps: StoreCapabilities): Migration {
  return {
    async up(db: Db) {
      await sql.raw('alter table runs add column parent_run_id varchar(36)').execute(db);
      await createIndex(db, 'idx_runs_parent_run_id', 'runs', 'parent_run_id');
      await createTable(db, caps, 'plan_runs', [
        'shopfds_run_id varchar(36) primary key references runs(id) on delete cascade',
        'plan_name varchar(255) not null',
        'plan_file text',
        'details $JSON not null',
      ]);
    },
  };
}

/** Ordered migrations. Names sort in the order they apply; never rename or reorder a shipped one. */
export function buildMigrations(caps: StoreCapabilities): Record<string, Migration> {
  return {
    '0001_initial_schema': initialSchema(caps),
    '0002_append_only_audit': appendOnlyAudit(caps),
    '0003_e2e_run_scenarios': runScenarioSnapshots(caps),
    '0004_failure_index': failureIndex(),
    '0005_history_quarantine_retention': historyQuarantineRetention(caps),
    '0006_live_runs': liveRuns(caps),
    '0007_runs_recorded_at': runsRecordedAt(caps),
    '0008_plan_runs': planRuns(caps),
  };
}
