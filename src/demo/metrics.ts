import type { FdsDecision } from './types.js';

/** Upper bounds (seconds) of the latency histogram buckets, as in the Prometheus client defaults. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Histogram {
  readonly counts: number[];
  sum: number;
  count: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');
  return `{${body}}`;
}

/** In-process metrics rendered in the Prometheus text exposition format (version 0.0.4). */
export class ShopMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly decisions = new Map<FdsDecision, number>([
    ['approve', 0],
    ['review', 0],
    ['block', 0],
  ]);
  private readonly injected = new Map<string, number>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const reqKey = JSON.stringify([method, route, String(status)]);
    this.requests.set(reqKey, (this.requests.get(reqKey) ?? 0) + 1);
    const latKey = JSON.stringify([method, route]);
    let h = this.latency.get(latKey);
    if (!h) {
      h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.latency.set(latKey, h);
    }
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) h.counts[i]! += 1;
    });
    h.sum += seconds;
    h.count += 1;
  }

  observeDecision(decision: FdsDecision): void {
    this.decisions.set(decision, (this.decisions.get(decision) ?? 0) + 1);
  }

  observeInjectedFault(kind: 'latency' | 'error' | 'down'): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP shopfds_http_requests_total HTTP requests handled, by method, route pattern and status code.');
    lines.push('# TYPE shopfds_http_requests_total counter');
    for (const [key, value] of [...this.requests].sort()) {
      const [method, route, status] = JSON.parse(key) as [string, string, string];
      lines.push(`shopfds_http_requests_total${labels({ method, route, status })} ${value}`);
    }
    lines.push('# HELP shopfds_http_request_duration_seconds HTTP request latency, by method and route pattern.');
    lines.push('# TYPE shopfds_http_request_duration_seconds histogram');
    for (const [key, h] of [...this.latency].sort()) {
      const [method, route] = JSON.parse(key) as [string, string];
      BUCKETS.forEach((le, i) => {
        lines.push(`shopfds_http_request_duration_seconds_bucket${labels({ method, route, le: String(le) })} ${h.counts[i]}`);
      });
      lines.push(`shopfds_http_request_duration_seconds_bucket${labels({ method, route, le: '+Inf' })} ${h.count}`);
      lines.push(`shopfds_http_request_duration_seconds_sum${labels({ method, route })} ${h.sum}`);
      lines.push(`shopfds_http_request_duration_seconds_count${labels({ method, route })} ${h.count}`);
    }
    lines.push('# HELP shopfds_fds_decisions_total FDS decisions made at checkout and by /api/fds/score.');
    lines.push('# TYPE shopfds_fds_decisions_total counter');
    for (const [decision, value] of this.decisions) {
      lines.push(`shopfds_fds_decisions_total${labels({ decision })} ${value}`);
    }
    lines.push('# HELP shopfds_injected_faults_total Faults injected through /__admin/faults or SHOPFDS_DEMO_FAULTS.');
    lines.push('# TYPE shopfds_injected_faults_total counter');
    for (const kind of ['latency', 'error', 'down'] as const) {
      lines.push(`shopfds_injected_faults_total${labels({ kind })} ${this.injected.get(kind) ?? 0}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
