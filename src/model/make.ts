import type { ApiDetails, CanaryDetails, ChaosDetails, E2eDetails, PerfDetails, PlanDetails } from './details.js';
import type { Artifact, Attempt, AttemptStatus, Case, CaseStatus, CiInfo, Environment, MetricSample, RunInput, RunKind, RunStatus, ToolInfo, Totals, Trigger } from './run.js';
import { computeTotals, deriveRunStatus } from './totals.js';

/** The fields every run starts with, decided before the tool runs. */
export interface RunStart {
  readonly id: string;
  readonly kind: RunKind;
  readonly startedAt: string;
  readonly environment: Environment;
  readonly trigger: Trigger;
  readonly executedBy: string;
  readonly ci: CiInfo | null;
  /** Shards of one logical run share this key (default: the CI build id). */
  readonly runGroup: string | null;
}

/** The kind-specific record of a run: only the one of its own kind is set. */
export type KindDetails =
  | { readonly kind: 'e2e'; readonly e2e: E2eDetails }
  | { readonly kind: 'api'; readonly api: ApiDetails }
  | { readonly kind: 'perf'; readonly perf: PerfDetails }
  | { readonly kind: 'chaos'; readonly chaos: ChaosDetails }
  | { readonly kind: 'canary'; readonly canary: CanaryDetails }
  | { readonly kind: 'plan'; readonly plan: PlanDetails };

/** What `makeRun` needs beyond the run's start. Totals, duration and the kinds that don't apply are derived. */
export interface MakeRunInput extends RunStart {
  readonly name: string;
  /** Default: now. Never before `startedAt` (clamped). */
  readonly completedAt?: string;
  /** Default: completedAt - startedAt. A tool's own figure wins (Playwright's report duration). */
  readonly durationMs?: number;
  readonly tool: ToolInfo;
  readonly cases: readonly Case[];
  /** The totals of cases kept elsewhere (a streamed import: `cases` is empty); default: counted from `cases`. */
  readonly totals?: Totals;
  /** The kind record of this run; must match `kind` (null: none, as for some imports). */
  readonly details: KindDetails | null;
  readonly metrics?: readonly MetricSample[];
  readonly artifacts?: readonly Artifact[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly shard?: { readonly current: number; readonly total: number } | null;
  /** The plan run this run is a step of. */
  readonly parentRunId?: string | null;
  /** Why the run is `error` or `interrupted`, or a tool-level problem next to test failures. */
  readonly errorMessage?: string | null;
  /** A tool problem: with no failed case the run is `error`. */
  readonly toolError?: boolean;
  readonly interrupted?: boolean;
  /**
   * The verdict when the tool decides beyond its cases (k6 exit codes, chaos verdicts). A `passed`
   * given here still becomes `failed` when a case failed, and `error` when there is no case.
   */
  readonly status?: RunStatus;
}

/** Builds a run: totals from the cases, status by the seed's rules, duration, and every other kind's record null. */
export function makeRun(input: MakeRunInput): RunInput {
  const totals = input.totals ? { ...input.totals } : computeTotals(input.cases);
  let status = input.status ?? deriveRunStatus(totals, { interrupted: input.interrupted, toolError: input.toolError });
  if (status === 'passed') status = deriveRunStatus(totals);
  let completedAt = input.completedAt ?? new Date().toISOString();
  if (Date.parse(completedAt) < Date.parse(input.startedAt)) completedAt = input.startedAt;
  const durationMs = Math.max(0, input.durationMs ?? Date.parse(completedAt) - Date.parse(input.startedAt));
  const details = input.details;
  return {
    id: input.id,
    kind: input.kind,
    name: input.name,
    status,
    startedAt: input.startedAt,
    completedAt,
    durationMs,
    environment: input.environment,
    trigger: input.trigger,
    executedBy: input.executedBy,
    ci: input.ci,
    tool: { ...input.tool },
    totals,
    errorMessage: input.errorMessage ?? null,
    runGroup: input.runGroup,
    shard: input.shard ? { ...input.shard } : null,
    artifacts: [...(input.artifacts ?? [])],
    metadata: { ...(input.metadata ?? {}) },
    cases: [...input.cases],
    metrics: [...(input.metrics ?? [])],
    e2e: details?.kind === 'e2e' ? details.e2e : null,
    api: details?.kind === 'api' ? details.api : null,
    perf: details?.kind === 'perf' ? details.perf : null,
    chaos: details?.kind === 'chaos' ? details.chaos : null,
    canary: details?.kind === 'canary' ? details.canary : null,
    plan: details?.kind === 'plan' ? details.plan : null,
    parentRunId: input.parentRunId ?? null,
  } as RunInput;
}

/** What `makeCase` needs; everything else has the empty default. */
export interface MakeCaseInput {
  readonly ordinal: number;
  readonly name: string;
  readonly status: CaseStatus;
  readonly suitePath?: readonly string[];
  readonly file?: string | null;
  readonly line?: number | null;
  readonly column?: number | null;
  readonly project?: string | null;
  readonly durationMs?: number;
  /** Default: one attempt with the case's status (a flaky case: a failed then a passed attempt). */
  readonly attempts?: readonly Attempt[];
  readonly errorMessage?: string | null;
  readonly errorStack?: string | null;
  readonly artifacts?: readonly Artifact[];
  readonly tags?: readonly string[];
  readonly properties?: Readonly<Record<string, string>>;
  readonly stdout?: string | null;
  readonly stderr?: string | null;
}

/** Builds a case with defaults for what the tool does not report. */
export function makeCase(input: MakeCaseInput): Case {
  const durationMs = Math.max(0, input.durationMs ?? 0);
  const errorMessage = input.errorMessage ?? null;
  const errorStack = input.errorStack ?? null;
  const attempt = (index: number, status: AttemptStatus, error: string | null): Attempt => ({
    index,
    status,
    durationMs: index === 0 && input.status !== 'flaky' ? durationMs : 0,
    startedAt: null,
    errorMessage: error,
    errorStack: error === null ? null : errorStack,
  });
  const attempts =
    input.attempts ??
    (input.status === 'flaky' ? [attempt(0, 'failed', errorMessage), attempt(1, 'passed', null)] : [attempt(0, input.status, errorMessage)]);
  return {
    ordinal: input.ordinal,
    suitePath: [...(input.suitePath ?? [])],
    name: input.name,
    file: input.file ?? null,
    line: input.line ?? null,
    column: input.column ?? null,
    project: input.project ?? null,
    status: input.status,
    durationMs,
    attempts: [...attempts],
    errorMessage,
    errorStack,
    artifacts: [...(input.artifacts ?? [])],
    tags: [...(input.tags ?? [])],
    properties: { ...(input.properties ?? {}) },
    stdout: input.stdout ?? null,
    stderr: input.stderr ?? null,
  };
}
