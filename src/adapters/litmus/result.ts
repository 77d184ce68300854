import { z } from 'zod';

const ExperimentStatusSchema = z
  .object({
    phase: z.string().optional(),
    verdict: z.string().optional(),
    // A string ("100") in real outputs; numbers tolerated.
    probeSuccessPercentage: z.union([z.string(), z.number()]).optional(),
    failStep: z.string().optional(),
    errorOutput: z.object({ errorCode: z.string().optional(), reason: z.string().optional() }).loose().optional(),
  })
  .loose();

const ProbeStatus3xSchema = z
  .object({
    name: z.string(),
    type: z.string().optional(),
    mode: z.string().optional(),
    status: z.object({ verdict: z.string().optional(), description: z.string().optional() }).loose().optional(),
  })
  .loose();

// Litmus 1.x/2.x: `probeStatus` with per-phase strings such as "Passed 👍" or "Better Luck Next Time 👎".
const ProbeStatusOldSchema = z
  .object({ name: z.string(), type: z.string().optional(), status: z.record(z.string(), z.string()).optional() })
  .loose();

/** The fields of a ChaosResult we read. Status is `x-kubernetes-preserve-unknown-fields`: read defensively. */
export const ChaosResultSchema = z
  .object({
    metadata: z.object({ name: z.string() }).loose(),
    spec: z.object({ engine: z.string().optional(), experiment: z.string().optional() }).loose().optional(),
    status: z
      .object({
        experimentStatus: ExperimentStatusSchema.optional(),
        experimentstatus: ExperimentStatusSchema.optional(),
        probeStatuses: z.array(ProbeStatus3xSchema).optional(),
        probeStatus: z.array(ProbeStatusOldSchema).optional(),
        history: z
          .object({ passedRuns: z.number().optional(), failedRuns: z.number().optional(), stoppedRuns: z.number().optional() })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type ChaosResult = z.infer<typeof ChaosResultSchema>;

export type ProbeVerdict = 'Passed' | 'Failed' | 'N/A' | 'Awaited';

export interface ProbeOutcome {
  readonly name: string;
  readonly type: string | null;
  readonly mode: string | null;
  readonly verdict: ProbeVerdict;
  readonly description: string | null;
}

export interface ChaosResultSummary {
  readonly phase: string | null;
  /** Awaited | Pass | Fail | Stopped | Error, as the operator wrote it. */
  readonly verdict: string | null;
  /** True once the verdict is final: a final verdict AND a phase that is no longer running. */
  readonly finished: boolean;
  readonly probeSuccessPercentage: number | null;
  /** Why it failed: `failStep` (older releases) or `errorOutput` (3.x), null when passed ("N/A"). */
  readonly failStep: string | null;
  readonly probes: readonly ProbeOutcome[];
}

const FINAL_VERDICTS = new Set(['Pass', 'Fail', 'Stopped', 'Error']);
const RUNNING_PHASES = new Set(['', 'Running', 'Awaited', 'Initialized']);

function oldProbeVerdict(status: Record<string, string> | undefined): { verdict: ProbeVerdict; mode: string | null } {
  const entries = Object.entries(status ?? {});
  const mode = entries.map(([k]) => k).join(',') || null;
  if (entries.some(([, v]) => /Better Luck|Failed/i.test(v))) return { verdict: 'Failed', mode };
  if (entries.length && entries.every(([, v]) => /^Passed/i.test(v))) return { verdict: 'Passed', mode };
  if (entries.some(([, v]) => /N\/A/i.test(v))) return { verdict: 'N/A', mode };
  return { verdict: 'Awaited', mode };
}

function probeVerdict(v: string | undefined): ProbeVerdict {
  switch ((v ?? '').toLowerCase()) {
    case 'passed':
      return 'Passed';
    case 'failed':
      return 'Failed';
    case 'n/a':
      return 'N/A';
    default:
      return 'Awaited';
  }
}

/** Normalizes a ChaosResult across Litmus 1.x-3.x spellings. */
export function summarizeChaosResult(result: ChaosResult): ChaosResultSummary {
  const status = result.status ?? {};
  const es = status.experimentStatus ?? status.experimentstatus ?? {};
  const phase = es.phase?.trim() || null;
  const verdict = es.verdict?.trim() || null;
  const finished = verdict !== null && FINAL_VERDICTS.has(verdict) && phase !== null && !RUNNING_PHASES.has(phase);
  const pct = es.probeSuccessPercentage === undefined ? NaN : Number(es.probeSuccessPercentage);
  const errorText = es.errorOutput?.reason ? `${es.errorOutput.errorCode ? `${es.errorOutput.errorCode}: ` : ''}${es.errorOutput.reason}` : null;
  const failStepText = es.failStep && es.failStep !== 'N/A' ? es.failStep : null;
  const probes: ProbeOutcome[] = status.probeStatuses
    ? status.probeStatuses.map((p) => ({
        name: p.name,
        type: p.type ?? null,
        mode: p.mode ?? null,
        verdict: probeVerdict(p.status?.verdict),
        description: p.status?.description ?? null,
      }))
    : (status.probeStatus ?? []).map((p) => ({ name: p.name, type: p.type ?? null, ...oldProbeVerdict(p.status), description: null }));
  return {
    phase,
    verdict,
    finished,
    probeSuccessPercentage: Number.isFinite(pct) ? pct : null,
    failStep: errorText ?? failStepText,
    probes,
  };
}

/** The ChaosEngine status fields we read while stopping an engine. */
export const ChaosEngineSchema = z
  .object({
    metadata: z.object({ name: z.string() }).loose(),
    spec: z.object({ engineState: z.string().optional() }).loose().optional(),
    status: z
      .object({
        engineStatus: z.string().optional(),
        experiments: z.array(z.object({ name: z.string().optional(), status: z.string().optional(), verdict: z.string().optional() }).loose()).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type ChaosEngine = z.infer<typeof ChaosEngineSchema>;
