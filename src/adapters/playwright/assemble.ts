import { makeRun, type RunStatus, type CiInfo, type E2eTestScenario, type Environment, type KindDetails, type RunInput, type Trigger } from '../../model/index.js';
import type { ParsedCase, ParsedPlaywrightRun } from './parse.js';

/** Everything about a run that is decided outside the report. */
export interface RunBase {
  readonly id: string;
  readonly name: string;
  readonly environment: Environment;
  readonly trigger: Trigger;
  readonly executedBy: string;
  readonly ci: CiInfo | null;
  readonly runGroup: string | null;
  readonly shard: { current: number; total: number } | null;
  readonly commandLine: string | null;
  readonly metadata: Record<string, string>;
}

export interface AssembleOptions {
  readonly scenarios?: readonly E2eTestScenario[];
  /** The run was stopped by a signal. */
  readonly interrupted?: boolean;
  /** A tool problem next to (or instead of) test results. */
  readonly toolError?: string | null;
  /**
   * An infrastructure fault next to the results (a project's browser is missing): said in the run's
   * error and the verdict is `error` (exit 3) whatever the other tests did; the run is still stored.
   */
  readonly infrastructureError?: string | null;
  /** Used when the report is missing. */
  readonly startedAt: string;
  readonly completedAt?: string;
  /** Run-level files (the raw Playwright report). */
  readonly artifacts?: RunInput['artifacts'];
  /** The shard this run is, to say so when it got no tests. */
  readonly shard?: { readonly current: number; readonly total: number } | null;
}

/** The parts of an e2e run a parsed report (or none) decides; `makeRun` adds totals and status. */
export interface E2eOutcome {
  readonly cases: ParsedCase[];
  readonly details: KindDetails;
  readonly startedAt: string;
  readonly completedAt: string;
  readonly durationMs: number;
  readonly toolVersion: string | null;
  readonly toolError: string | null;
  readonly errorMessage: string | null;
  readonly interrupted: boolean;
  readonly artifacts: NonNullable<RunInput['artifacts']>;
  /** Set only where makeRun's rule is overridden (a missing browser: `error` whatever the tests did). */
  readonly status?: RunStatus;
}

/** Cases, times and messages of an e2e run from a parsed report (or none). */
export function assembleOutcome(parsed: ParsedPlaywrightRun | null, options: AssembleOptions): E2eOutcome {
  const errors = [...(parsed?.globalErrors ?? [])];
  if (options.toolError) errors.push(options.toolError);
  if (options.infrastructureError) errors.push(options.infrastructureError);
  const interrupted = Boolean(options.interrupted);
  const startedAt = parsed?.startedAt ?? options.startedAt;
  const durationMs = parsed ? parsed.durationMs : Math.max(0, Date.parse(options.completedAt ?? startedAt) - Date.parse(startedAt));
  let completedAt = options.completedAt ?? new Date(Date.parse(startedAt) + Math.round(durationMs)).toISOString();
  if (Date.parse(completedAt) < Date.parse(startedAt)) completedAt = startedAt;
  const shard = options.shard;
  if (parsed && parsed.cases.length === 0 && shard && !errors.length && !options.interrupted) {
    // Playwright splits the tests (or, without fullyParallel, the files) across shards: with fewer
    // than shards, some shard gets none. Not a pass (nothing ran), but said plainly.
    errors.push(
      `shard ${shard.current}/${shard.total} has no tests: Playwright put every selected test in other shards ` +
        `(fewer tests or files than shards); use fewer shards or more tests`,
    );
  }
  // Set only to override makeRun's rule: a missing browser is exit 3 whatever the other tests did.
  const status: RunStatus | undefined = options.infrastructureError && !interrupted ? 'error' : undefined;
  let errorMessage: string | null = errors.length ? errors.join('\n') : null;
  if (interrupted) errorMessage = [errorMessage, 'interrupted: the run was stopped before it finished'].filter(Boolean).join('\n');
  return {
    cases: parsed?.cases ?? [],
    details: { kind: 'e2e', e2e: { scenarios: [...(options.scenarios ?? [])], test_runs: parsed?.testRuns ?? [] } },
    startedAt,
    completedAt,
    durationMs: Math.max(0, durationMs),
    toolVersion: parsed?.toolVersion ?? null,
    toolError: errors.length ? errors.join('\n') : null,
    errorMessage,
    interrupted,
    artifacts: options.artifacts ?? [],
    ...(status ? { status } : {}),
  };
}

/** Builds the run from a parsed report (or none), with totals and status by the seed's rules. */
export function assembleRun(base: RunBase, parsed: ParsedPlaywrightRun | null, options: AssembleOptions): RunInput {
  const outcome = assembleOutcome(parsed, { shard: base.shard, ...options });
  return makeRun({
    ...base,
    kind: 'e2e',
    startedAt: outcome.startedAt,
    completedAt: outcome.completedAt,
    durationMs: outcome.durationMs,
    tool: { name: 'playwright', version: outcome.toolVersion, commandLine: base.commandLine },
    cases: outcome.cases,
    details: outcome.details,
    artifacts: outcome.artifacts,
    errorMessage: outcome.errorMessage,
    toolError: outcome.toolError !== null,
    interrupted: outcome.interrupted,
    ...(outcome.status ? { status: outcome.status } : {}),
  });
}
