import { computeTotals, deriveRunStatus, type CiInfo, type E2eTestScenario, type Environment, type RunInput, type Trigger } from '../../model/index.js';
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
  /** Used when the report is missing. */
  readonly startedAt: string;
  readonly completedAt?: string;
  /** Run-level files (the raw Playwright report). */
  readonly artifacts?: RunInput['artifacts'];
}

/** Builds the run from a parsed report (or none), with totals and status by the seed's rules. */
export function assembleRun(base: RunBase, parsed: ParsedPlaywrightRun | null, options: AssembleOptions): RunInput {
  const cases: ParsedCase[] = parsed?.cases ?? [];
  const totals = computeTotals(cases);
  const errors = [...(parsed?.globalErrors ?? [])];
  if (options.toolError) errors.push(options.toolError);
  const interrupted = Boolean(options.interrupted);
  const status = deriveRunStatus(totals, { interrupted, toolError: errors.length > 0 });
  const startedAt = parsed?.startedAt ?? options.startedAt;
  const durationMs = parsed ? parsed.durationMs : Math.max(0, Date.parse(options.completedAt ?? startedAt) - Date.parse(startedAt));
  let completedAt = options.completedAt ?? new Date(Date.parse(startedAt) + Math.round(durationMs)).toISOString();
  if (Date.parse(completedAt) < Date.parse(startedAt)) completedAt = startedAt;
  let errorMessage: string | null = errors.length ? errors.join('\n') : null;
  if (interrupted) errorMessage = [errorMessage, 'interrupted: the run was stopped before it finished'].filter(Boolean).join('\n');
  return {
    id: base.id,
    kind: 'e2e',
    name: base.name,
    status,
    startedAt,
    completedAt,
    durationMs: Math.max(0, durationMs),
    environment: base.environment,
    trigger: base.trigger,
    executedBy: base.executedBy,
    ci: base.ci,
    tool: { name: 'playwright', version: parsed?.toolVersion ?? null, commandLine: base.commandLine },
    totals,
    errorMessage,
    runGroup: base.runGroup,
    shard: base.shard,
    artifacts: options.artifacts ?? [],
    metadata: base.metadata,
    cases,
    metrics: [],
    e2e: { scenarios: [...(options.scenarios ?? [])], test_runs: parsed?.testRuns ?? [] },
    api: null,
    perf: null,
    chaos: null,
    canary: null,
  };
}
