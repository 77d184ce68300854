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
  /** Run summaries, newest first (by start, or by when they were stored with `order: 'recorded'`). */
  listRuns(filter?: RunFilter): Promise<readonly RunSummary[]>;
  /** Failed, timed-out and interrupted cases since a time, grouped by case, most failures first. */
  failuresSince(since: string, limit?: number): Promise<readonly CaseFailureGroup[]>;
  /** One case's outcomes across runs, newest first. */
  caseHistory(caseKey: string, limit?: number): Promise<readonly CaseHistoryEntry[]>;
  close(): Promise<void>;
}
