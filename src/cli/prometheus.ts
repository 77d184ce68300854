import type { Run } from '../model/index.js';
import type { GaugeSample } from '../report/prometheus.js';

/** The Prometheus text exposition of these gauges (prom-client renders it). */
export async function renderGauges(samples: readonly GaugeSample[]): Promise<{ text: string; contentType: string }> {
  const [{ Registry, Gauge }, { PROMETHEUS_LABELS, SEED_METRICS }] = await Promise.all([import('prom-client'), import('../report/prometheus.js')]);
  const registry = new Registry();
  const gauges = new Map<string, InstanceType<typeof Gauge>>();
  for (const s of samples) {
    let gauge = gauges.get(s.metric);
    if (!gauge) {
      gauge = new Gauge({ name: s.metric, help: SEED_METRICS[s.metric], labelNames: [...PROMETHEUS_LABELS], registers: [registry] });
      gauges.set(s.metric, gauge);
    }
    gauge.set({ ...s.labels }, s.value);
  }
  return { text: await registry.metrics(), contentType: registry.contentType };
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * The Pushgateway group of a run: job `shopfds-test` and one group per kind, name and environment
 * (base64url in the path, as the Pushgateway allows for any value), so a run replaces the previous
 * figures of the same thing and leaves the others alone.
 */
export function pushgatewayGroupUrl(gateway: string, run: Pick<Run, 'kind' | 'name' | 'environment'>): string {
  const root = gateway.replace(/\/+$/, '');
  return `${root}/metrics/job/shopfds-test/run@base64/${base64url(`${run.kind}/${run.name}/${run.environment}`)}`;
}

/** Where a URL points, without credentials (for messages). */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Pushes one run's gauges to a Pushgateway (PUT: the group's previous figures are replaced).
 * Returns null on success or when the run has no figures, else the problem (the caller warns;
 * the stored run is never affected).
 */
export async function pushRunMetrics(gateway: string, run: Run, timeoutMs = 10_000): Promise<{ pushed: number; problem: string | null }> {
  const { runGauges } = await import('../report/prometheus.js');
  const samples = runGauges(run);
  if (samples.length === 0) return { pushed: 0, problem: null };
  let url: string;
  try {
    const parsed = new URL(gateway);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { pushed: 0, problem: `the Pushgateway URL must be http(s) (got "${shownUrl(gateway)}")` };
    url = pushgatewayGroupUrl(gateway, run);
  } catch {
    return { pushed: 0, problem: `the Pushgateway URL is not a URL (got "${gateway}")` };
  }
  const { text, contentType } = await renderGauges(samples);
  const headers: Record<string, string> = { 'content-type': contentType };
  const u = new URL(url);
  if (u.username || u.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  try {
    const res = await fetch(u, { method: 'PUT', body: text, headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      const body = (await res.text().catch(() => '')).trim().split('\n')[0] ?? '';
      return { pushed: 0, problem: `the Pushgateway at ${shownUrl(gateway)} answered ${res.status}${body ? `: ${body.slice(0, 200)}` : ''}` };
    }
    return { pushed: samples.length, problem: null };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { pushed: 0, problem: `could not push to the Pushgateway at ${shownUrl(gateway)}: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
  }
}
