import { runKubectl, type KubectlTarget } from '../../exec/kubectl.js';
import { isUnreachable, kubectlError, parseKubectlJson } from '../kube/kubectl-output.js';
import { PodListSchema, summarizeReadiness, type PodReadiness } from '../kube/pods.js';
import type { SteadyStateLimits } from './experiment-file.js';

export interface PodCheck {
  readonly ok: boolean;
  readonly readiness: PodReadiness;
  readonly detail: string;
}

export interface HttpCheck {
  readonly ok: boolean;
  /** Null when no URL was given. */
  readonly errorRate: number | null;
  readonly p95Ms: number | null;
  /** Requests measured (the warm-up request is not among them). */
  readonly samples: number;
  readonly detail: string;
}

export interface SteadyStateCheck {
  readonly ok: boolean;
  readonly at: string;
  readonly pods: PodCheck;
  readonly http: HttpCheck | null;
}

/** Ready pods of the target (`kubectl get pods -l <label> -o json`). Throws a ToolError when kubectl cannot answer. */
export async function checkPods(
  target: KubectlTarget,
  label: string,
  targetPod: string | null,
  minReady: number,
  toolVersion: string | null,
  signal?: AbortSignal,
): Promise<PodCheck> {
  const out = await runKubectl(target, ['get', 'pods', '-l', label, '-o', 'json'], { signal });
  if (out.exitCode !== 0) throw kubectlError(out, `list the pods "${label}" in namespace ${target.namespace}`, toolVersion);
  const list = parseKubectlJson(out, PodListSchema, 'pod list', toolVersion);
  const readiness = summarizeReadiness(list, targetPod);
  const allReady = readiness.notReady.length === 0;
  const ok = readiness.total > 0 && allReady && readiness.ready >= minReady;
  const detail =
    readiness.total === 0
      ? `no pods match "${label}"${targetPod ? ` (pod ${targetPod})` : ''}`
      : `${readiness.ready}/${readiness.total} pods ready (need ${minReady})${allReady ? '' : `; not ready: ${readiness.notReady.slice(0, 5).join(', ')}`}`;
  return { ok, readiness, detail };
}

/** Whether a kubectl failure means the API server is gone (as opposed to a bad answer). */
export { isUnreachable };

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A p95 over fewer samples is just the slowest request; 20 makes it the 19th of 20. */
export const MIN_P95_SAMPLES = 20;

/**
 * GETs against the service URL: error rate (non-2xx/3xx or no answer) and p95 latency against the
 * limits. One warm-up request goes first and is not counted: it pays for the connection set-up
 * (DNS, TCP, TLS), which would otherwise be the p95 of a handful of samples. The rest reuse the
 * connection (keep-alive), and at least MIN_P95_SAMPLES are taken when a p95 limit is set.
 */
export async function checkHttp(limits: SteadyStateLimits, signal?: AbortSignal): Promise<HttpCheck | null> {
  if (!limits.url) return null;
  const count = limits.maxP95Ms !== null ? Math.max(limits.requests, MIN_P95_SAMPLES) : limits.requests;
  const latencies: number[] = [];
  let errors = 0;
  let lastError = '';
  const get = async (): Promise<string | null> => {
    try {
      const res = await fetch(limits.url!, { signal: AbortSignal.timeout(5000), redirect: 'manual', keepalive: true });
      await res.arrayBuffer();
      return res.status < 200 || res.status >= 400 ? `HTTP ${res.status}` : null;
    } catch (error) {
      return (error as Error).cause ? String(((error as Error).cause as Error).message ?? (error as Error).cause) : (error as Error).message;
    }
  };
  // Warm-up: opens the connection; its answer still counts as an error if there is none.
  if (!signal?.aborted) {
    const warm = await get();
    if (warm !== null) lastError = warm;
  }
  for (let i = 0; i < count; i++) {
    if (signal?.aborted) break;
    const started = performance.now();
    const failure = await get();
    if (failure !== null) {
      errors++;
      lastError = failure;
    }
    latencies.push(performance.now() - started);
  }
  const n = latencies.length || 1;
  const errorRate = Math.round((errors / n) * 10000) / 100;
  const p95Ms = latencies.length ? Math.round(percentile(latencies, 95)) : null;
  const maxErrorRate = limits.maxErrorRate ?? 5;
  const errorOk = errorRate < maxErrorRate || (maxErrorRate === 0 && errorRate === 0);
  const latencyOk = limits.maxP95Ms === null || (p95Ms !== null && p95Ms < limits.maxP95Ms);
  const ok = latencies.length > 0 && errorOk && latencyOk;
  const detail =
    `${limits.url}: error rate ${errorRate}% (limit <${maxErrorRate}%), p95 ${p95Ms ?? '-'} ms` +
    (limits.maxP95Ms !== null ? ` (limit <${limits.maxP95Ms} ms)` : '') +
    ` over ${latencies.length} requests after 1 warm-up` +
    (lastError ? `; last error: ${lastError}` : '');
  return { ok, errorRate, p95Ms, samples: latencies.length, detail };
}

/** Both halves of the steady state. */
export async function checkSteadyState(
  target: KubectlTarget,
  options: { label: string; targetPod: string | null; limits: SteadyStateLimits; toolVersion: string | null; signal?: AbortSignal },
): Promise<SteadyStateCheck> {
  const at = new Date().toISOString();
  const pods = await checkPods(target, options.label, options.targetPod, options.limits.minReadyPods, options.toolVersion, options.signal);
  const http = await checkHttp(options.limits, options.signal);
  return { ok: pods.ok && (http?.ok ?? true), at, pods, http };
}
