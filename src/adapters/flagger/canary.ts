import { z } from 'zod';
import type { CanaryDeployment } from '../../model/index.js';
import { parseDurationMs } from '../kube/duration.js';

const ConditionSchema = z
  .object({
    type: z.string(),
    status: z.string().optional(),
    reason: z.string().optional(),
    message: z.string().optional(),
    lastUpdateTime: z.string().optional(),
    lastTransitionTime: z.string().optional(),
  })
  .loose();

const MetricSchema = z
  .object({
    name: z.string(),
    thresholdRange: z.object({ min: z.number().optional(), max: z.number().optional() }).loose().optional(),
    // Flagger < 1.0 used `threshold`.
    threshold: z.number().optional(),
    interval: z.string().optional(),
  })
  .loose();

/** The fields of a Canary (flagger.app/v1beta1) we read. */
export const CanarySchema = z
  .object({
    metadata: z.object({ name: z.string(), namespace: z.string().optional() }).loose(),
    spec: z
      .object({
        targetRef: z.object({ kind: z.string().optional(), name: z.string() }).loose(),
        analysis: z
          .object({
            interval: z.string().optional(),
            threshold: z.number().optional(),
            maxWeight: z.number().optional(),
            stepWeight: z.number().optional(),
            iterations: z.number().optional(),
            metrics: z.array(MetricSchema).optional(),
          })
          .loose()
          .optional(),
      })
      .loose(),
    status: z
      .object({
        phase: z.string().optional(),
        canaryWeight: z.number().optional(),
        failedChecks: z.number().optional(),
        iterations: z.number().optional(),
        lastAppliedSpec: z.string().optional(),
        lastPromotedSpec: z.string().optional(),
        lastTransitionTime: z.string().optional(),
        conditions: z.array(ConditionSchema).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type Canary = z.infer<typeof CanarySchema>;

/** Flagger phases that end a rollout. */
export const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

/** Maps Flagger's phase onto the seed's canary status. A Failed canary was rolled back by Flagger. */
export function canaryStatusFor(phase: string | null): CanaryDeployment['status'] {
  switch (phase) {
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'rollback';
    case 'Progressing':
    case 'Waiting':
    case 'WaitingPromotion':
    case 'Promoting':
    case 'Finalising':
      return 'progressing';
    default:
      // Initializing, Initialized, Terminating, Terminated, or no status yet.
      return 'initializing';
  }
}

export interface CanarySnapshot {
  readonly phase: string | null;
  readonly weight: number;
  readonly failedChecks: number | null;
  readonly iterations: number | null;
  readonly lastAppliedSpec: string | null;
  readonly lastPromotedSpec: string | null;
  /** The `Promoted` condition. */
  readonly condition: { readonly status: string | null; readonly reason: string | null; readonly message: string | null } | null;
}

export function snapshotCanary(canary: Canary): CanarySnapshot {
  const s = canary.status ?? {};
  const promoted = (s.conditions ?? []).find((c) => c.type === 'Promoted') ?? s.conditions?.[0];
  return {
    phase: s.phase ?? null,
    weight: Math.max(0, Math.min(100, Math.round(s.canaryWeight ?? 0))),
    failedChecks: s.failedChecks ?? null,
    iterations: s.iterations ?? null,
    lastAppliedSpec: s.lastAppliedSpec ?? null,
    lastPromotedSpec: s.lastPromotedSpec ?? null,
    condition: promoted ? { status: promoted.status ?? null, reason: promoted.reason ?? null, message: promoted.message ?? null } : null,
  };
}

/**
 * Why Flagger rolled back, from the `Promoted` condition (e.g. "Canary analysis failed, Deployment
 * scaled to zero."), with the failed-check count; Flagger's detailed "Halt ... success rate" lines
 * are only in Events.
 */
export function rollbackReason(snapshot: CanarySnapshot, threshold: number | null): string {
  const message = snapshot.condition?.message?.trim() || `Canary phase ${snapshot.phase ?? 'unknown'}`;
  const checks =
    snapshot.failedChecks !== null && snapshot.failedChecks > 0
      ? ` (failed checks ${snapshot.failedChecks}${threshold !== null ? `/${threshold}` : ''})`
      : '';
  return `${message}${checks}`;
}

export interface AnalysisSettings {
  readonly intervalSec: number;
  readonly threshold: number | null;
  /** Percent; from the request-success-rate minimum (100 - min), else the seed's default 5. */
  readonly maxErrorRate: number;
  /** Milliseconds; from the request-duration maximum, else the seed's default 200. */
  readonly maxResponseTimeMs: number;
}

/** The analysis knobs recorded with the deployment, defaulting to the seed's values. */
export function analysisSettings(canary: Canary): AnalysisSettings {
  const a = canary.spec.analysis ?? {};
  const interval = a.interval ? parseDurationMs(a.interval) : null;
  const metric = (name: string) => a.metrics?.find((m) => m.name === name);
  const success = metric('request-success-rate');
  const minSuccess = success?.thresholdRange?.min ?? success?.threshold;
  const duration = metric('request-duration');
  const maxDuration = duration?.thresholdRange?.max ?? duration?.threshold;
  return {
    intervalSec: interval ? Math.max(1, Math.round(interval / 1000)) : 60,
    threshold: a.threshold ?? null,
    maxErrorRate: minSuccess !== undefined ? Math.max(0, Math.min(100, Math.round((100 - minSuccess) * 100) / 100)) : 5,
    maxResponseTimeMs: maxDuration !== undefined ? Math.max(0, Math.round(maxDuration)) : 200,
  };
}
