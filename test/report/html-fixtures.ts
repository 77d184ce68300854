import type { Run } from '../../src/model/index.js';
import { FIXED_START, canaryRun, chaosRun, makeRun } from './fixtures.js';

/*
 * Stored runs for the HTML report and dashboard tests where the real tool cannot run here (Litmus
 * and Flagger need a cluster): shaped like what the chaos and canary commands store.
 */

const t = (sec: number) => new Date(Date.parse(FIXED_START) + sec * 1000).toISOString();

/** A pod-delete experiment that recovered too slowly: steady state, injection, probes, recovery, verdict, audit. */
export function chaosRunWithTimeline(id = '0c4a8e1f-2b3d-4c5e-9f60-718293a4b5c6'): Run {
  const base = chaosRun();
  const experiment = base.chaos!.experiment;
  type ObservationType = NonNullable<Run['chaos']>['experiment']['observations'][number]['observation_type'];
  const obs = (sec: number, type: ObservationType, metric: string, value: string, notes: string | null = null) => ({ observed_at: t(sec), observation_type: type, metric_name: metric, metric_value: value, notes });
  const latency = [120, 118, 410, 980, 760, 300, 160, 125].map((v, i) => obs(i * 6, i === 0 ? 'steady_state_before' : i < 5 ? 'during' : 'steady_state_after', 'p95_latency_ms', String(v)));
  return {
    ...base,
    id,
    runGroup: null,
    chaos: {
      experiment: {
        ...experiment,
        observations: [
          obs(0, 'steady_state_before', 'ready_pods', '3/3', 'payments healthy before injection'),
          ...latency,
          obs(2, 'during', 'chaos_injected', 'pod payments-7d9f-x2k deleted'),
          obs(20, 'probe', 'http-probe payments /health', 'Failed', 'connection refused'),
          obs(44, 'recovery', 'ready_pods', '3/3', 'recovered after 42 s'),
          obs(60, 'verdict', 'ChaosResult verdict', 'Fail', 'recovery 42 s > target 30 s'),
        ],
        audit: [
          { at: t(-120), actor: 'ci-bot', action: 'created', detail: 'experiment pod-delete-payments' },
          { at: t(-60), actor: 'sre-lead', action: 'approved', detail: 'staging window' },
          { at: t(0), actor: 'ci-bot', action: 'started', detail: 'ChaosEngine payments-chaos' },
          { at: t(60), actor: 'ci-bot', action: 'completed', detail: 'verdict Fail' },
        ],
      },
    },
  };
}

/** A canary that rolled back, with its analysis polls. */
export function canaryRunWithMetrics(id = '1d5b9f20-3c4e-4d6f-8a71-8293a4b5c6d7'): Run {
  const base = canaryRun();
  const weights = [0, 10, 20, 30, 20, 0];
  const errors = [0.1, 0.3, 0.6, 2.8, 4.2, 4.2];
  const p95 = [180, 210, 260, 420, 610, 380];
  return {
    ...base,
    id,
    runGroup: null,
    canary: {
      deployment: {
        ...base.canary!.deployment,
        metrics: weights.map((w, i) => ({
          measured_at: t(i * 60),
          traffic_weight: w,
          error_rate: errors[i]!,
          response_time_p95: p95[i]!,
          request_success_rate: 100 - errors[i]!,
          total_requests: 1000 + i * 100,
          failed_requests: Math.round(((1000 + i * 100) * errors[i]!) / 100),
          phase: i === weights.length - 1 ? 'Failed' : 'Progressing',
          iterations: i,
          failed_checks: i >= 3 ? i - 2 : 0,
        })),
      },
    },
  };
}

/** Two shards of one CI build: one passed, one failed. */
export function shardRuns(group = 'build-4711'): Run[] {
  return [1, 2].map((n) =>
    makeRun({
      id: n === 1 ? '2e6c0a31-4d5f-4e70-9b82-93a4b5c6d7e8' : '3f7d1b42-5e60-4f81-8c93-a4b5c6d7e8f9',
      name: `checkout shard ${n}`,
      runGroup: group,
      shard: { current: n, total: 2 },
      cases: n === 1 ? [{ name: 'adds to cart' }, { name: 'applies coupon' }] : [{ name: 'pays with card', status: 'failed', errorMessage: 'expected 200, got 500', errorStack: 'Error: expected 200, got 500\n    at checkout.spec.ts:40:7' }, { name: 'shows receipt' }],
    }),
  );
}

/** A run of `n` cases, some failing and flaky (the 10,000-case benchmark). */
export function manyCaseRun(n: number): Run {
  const cases = [];
  for (let i = 0; i < n; i++) {
    const status = i % 97 === 0 ? 'failed' : i % 89 === 0 ? 'flaky' : i % 61 === 0 ? 'skipped' : 'passed';
    cases.push({
      name: `case ${i} places an order with a reasonably long descriptive title`,
      suitePath: [`spec-${i % 50}.spec.ts`, `group ${i % 7}`],
      status: status as 'passed',
      ...(status === 'failed' ? { errorMessage: `expected 200, got 500 in case ${i}`, errorStack: `Error: expected 200, got 500\n    at spec-${i % 50}.spec.ts:${i % 300}:5` } : {}),
    });
  }
  return makeRun({ id: '4a8e2c53-6f71-4a92-9da4-b5c6d7e8f9a0', name: `large run of ${n}`, cases });
}

/** A k6-like run with `n` per-second series rows (the 100,000-sample benchmark). */
export function bigPerfRun(n: number): Run {
  const base = makeRun({
    id: '5b9f3d64-7a82-4ba3-8eb5-c6d7e8f9a0b1',
    kind: 'perf',
    name: 'soak',
    tool: { name: 'k6', version: '0.49.0', commandLine: 'k6 run k6/soak.js' },
    cases: [{ name: 'p(95)<500', suitePath: ['thresholds', 'http_req_duration'], file: null, project: null, properties: { metric: 'http_req_duration', expression: 'p(95)<500', observed: 'p(95)=412ms' } }],
  });
  const start = Date.parse(FIXED_START);
  const metrics = [];
  for (let i = 0; i < n; i++) {
    metrics.push({
      measured_at: new Date(start + i * 1000).toISOString(),
      virtual_users: 50 + Math.round(40 * Math.sin(i / 500)),
      requests_per_sec: 200 + 50 * Math.sin(i / 300),
      response_time_p95: 300 + Math.round(100 * Math.sin(i / 200)) + (i % 997 === 0 ? 400 : 0),
      error_rate: i % 1009 === 0 ? 5 : 0.2,
    });
  }
  return {
    ...base,
    perf: {
      test: {
        test_type: 'soak',
        scenario_name: 'soak',
        target_tps: 200,
        actual_tps: 199.5,
        p95_response_time: 412,
        p99_response_time: 700,
        avg_response_time: 250,
        max_response_time: 1200,
        error_rate: 0.3,
        total_requests: n * 200,
        failed_requests: n,
        duration_sec: n,
        virtual_users: 90,
        status: 'completed',
        started_at: FIXED_START,
        completed_at: new Date(start + n * 1000).toISOString(),
        k6_script_path: 'k6/soak.js',
        environment: 'local',
        ci_build_id: null,
        executed_by: 'ci-bot',
        metrics,
      },
    },
  };
}
