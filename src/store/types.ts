import type { CaseStatus, Environment, Run, RunKind, RunStatus, Totals } from '../model/index.js';

/** Filters for `runs list`. */
export interface RunFilter {
  readonly kind?: RunKind;
  readonly status?: RunStatus;
  readonly environment?: Environment;
  /** ISO time; runs that started at or after it. */
  readonly since?: string;
  readonly runGroup?: string;
  readonly limit?: number;
}

/** One row of `runs list`: the run without its cases. */
export interface RunSummary {
  readonly id: string;
  readonly kind: RunKind;
  readonly name: string;
  readonly status: RunStatus;
  readonly environment: Environment;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly totals: Totals;
  readonly runGroup: string | null;
  readonly ciBuildId: string | null;
  readonly commitSha: string | null;
  readonly toolName: string;
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
export interface RunStore {
  readonly backend: StoreBackend;
  /** Where the store lives, with any password redacted. */
  readonly location: string;
  /** Applies pending migrations under a lock; returns the names applied now. */
  migrate(): Promise<readonly string[]>;
  /** Every known migration and when it was applied (null when pending). */
  migrationStatus(): Promise<readonly MigrationState[]>;
  /** Saves a whole run in one transaction. A run with the same id is refused. */
  saveRun(run: Run): Promise<void>;
  /** The whole run as it was saved, or null. Accepts a unique id prefix of at least 4 characters. */
  getRun(idOrPrefix: string): Promise<Run | null>;
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
