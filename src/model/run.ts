import { z } from 'zod';
import { E2eDetailsSchema, ApiDetailsSchema, PerfDetailsSchema, ChaosDetailsSchema, CanaryDetailsSchema, PlanDetailsSchema } from './details.js';
import { RUN_KINDS } from './kinds.js';

/** The run kinds are defined in kinds.ts (no zod), so command definitions can list them cheaply. */
export { RUN_KINDS, type RunKind } from './kinds.js';

/**
 * Run verdicts.
 * - `passed`: every case passed (flaky cases count as passed).
 * - `failed`: at least one case, threshold, verdict or gate failed.
 * - `error`: the tool is missing, crashed, or wrote output that could not be parsed. Never a pass.
 * - `interrupted`: stopped by SIGINT/SIGTERM or a timeout; the cases seen so far are kept.
 */
export const RUN_STATUSES = ['passed', 'failed', 'error', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Case outcomes.
 * - `flaky`: failed at least once, then passed on a retry.
 * - `timed_out`: the last attempt hit its timeout.
 * - `interrupted`: the run was stopped while the case ran.
 */
export const CASE_STATUSES = ['passed', 'failed', 'flaky', 'skipped', 'timed_out', 'interrupted'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** One attempt's outcome; a case has one attempt per try (retries add attempts). */
export const ATTEMPT_STATUSES = ['passed', 'failed', 'skipped', 'timed_out', 'interrupted'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

export const ENVIRONMENTS = ['local', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const TRIGGERS = ['manual', 'ci', 'import', 'schedule'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const ARTIFACT_KINDS = ['screenshot', 'video', 'trace', 'report', 'log', 'other'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

const isoTime = z.string().datetime({ offset: true });
const nonNegInt = z.number().int().nonnegative();
const nonNeg = z.number().nonnegative();

/** A file produced by a case or run: screenshot, video, trace, tool report. */
export const ArtifactSchema = z.object({
  name: z.string(),
  kind: z.enum(ARTIFACT_KINDS),
  contentType: z.string().nullable(),
  /** Path as stored: relative to the working directory when copied under `.shopfds/artifacts/`, else as reported. */
  path: z.string(),
  /** 0-based attempt index the artifact belongs to, or null for the case as a whole. */
  attempt: nonNegInt.nullable(),
});
export type Artifact = Readonly<z.infer<typeof ArtifactSchema>>;

/** One try of a case. */
export const AttemptSchema = z.object({
  index: nonNegInt,
  status: z.enum(ATTEMPT_STATUSES),
  durationMs: nonNeg,
  startedAt: isoTime.nullable(),
  errorMessage: z.string().nullable(),
  errorStack: z.string().nullable(),
  /** This attempt's captured output, truncated (absent in runs stored before attempts kept their own). */
  stdout: z.string().nullable().optional(),
  stderr: z.string().nullable().optional(),
});
export type Attempt = Readonly<z.infer<typeof AttemptSchema>>;

/** A test, request assertion, threshold, check or probe inside a run. */
export const CaseSchema = z.object({
  /** Position in the run, 0-based; stable key for kind-specific records that point at a case. */
  ordinal: nonNegInt,
  /** Enclosing suites from outermost to innermost (file, describe blocks, folder, iteration, ...). */
  suitePath: z.array(z.string()),
  name: z.string(),
  file: z.string().nullable(),
  line: nonNegInt.nullable(),
  column: nonNegInt.nullable(),
  /** Browser or Playwright project, when the tool has one. */
  project: z.string().nullable(),
  status: z.enum(CASE_STATUSES),
  durationMs: nonNeg,
  attempts: z.array(AttemptSchema),
  errorMessage: z.string().nullable(),
  errorStack: z.string().nullable(),
  artifacts: z.array(ArtifactSchema),
  tags: z.array(z.string()),
  /** Free-form facts shown in reports and written as JUnit properties (annotations, skip reasons, ...). */
  properties: z.record(z.string(), z.string()),
  /** Captured output, truncated. */
  stdout: z.string().nullable(),
  stderr: z.string().nullable(),
});
export type Case = Readonly<z.infer<typeof CaseSchema>>;

/** A point of a time series recorded during a run (k6 VUs, RPS, canary weight, ...). */
export const MetricSampleSchema = z.object({
  name: z.string(),
  time: isoTime,
  value: z.number(),
  tags: z.record(z.string(), z.string()),
});
export type MetricSample = Readonly<z.infer<typeof MetricSampleSchema>>;

export const CI_PROVIDERS = ['github-actions', 'gitlab-ci', 'jenkins', 'generic'] as const;
export type CiProvider = (typeof CI_PROVIDERS)[number];

/** Where a run came from when CI ran it. */
export const CiInfoSchema = z.object({
  provider: z.enum(CI_PROVIDERS),
  buildId: z.string().nullable(),
  commitSha: z.string().nullable(),
  branch: z.string().nullable(),
  jobUrl: z.string().nullable(),
});
export type CiInfo = Readonly<z.infer<typeof CiInfoSchema>>;

/** The wrapped tool as it was invoked. */
export const ToolInfoSchema = z.object({
  name: z.string(),
  version: z.string().nullable(),
  commandLine: z.string().nullable(),
});
export type ToolInfo = Readonly<z.infer<typeof ToolInfoSchema>>;

/**
 * Counts over a run's cases, following the seed's rule `passed + failed + skipped = total`:
 * `passed` includes `flaky`, `failed` includes `timedOut` and `interrupted`.
 */
export const TotalsSchema = z.object({
  total: nonNegInt,
  passed: nonNegInt,
  failed: nonNegInt,
  skipped: nonNegInt,
  flaky: nonNegInt,
  timedOut: nonNegInt,
  interrupted: nonNegInt,
});
export type Totals = Readonly<z.infer<typeof TotalsSchema>>;

export const RunSchema = z.object({
  id: z.string().uuid(),
  kind: z.enum(RUN_KINDS),
  name: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  startedAt: isoTime,
  completedAt: isoTime,
  durationMs: nonNeg,
  environment: z.enum(ENVIRONMENTS),
  trigger: z.enum(TRIGGERS),
  executedBy: z.string().min(1),
  ci: CiInfoSchema.nullable(),
  tool: ToolInfoSchema,
  totals: TotalsSchema,
  /** Why the run is `error` or `interrupted`, or a tool-level error next to test failures. */
  errorMessage: z.string().nullable(),
  /** Shards of one logical run share a group key (default: the CI build id). */
  runGroup: z.string().nullable(),
  shard: z.object({ current: z.number().int().positive(), total: z.number().int().positive() }).nullable(),
  /** Run-level artifacts (tool reports, raw outputs). */
  artifacts: z.array(ArtifactSchema),
  /** Extra facts carried into reports (JUnit properties). Never holds secrets. */
  metadata: z.record(z.string(), z.string()),
  cases: z.array(CaseSchema),
  metrics: z.array(MetricSampleSchema),
  e2e: E2eDetailsSchema.nullable(),
  api: ApiDetailsSchema.nullable(),
  perf: PerfDetailsSchema.nullable(),
  chaos: ChaosDetailsSchema.nullable(),
  canary: CanaryDetailsSchema.nullable(),
  /** A plan run's tiers, steps and gates (absent or null on every other kind). */
  plan: PlanDetailsSchema.nullable().optional(),
  /** The plan run this run is a step of, or null. */
  parentRunId: z.string().uuid().nullable().optional(),
});
export type Run = Readonly<z.infer<typeof RunSchema>>;
export type RunInput = z.input<typeof RunSchema>;
