import type { Run, RunKind } from '../model/index.js';

/*
 * The data model's Prometheus metrics (seed 000, "Prometheus") computed from stored runs. Pure:
 * the CLI pushes them to a Pushgateway after a run and serves them for scraping. Every metric is
 * a gauge with the same labels; rates are percentages (0-100) and response times milliseconds, as
 * in the stored model.
 */

/** Labels of every gauge: what the run was. An empty label is absent in Prometheus. */
export const PROMETHEUS_LABELS = ['kind', 'name', 'environment', 'scenario', 'service'] as const;
export type PrometheusLabel = (typeof PROMETHEUS_LABELS)[number];

/** The seed's metrics and their help text. */
export const SEED_METRICS = {
  e2e_test_duration_seconds: 'Duration of the latest E2E run, seconds',
  e2e_test_success_rate: 'Share of passed tests in the latest E2E run (flaky counts as passed), percent',
  canary_traffic_weight: 'Traffic weight of the canary in the latest canary run, percent',
  canary_error_rate: 'Error rate of the canary in the latest canary run, percent',
  canary_response_time_p95: 'p95 response time of the canary in the latest canary run, milliseconds',
  chaos_recovery_time_seconds: 'Recovery time measured by the latest chaos experiment, seconds',
  performance_test_tps: 'Throughput of the latest load test, requests per second',
  performance_test_response_time_p95: 'p95 response time of the latest load test, milliseconds',
  api_test_success_rate: 'Share of passed requests in the latest API run, percent',
} as const;
export type SeedMetricName = keyof typeof SEED_METRICS;

export interface GaugeSample {
  readonly metric: SeedMetricName;
  readonly labels: Readonly<Record<PrometheusLabel, string>>;
  readonly value: number;
}

function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function rate(passed: number, failed: number): number | null {
  const n = passed + failed;
  return n > 0 ? round((passed / n) * 100) : null;
}

/** The gauges one run contributes; nothing for a run without figures (a tool error, say). */
export function runGauges(run: Run): GaugeSample[] {
  const base = { kind: run.kind, name: run.name, environment: run.environment, scenario: '', service: '' };
  const out: GaugeSample[] = [];
  const add = (metric: SeedMetricName, value: number | null | undefined, extra: Partial<Record<PrometheusLabel, string>> = {}) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    out.push({ metric, labels: { ...base, ...extra }, value });
  };
  switch (run.kind) {
    case 'e2e': {
      const scenario = run.e2e?.scenarios.length === 1 ? run.e2e.scenarios[0]!.name : run.name;
      add('e2e_test_duration_seconds', run.status === 'error' ? null : round(run.durationMs / 1000), { scenario });
      add('e2e_test_success_rate', rate(run.totals.passed + run.totals.flaky, run.totals.failed + run.totals.timedOut), { scenario });
      break;
    }
    case 'api': {
      const suites = run.api?.suites ?? [];
      const passed = suites.reduce((s, x) => s + x.passed_tests, 0);
      const failed = suites.reduce((s, x) => s + x.failed_tests, 0);
      const service = [...new Set(suites.map((s) => s.service_name))].join(',');
      add('api_test_success_rate', rate(passed, failed), { service });
      break;
    }
    case 'perf': {
      const t = run.perf?.test;
      if (t) {
        add('performance_test_tps', t.actual_tps, { scenario: t.scenario_name });
        add('performance_test_response_time_p95', t.p95_response_time, { scenario: t.scenario_name });
      }
      break;
    }
    case 'chaos': {
      const x = run.chaos?.experiment;
      if (x) add('chaos_recovery_time_seconds', x.recovery_time_sec, { scenario: x.experiment_type, service: x.target_service });
      break;
    }
    case 'canary': {
      const d = run.canary?.deployment;
      if (d) {
        add('canary_traffic_weight', d.traffic_weight, { service: d.service_name });
        add('canary_error_rate', d.error_rate, { service: d.service_name });
        add('canary_response_time_p95', d.response_time_p95, { service: d.service_name });
      }
      break;
    }
  }
  return out;
}

/** Which runs are "the latest" of the same thing: kind, name and environment. */
export function runSeriesKey(run: Pick<Run, 'kind' | 'name' | 'environment'>): string {
  return `${run.kind}\u0000${run.name}\u0000${run.environment}`;
}

/**
 * The gauges of many runs: for each kind, name and environment the latest run (by start time) that
 * has figures, so a later run that crashed does not erase the last real value.
 */
export function latestGauges(runs: readonly Run[]): GaugeSample[] {
  const sorted = [...runs].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  const seen = new Set<string>();
  const out: GaugeSample[] = [];
  for (const run of sorted) {
    const gauges = runGauges(run);
    for (const g of gauges) {
      const key = `${g.metric}\u0000${PROMETHEUS_LABELS.map((l) => g.labels[l]).join('\u0000')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(g);
    }
  }
  return out;
}

/** The kinds each metric comes from. */
export const METRIC_KINDS: Readonly<Record<SeedMetricName, RunKind>> = {
  e2e_test_duration_seconds: 'e2e',
  e2e_test_success_rate: 'e2e',
  canary_traffic_weight: 'canary',
  canary_error_rate: 'canary',
  canary_response_time_p95: 'canary',
  chaos_recovery_time_seconds: 'chaos',
  performance_test_tps: 'perf',
  performance_test_response_time_p95: 'perf',
  api_test_success_rate: 'api',
};
