import type { Case, CaseStatus, Environment, Run, RunKind, RunStatus, Totals } from '../model/index.js';

/** Filters for `runs list`. */
export interface RunFilter {
  readonly kind?: RunKind;
  readonly status?: RunStatus;
  readonly environment?: Environment;
  /** ISO time; runs that started at or after it. */
  readonly since?: string;
  readonly runGroup?: string;
  /** Only runs with at least one flaky case (`runs list --status flaky`). */
  readonly flaky?: boolean;
  /** Only runs of this exact name. */
  readonly name?: string;
  /** Only runs that started strictly before this ISO time. */
  readonly before?: string;
  readonly limit?: number;
  /** Only the step runs of this plan run. */
  readonly parentRunId?: string;
  /** `started` (default): newest start first. `recorded`: the run stored last first ("latest"). */
  readonly order?: 'started' | 'recorded';
}

/** One row of `runs list`: the run without its cases. */
export interface RunSummary {
  readonly id: string;
  readonly kind: RunKind;
  readonly name: string;
  readonly status: RunStatus;
  readonly environment: Environment;
  readonly startedAt: string;
  /** When the run was stored ("latest" orders by it). */
  readonly recordedAt: string;
  readonly durationMs: number;
  readonly totals: Totals;
  readonly runGroup: string | null;
  readonly ciBuildId: string | null;
  readonly commitSha: string | null;
  readonly toolName: string;
  /** The plan run this run is a step of, or null. */
  readonly parentRunId?: string | null;
}

/** A case that failed in recent runs, grouped across runs. */
export interface CaseFailureGroup {
  readonly caseKey: string;
  readonly name: string;
  readonly suitePath: readonly string[];
  readonly project: string | null;
  readonly failures: number;
  readonly lastFailedAt: string;
}

/** One case's outcome in one run. */
export interface CaseHistoryEntry {
  readonly runId: string;
  readonly startedAt: string;
  readonly status: CaseStatus;
  readonly durationMs: number;
  readonly attempts: number;
  readonly errorMessage: string | null;
}

export interface MigrationState {
  readonly name: string;
  readonly executedAt: string | null;
}

/** What is recorded when a live run starts. */
export interface LiveRunStart {
  readonly id: string;
  readonly kind: RunKind;
  readonly name: string;
  readonly environment: Environment;
  readonly executedBy: string;
  readonly startedAt: string;
  readonly host: string;
  readonly pid: number;
  readonly commandLine: string | null;
}

/** A started run not saved yet: `running` while its heartbeat is fresh, `abandoned` once it stopped. */
export interface LiveRun extends LiveRunStart {
  readonly heartbeatAt: string;
  readonly state: 'running' | 'abandoned';
}

/** Heartbeats older than this mark a live run abandoned (the default of {@link RunStore.listLiveRuns}). */
export const LIVE_RUN_STALE_MS = 60_000;

export type StoreBackend = 'sqlite' | 'postgres';

/**
 * The result store. SQLite and PostgreSQL implement the same contract; the contract test suite
 * runs against both.
 */
export interface RunStore extends HistoryStore {
  readonly backend: StoreBackend;
  /** Where the store lives, with any password redacted. */
  readonly location: string;
  /** Applies pending migrations under a lock; returns the names applied now. */
  migrate(): Promise<readonly string[]>;
  /** Every known migration and when it was applied (null when pending). */
  migrationStatus(): Promise<readonly MigrationState[]>;
  /** Saves a whole run in one transaction. A run with the same id is refused. */
  saveRun(run: Run): Promise<void>;
  /**
   * Saves a run whose cases are read from `cases` (called again if the save is retried), not held in
   * `header.cases` (empty): one transaction, whole or nothing, refused when the cases do not add up
   * to `header.totals`. For runs too large to hold in memory (huge imports).
   */
  saveRunWithCases(header: Run, cases: () => AsyncIterable<Case>): Promise<void>;
  /** The whole run as it was saved, or null. Accepts a unique id prefix of at least 4 characters. */
  getRun(idOrPrefix: string): Promise<Run | null>;
  /** Run summaries, newest first (by start, or by when they were stored with `order: 'recorded'`). */
  listRuns(filter?: RunFilter): Promise<readonly RunSummary[]>;
  /** Failed, timed-out and interrupted cases since a time, grouped by case, most failures first. */
  failuresSince(since: string, limit?: number): Promise<readonly CaseFailureGroup[]>;
  /** One case's outcomes across runs, newest first. */
  caseHistory(caseKey: string, limit?: number): Promise<readonly CaseHistoryEntry[]>;
  /** Records that a run started (a live record). The record goes when the run is saved or {@link endLiveRun} is called. */
  beginLiveRun(start: LiveRunStart): Promise<void>;
  /** Refreshes a live run's heartbeat. */
  heartbeatLiveRun(id: string, at?: string): Promise<void>;
  /** Removes a live record (saving the run with the same id removes it too). */
  endLiveRun(id: string): Promise<void>;
  /** Live records, newest first; those whose heartbeat is older than `staleAfterMs` are `abandoned`. */
  listLiveRuns(options?: { staleAfterMs?: number; now?: string }): Promise<readonly LiveRun[]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// History questions: flaky cases, quarantine, comparisons, trends, retention.

/** A case key with what identifies it for people, as found by `findCases`. */
export interface CaseIdentity {
  readonly caseKey: string;
  readonly kind: RunKind | null;
  readonly name: string;
  readonly suitePath: readonly string[];
  readonly project: string | null;
  readonly lastSeen: string;
}

export interface TrendOptions {
  readonly since: string;
  readonly bucket: 'day' | 'week';
  readonly kind?: RunKind;
}

/** Runs of one kind in one day or week. */
export interface RunTrendRow {
  readonly bucket: string;
  readonly kind: RunKind;
  readonly runs: number;
  readonly passedRuns: number;
  /** passedRuns / runs, 0..1. */
  readonly passRate: number;
  readonly cases: number;
  readonly casesPassed: number;
  readonly avgDurationMs: number;
  readonly maxDurationMs: number;
}

/** Performance runs of one scenario and test type in one bucket (seed: P95 응답 시간 추이). */
export interface PerfTrendRow {
  readonly bucket: string;
  readonly scenario: string;
  readonly testType: string;
  readonly runs: number;
  readonly avgP95: number | null;
  readonly maxP95: number | null;
  readonly avgP99: number | null;
  readonly avgTps: number | null;
  readonly avgErrorRate: number | null;
}

/** Seed: 복구 시간 통계, chaos recovery times by experiment type. */
export interface ChaosRecoveryRow {
  readonly experimentType: string;
  readonly experiments: number;
  readonly avgRecoverySec: number | null;
  readonly maxRecoverySec: number | null;
}

/** One canary deployment's error rate and p95 over its metrics (seed: 배포 메트릭 추이). */
export interface CanaryTrendRow {
  readonly runId: string;
  readonly service: string;
  readonly oldVersion: string;
  readonly newVersion: string;
  readonly status: string;
  readonly startedAt: string;
  readonly samples: number;
  readonly avgErrorRate: number | null;
  readonly maxErrorRate: number | null;
  readonly avgP95: number | null;
  readonly maxP95: number | null;
}

/** API success rate of one service. */
export interface ApiServiceRow {
  readonly service: string;
  readonly suites: number;
  readonly tests: number;
  readonly passed: number;
  /** passed / (tests - skipped), 0..1, or null without tests. */
  readonly successRate: number | null;
}

export interface Trends {
  readonly runs: readonly RunTrendRow[];
  readonly perf: readonly PerfTrendRow[];
  readonly chaos: readonly ChaosRecoveryRow[];
  readonly canary: readonly CanaryTrendRow[];
  readonly api: readonly ApiServiceRow[];
}

export interface PruneOptions {
  /** ISO time: runs that started before it are deleted. */
  readonly before: string;
  /** Keep the newest N runs of each kind and name even when they are old. */
  readonly keepLast?: number;
  readonly dryRun?: boolean;
  /** Runs per transaction; default: sized so one transaction takes about 50 ms. */
  readonly batchSize?: number;
  /** Called after each batch with the ids deleted in it (artifact folders are removed by the caller). */
  readonly onBatch?: (runIds: readonly string[]) => void | Promise<void>;
}

export interface PruneResult {
  readonly runs: number;
  readonly cases: number;
  readonly batches: number;
  /** Chaos runs kept because their audit trail is append-only. */
  readonly keptForAudit: number;
  readonly runIds: readonly string[];
}

export interface StoreStats {
  readonly runs: number;
  readonly cases: number;
  readonly byKind: readonly { kind: RunKind; runs: number; oldest: string; newest: string }[];
  /** Bytes the database takes (file size on SQLite, pg_database_size on PostgreSQL). */
  readonly databaseBytes: number | null;
  readonly tables: readonly { table: string; rows: number; bytes: number | null }[];
}

/**
 * The history half of the store contract. Both backends implement it over the same tables.
 */
export interface HistoryStore {
  /**
   * Per-case outcomes in a window, for cases that failed or were retried at least once. Flips are
   * counted for every case the rule could call flaky, else null (see HistoryQueries).
   */
  caseWindowStats(since: string, kind?: RunKind, rule?: import('../model/index.js').FlakyRule): Promise<readonly import('../model/index.js').CaseWindowStats[]>;
  /** Who the keys are (name, suite path, project, kind). */
  describeCases(keys: readonly { caseKey: string; lastSeen: string }[]): Promise<readonly CaseIdentity[]>;
  /** Cases whose key starts with a hex prefix, or whose name/path matches a `*` pattern. */
  findCases(keyPrefixOrPattern: string, limit?: number): Promise<readonly CaseIdentity[]>;
  /** Every case of one run, lightly: key, name, status, duration (for `runs compare`). */
  caseOutcomes(runId: string): Promise<readonly import('../model/index.js').CaseOutcome[]>;
  /** p95/p99/TPS/error rate of a performance run, or null. */
  perfFigures(runId: string): Promise<import('../model/index.js').PerfFigures | null>;
  /** The id of the run stored from a report with this content hash, or null. */
  findRunByContentHash(hash: string): Promise<string | null>;
  /** Adds or replaces the entry for its target. */
  addQuarantine(entry: import('../model/index.js').QuarantineEntry): Promise<void>;
  /** Removes entries by target or id; returns how many. */
  removeQuarantine(targetOrId: string): Promise<number>;
  listQuarantine(): Promise<readonly import('../model/index.js').QuarantineEntry[]>;
  trends(options: TrendOptions): Promise<Trends>;
  prune(options: PruneOptions): Promise<PruneResult>;
  stats(): Promise<StoreStats>;
}
