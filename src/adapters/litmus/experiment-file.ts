import { z } from 'zod';
import { CHAOS_EXPERIMENT_TYPES, type ChaosExperiment } from '../../model/index.js';
import { parseDurationMs } from '../kube/duration.js';

const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes name (lower case letters, digits and "-")').max(63);
const duration = z.string().refine((v) => parseDurationMs(v) !== null, 'must be a duration such as 10s, 1m or 500ms');
/** "<5%", "< 200ms", ">=2" or a plain number. */
const bound = z.union([z.number().nonnegative(), z.string().regex(/^\s*(<=?|>=?)?\s*\d+(\.\d+)?\s*(%|ms|s)?\s*$/, 'must look like "<5%", "<200ms" or a number')]);

/**
 * The steady state that must hold before chaos is injected and again after it: an HTTP probe against
 * the service URL (error rate and p95 over a few requests) and a minimum number of Ready pods.
 */
export const SteadyStateHypothesisSchema = z
  .object({
    /** The service URL probed over HTTP (overridden by `--probe-url`). */
    url: z.string().url().optional(),
    /** Requests per check (default 5). */
    requests: z.number().int().min(1).max(100).optional(),
    error_rate: bound.optional(),
    response_time_p95: bound.optional(),
    /** Minimum Ready pods of the target (default 1). */
    ready_pods: z.number().int().nonnegative().optional(),
  })
  .strict();
export type SteadyStateHypothesis = z.infer<typeof SteadyStateHypothesisSchema>;

/** How chaos is applied; the knobs map onto the Litmus experiment's env variables. */
export const ChaosMethodSchema = z
  .object({
    chaos_interval: duration.optional(),
    total_duration: duration.optional(),
    pods_affected_perc: z.number().int().min(0).max(100).optional(),
    force: z.boolean().optional(),
    network_latency_ms: z.number().int().positive().optional(),
    jitter_ms: z.number().int().nonnegative().optional(),
    packet_loss_percentage: z.number().int().min(1).max(100).optional(),
    network_interface: z.string().optional(),
    cpu_cores: z.number().int().positive().optional(),
    cpu_load: z.number().int().min(1).max(100).optional(),
    memory_consumption_mb: z.number().int().positive().optional(),
    fill_percentage: z.number().int().min(1).max(100).optional(),
    container_runtime: z.string().optional(),
    socket_path: z.string().optional(),
  })
  .strict();
export type ChaosMethod = z.infer<typeof ChaosMethodSchema>;

/** One experiment file (`scenarios/chaos/*.yaml`), in the seed's Chaos Experiment form. */
export const ChaosExperimentFileSchema = z
  .object({
    name: z.string().min(1).max(255),
    description: z.string().optional(),
    experiment_type: z.enum(CHAOS_EXPERIMENT_TYPES),
    target_service: z.string().min(1).max(100),
    target_pod: z.string().max(100).nullable().optional(),
    hypothesis: z.string().min(1),
    steady_state_hypothesis: SteadyStateHypothesisSchema,
    method: ChaosMethodSchema.default({}),
    duration_sec: z.number().int().min(10).max(600),
    kubernetes_namespace: k8sName,
    environment: z.enum(['staging', 'production']).default('staging'),
    approval_required: z.boolean().optional(),
    /** Label selector of the target pods (default `app=<target_service>`). */
    app_label: z.string().min(1).optional(),
    app_kind: z.enum(['deployment', 'statefulset', 'daemonset', 'rollout']).default('deployment'),
    chaos_service_account: k8sName.default('litmus-admin'),
    created_by: z.string().min(1).max(100).optional(),
    tags: z.array(z.string()).default([]),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.environment === 'production' && e.approval_required === false)
      ctx.addIssue({ code: 'custom', path: ['approval_required'], message: 'must be true in production' });
    const total = e.method.total_duration ? parseDurationMs(e.method.total_duration) : null;
    if (total !== null && Math.round(total / 1000) !== e.duration_sec)
      ctx.addIssue({ code: 'custom', path: ['method', 'total_duration'], message: `must equal duration_sec (${e.duration_sec}s)` });
    const interval = e.method.chaos_interval ? parseDurationMs(e.method.chaos_interval) : null;
    if (interval !== null && interval > e.duration_sec * 1000)
      ctx.addIssue({ code: 'custom', path: ['method', 'chaos_interval'], message: 'must not exceed duration_sec' });
  });
export type ChaosExperimentFile = z.output<typeof ChaosExperimentFileSchema>;

/** An experiment file once loaded: where it came from and its resolved defaults. */
export interface ResolvedExperiment {
  readonly file: string;
  readonly definition: ChaosExperimentFile;
  readonly approvalRequired: boolean;
  readonly appLabel: string;
}

export function resolveExperiment(file: string, definition: ChaosExperimentFile): ResolvedExperiment {
  return {
    file,
    definition,
    approvalRequired: definition.environment === 'production' || definition.approval_required === true,
    appLabel: definition.app_label ?? `app=${definition.target_service}`,
  };
}

export interface SteadyStateLimits {
  readonly url: string | null;
  readonly requests: number;
  /** Percent. */
  readonly maxErrorRate: number | null;
  /** Milliseconds. */
  readonly maxP95Ms: number | null;
  readonly minReadyPods: number;
}

function upperBound(value: string | number | undefined, unit: 'percent' | 'ms'): number | null {
  if (value === undefined) return null;
  if (typeof value === 'number') return value;
  const m = /^\s*(<=?|>=?)?\s*(\d+(?:\.\d+)?)\s*(%|ms|s)?\s*$/.exec(value)!;
  const n = Number(m[2]);
  return unit === 'ms' && m[3] === 's' ? n * 1000 : n;
}

/** Numbers from the hypothesis, with `--probe-url` winning over the file. */
export function steadyStateLimits(h: SteadyStateHypothesis, probeUrl?: string): SteadyStateLimits {
  return {
    url: probeUrl ?? h.url ?? null,
    requests: h.requests ?? 5,
    maxErrorRate: upperBound(h.error_rate, 'percent'),
    maxP95Ms: upperBound(h.response_time_p95, 'ms'),
    minReadyPods: h.ready_pods ?? 1,
  };
}

/** The parts of the model record that come straight from the file. */
export function experimentRecordBase(e: ChaosExperimentFile): Pick<
  ChaosExperiment,
  'name' | 'experiment_type' | 'target_service' | 'target_pod' | 'hypothesis' | 'steady_state_hypothesis' | 'method' | 'duration_sec' | 'kubernetes_namespace'
> {
  return {
    name: e.name,
    experiment_type: e.experiment_type,
    target_service: e.target_service,
    target_pod: e.target_pod ?? null,
    hypothesis: e.hypothesis,
    steady_state_hypothesis: { ...e.steady_state_hypothesis },
    method: { ...e.method },
    duration_sec: e.duration_sec,
    kubernetes_namespace: e.kubernetes_namespace,
  };
}
