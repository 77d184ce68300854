import { z } from 'zod';

const ConditionSchema = z.object({ type: z.string(), status: z.string(), lastTransitionTime: z.string().optional() }).loose();

/** The fields of a Pod we read; everything else passes through. */
export const PodSchema = z
  .object({
    metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }).loose(),
    status: z
      .object({
        phase: z.string().optional(),
        conditions: z.array(ConditionSchema).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type Pod = z.infer<typeof PodSchema>;

/** `kubectl get pods -l ... -o json` prints a List. */
export const PodListSchema = z.object({ items: z.array(PodSchema) }).loose();
export type PodList = z.infer<typeof PodListSchema>;

/** A pod is ready when it runs and its Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  if (pod.status?.phase !== 'Running') return false;
  return (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export interface PodReadiness {
  readonly total: number;
  readonly ready: number;
  readonly notReady: readonly string[];
  /**
   * When the last of the pods turned Ready, as the cluster reports it (the latest `lastTransitionTime`
   * of their Ready conditions, second precision), or null when a pod is not Ready or none says.
   */
  readonly readyAt: string | null;
}

/** Counts ready pods in a list, naming the ones that are not. */
export function summarizeReadiness(list: PodList, onlyPod?: string | null): PodReadiness {
  const pods = onlyPod ? list.items.filter((p) => p.metadata.name === onlyPod) : list.items;
  const notReady = pods.filter((p) => !isPodReady(p)).map((p) => p.metadata.name);
  let readyAt: number | null = null;
  if (!notReady.length) {
    for (const p of pods) {
      const t = Date.parse((p.status?.conditions ?? []).find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
      if (Number.isFinite(t)) readyAt = Math.max(readyAt ?? t, t);
    }
  }
  return { total: pods.length, ready: pods.length - notReady.length, notReady, readyAt: readyAt === null ? null : new Date(readyAt).toISOString() };
}
