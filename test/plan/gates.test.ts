import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  makeCase,
  makeRun,
  validateRun,
  type Case,
  type CaseStatus,
  type ChaosExperiment,
  type KindDetails,
  type PerformanceTest,
  type Run,
  type RunKind,
} from '../../src/model/index.js';
import { evaluateGate, parseGate, type Gate } from '../../src/plan/gates.js';

const STARTED = '2026-03-01T09:00:00.000Z';
const COMPLETED = '2026-03-01T09:01:00.000Z';
const TOOLS: Record<RunKind, string> = { e2e: 'playwright', api: 'newman', perf: 'k6', chaos: 'litmus', canary: 'flagger', plan: 'shopfds-test plan' };

function cases(...statuses: CaseStatus[]): Case[] {
  return statuses.map((status, ordinal) => makeCase({ ordinal, name: `case ${ordinal} (${status})`, status, errorMessage: status === 'failed' ? 'expected 200, got 500' : null }));
}

/** A run as a command stores it: built by the model's makeRun and checked by validateRun. */
function run(kind: RunKind, name: string, caseList: readonly Case[], details: KindDetails | null, durationMs?: number): Run {
  const built = makeRun({
    id: randomUUID(),
    kind,
    startedAt: STARTED,
    completedAt: COMPLETED,
    durationMs,
    environment: 'local',
    trigger: 'manual',
    executedBy: 'tester',
    ci: null,
    runGroup: null,
    name,
    tool: { name: TOOLS[kind], version: null, commandLine: null },
    cases: caseList,
    details,
  });
  const checked = validateRun(built);
  if (!checked.ok) throw new Error(`invalid run: ${checked.issues.join('; ')}`);
  return checked.run;
}

function perfRun(name: string, figures: Partial<PerformanceTest> = {}): Run {
  const test: PerformanceTest = {
    test_type: 'load',
    scenario_name: name,
    target_tps: 50,
    actual_tps: 48.5,
    p95_response_time: 180,
    p99_response_time: 240,
    avg_response_time: 75,
    max_response_time: 910,
    error_rate: 0.35,
    total_requests: 2910,
    failed_requests: 10,
    duration_sec: 60,
    virtual_users: 10,
    status: 'completed',
    started_at: STARTED,
    completed_at: COMPLETED,
    k6_script_path: 'k6/load.js',
    environment: 'local',
    ci_build_id: null,
    executed_by: 'tester',
    metrics: [],
    ...figures,
  };
  return run('perf', name, cases('passed', 'passed'), { kind: 'perf', perf: { test } });
}

function chaosRun(name: string, recoveryTimeSec: number | null): Run {
  const experiment: ChaosExperiment = {
    name,
    experiment_type: 'pod_delete',
    target_service: 'payment',
    target_pod: null,
    hypothesis: 'orders keep succeeding while a payment pod is deleted',
    steady_state_hypothesis: {},
    method: {},
    duration_sec: 60,
    status: 'completed',
    started_at: STARTED,
    completed_at: COMPLETED,
    result: recoveryTimeSec !== null && recoveryTimeSec <= 30 ? 'passed' : 'failed',
    recovery_time_sec: recoveryTimeSec,
    recovery_target_sec: 30,
    chaos_engine_name: 'payment-chaos',
    kubernetes_namespace: 'shopfds',
    environment: 'staging',
    approval_required: false,
    approved_by: null,
    created_by: 'tester',
    observations: [],
    audit: [],
  };
  return run('chaos', name, cases(recoveryTimeSec !== null && recoveryTimeSec <= 30 ? 'passed' : 'failed'), { kind: 'chaos', chaos: { experiment } });
}

function planRun(caseList: readonly Case[]): Run {
  return run('plan', 'release', caseList, { kind: 'plan', plan: { plan_name: 'release', file: 'plans/release.yaml', event: null, tiers: [], gates: [] } });
}

function gate(expression: string): Gate {
  const g = parseGate(expression);
  if ('error' in g) throw new Error(g.error);
  return g;
}

function parseError(expression: string): string {
  const g = parseGate(expression);
  if (!('error' in g)) throw new Error(`"${expression}" parsed as ${JSON.stringify(g)}`);
  return g.error;
}

describe('parseGate', () => {
  it('reads latencies in ms, s or bare milliseconds', () => {
    expect(parseGate('p95 < 200ms')).toEqual({ expression: 'p95 < 200ms', kind: 'perf', figure: 'p95', op: '<', value: 200 });
    expect(gate('p95 < 2s').value).toBe(2000);
    expect(gate('p99 <= 1.5s').value).toBe(1500);
    expect(gate('avg < 200').value).toBe(200);
    expect(gate('max < 1m').value).toBe(60_000);
  });

  it('reads recovery time and duration in seconds when no unit is given', () => {
    expect(gate('recovery_time <= 30s')).toMatchObject({ kind: 'chaos', figure: 'recovery_time', op: '<=', value: 30_000 });
    expect(gate('recovery_time <= 30').value).toBe(30_000);
    expect(gate('recovery_time <= 500ms').value).toBe(500);
    expect(gate('duration < 5m')).toMatchObject({ kind: null, figure: 'duration', value: 300_000 });
    expect(gate('duration < 90').value).toBe(90_000);
  });

  it('reads percentages with or without %, rates with or without /s, and bare counts', () => {
    expect(gate('error_rate < 1%')).toMatchObject({ kind: 'perf', figure: 'error_rate', value: 1 });
    expect(gate('error_rate < 0.5').value).toBe(0.5);
    expect(gate('tps >= 40/s')).toMatchObject({ kind: 'perf', figure: 'tps', op: '>=', value: 40 });
    expect(gate('tps >= 40').value).toBe(40);
    expect(gate('tps >= 40rps').value).toBe(40);
    expect(gate('flaky <= 2')).toMatchObject({ kind: null, figure: 'flaky', op: '<=', value: 2 });
    expect(gate('requests >= 1000')).toMatchObject({ kind: 'perf', figure: 'requests', value: 1000 });
    expect(gate('pass_rate >= 99.5%')).toMatchObject({ kind: null, figure: 'pass_rate', value: 99.5 });
  });

  it('reads every comparison, with or without spaces, in any case', () => {
    expect(['p95<1', 'p95<=1', 'p95>1', 'p95>=1', 'p95==1', 'p95!=1'].map((e) => gate(e).op)).toEqual(['<', '<=', '>', '>=', '==', '!=']);
    expect(parseGate('  P95<200MS  ')).toEqual({ expression: 'P95<200MS', kind: 'perf', figure: 'p95', op: '<', value: 200 });
  });

  it('takes a run kind qualifier', () => {
    expect(gate('e2e.pass_rate >= 100%')).toMatchObject({ kind: 'e2e', figure: 'pass_rate', value: 100 });
    expect(gate('api.failed == 0')).toMatchObject({ kind: 'api', figure: 'failed', op: '==', value: 0 });
    expect(gate('perf.p95 < 200ms')).toMatchObject({ kind: 'perf', figure: 'p95' });
    expect(gate('chaos.duration < 10m')).toMatchObject({ kind: 'chaos', figure: 'duration', value: 600_000 });
  });

  it('explains what is wrong with a gate it cannot read', () => {
    expect(parseError('p95 below 200ms')).toMatch(/"p95 below 200ms" is not a gate: write <figure> <op> <value>/);
    expect(parseError('')).toMatch(/is not a gate/);
    expect(parseError('p95 <')).toMatch(/is not a gate/);
    expect(parseError('p95 < 200ms and p99 < 300ms')).toMatch(/is not a gate/);
    expect(parseError('latency < 200ms')).toMatch(/unknown figure "latency" \(known: p95, p99, avg, max, tps, error_rate, requests, recovery_time, pass_rate/);
    expect(parseError('mobile.pass_rate > 90%')).toMatch(/unknown run kind "mobile"/);
    expect(parseError('api.p95 < 200ms')).toMatch(/p95 is measured by perf runs, not api runs/);
    expect(parseError('e2e.recovery_time < 30s')).toMatch(/recovery_time is measured by chaos runs, not e2e runs/);
    expect(parseError('p95 < 200kb')).toMatch(/"200kb" is not a time/);
    expect(parseError('error_rate < 1ms')).toMatch(/error_rate is a percentage/);
    expect(parseError('tps >= 40ms')).toMatch(/tps is requests per second/);
    expect(parseError('flaky <= 2%')).toMatch(/flaky is a count/);
  });

  it('refuses a gate over plan runs, which no gate can measure', () => {
    expect(parseError('plan.pass_rate >= 100%')).toMatch(/unknown run kind "plan" \(known: e2e, api, perf, chaos, canary\)/);
  });
});

describe('evaluateGate over one run', () => {
  it('passes or fails a latency with the measured figure', () => {
    const runs = [perfRun('checkout load', { p95_response_time: 180 })];
    expect(evaluateGate(gate('p95 < 200ms'), runs)).toEqual({ passed: true, actual: '180 ms', reason: null });
    expect(evaluateGate(gate('p95 < 150ms'), runs)).toEqual({ passed: false, actual: '180 ms', reason: 'p95 response time is 180 ms' });
    expect(evaluateGate(gate('p95 < 0.18s'), runs).passed).toBe(false);
    expect(evaluateGate(gate('p95 <= 0.18s'), runs).passed).toBe(true);
  });

  it('evaluates error rate, throughput, requests and p99', () => {
    const runs = [perfRun('checkout load', { error_rate: 0.35, actual_tps: 48.5, total_requests: 2910, p99_response_time: 240 })];
    expect(evaluateGate(gate('error_rate < 1%'), runs)).toEqual({ passed: true, actual: '0.35%', reason: null });
    expect(evaluateGate(gate('error_rate < 0.1%'), runs)).toMatchObject({ passed: false, reason: 'error rate is 0.35%' });
    expect(evaluateGate(gate('tps >= 40/s'), runs)).toEqual({ passed: true, actual: '48.5 req/s', reason: null });
    expect(evaluateGate(gate('tps >= 50'), runs)).toMatchObject({ passed: false, reason: 'throughput (requests per second) is 48.5 req/s' });
    expect(evaluateGate(gate('requests >= 3000'), runs)).toMatchObject({ passed: false, actual: '2910' });
    expect(evaluateGate(gate('p99 < 250'), runs)).toMatchObject({ passed: true, actual: '240 ms' });
  });

  it('evaluates recovery time from a chaos run, shown in seconds', () => {
    expect(evaluateGate(gate('recovery_time <= 30s'), [chaosRun('payment pod delete', 12)])).toEqual({ passed: true, actual: '12 s', reason: null });
    expect(evaluateGate(gate('recovery_time <= 30'), [chaosRun('payment pod delete', 45)])).toEqual({ passed: false, actual: '45 s', reason: 'recovery time is 45 s' });
  });

  it('evaluates a run duration', () => {
    const runs = [run('e2e', 'smoke', cases('passed'), null, 95_000)];
    expect(evaluateGate(gate('duration < 2m'), runs)).toEqual({ passed: true, actual: '95 s', reason: null });
    expect(evaluateGate(gate('duration < 90'), runs)).toMatchObject({ passed: false, reason: 'duration is 95 s' });
  });
});

describe('evaluateGate: a figure that was not measured is a failure', () => {
  it('fails when no run of the kind ran', () => {
    const e2e = [run('e2e', 'smoke', cases('passed'), null)];
    expect(evaluateGate(gate('p95 < 200ms'), e2e)).toEqual({ passed: false, actual: null, reason: 'no perf run measured p95 response time' });
    expect(evaluateGate(gate('recovery_time <= 30s'), e2e)).toEqual({ passed: false, actual: null, reason: 'no chaos run measured recovery time' });
    expect(evaluateGate(gate('flaky <= 2'), [])).toEqual({ passed: false, actual: null, reason: 'no run measured flaky cases' });
    expect(evaluateGate(gate('api.failed == 0'), e2e)).toEqual({ passed: false, actual: null, reason: 'no api run measured failed cases' });
  });

  it('fails, naming the run, when a run of the kind did not measure the figure', () => {
    const silent = perfRun('soak', { p95_response_time: null, p99_response_time: null });
    const result = evaluateGate(gate('p95 < 200ms'), [perfRun('checkout load'), silent]);
    expect(result).toEqual({ passed: false, actual: null, reason: `p95 response time was not measured by the perf run "soak" (${silent.id.slice(0, 8)})` });
    // Even a gate the measured runs would pass in any direction.
    expect(evaluateGate(gate('p95 >= 0'), [silent]).passed).toBe(false);
  });

  it('fails a recovery gate when the experiment measured no recovery', () => {
    const chaos = chaosRun('network loss', null);
    expect(evaluateGate(gate('recovery_time <= 30s'), [chaos])).toMatchObject({ passed: false, actual: null, reason: expect.stringContaining('not measured by the chaos run "network loss"') });
  });

  it('fails a pass rate when no case passed or failed', () => {
    expect(evaluateGate(gate('pass_rate >= 0%'), [run('e2e', 'all skipped', cases('skipped', 'skipped'), null)])).toEqual({
      passed: false,
      actual: null,
      reason: 'no run had a passed or failed case to compute the pass rate',
    });
  });

  it('does not count the plan run itself', () => {
    const plan = planRun(cases('passed', 'passed'));
    expect(evaluateGate(gate('pass_rate >= 100%'), [plan])).toMatchObject({ passed: false, reason: 'no run measured pass rate' });
    const failing = run('api', 'orders', cases('failed'), null);
    expect(evaluateGate(gate('failed == 0'), [plan, failing])).toMatchObject({ passed: false, actual: '1' });
    expect(evaluateGate(gate('cases == 1'), [plan, failing])).toMatchObject({ passed: true, actual: '1' });
  });
});

describe('evaluateGate over several runs', () => {
  const fast = perfRun('browse', { p95_response_time: 120, p99_response_time: 150, actual_tps: 55, error_rate: 0 });
  const slow = perfRun('checkout', { p95_response_time: 250, p99_response_time: 400, actual_tps: 30, error_rate: 2.5 });

  it('holds a latency to every run and shows the worst', () => {
    expect(evaluateGate(gate('p95 < 200ms'), [fast, slow])).toEqual({ passed: false, actual: '250 ms', reason: 'p95 response time is 250 ms' });
    expect(evaluateGate(gate('p95 < 200ms'), [slow, fast])).toEqual({ passed: false, actual: '250 ms', reason: 'p95 response time is 250 ms' });
    expect(evaluateGate(gate('p95 < 300ms'), [fast, slow])).toEqual({ passed: true, actual: '250 ms', reason: null });
  });

  it('takes the lowest as the worst for a lower bound', () => {
    expect(evaluateGate(gate('tps >= 40'), [fast, slow])).toEqual({ passed: false, actual: '30 req/s', reason: 'throughput (requests per second) is 30 req/s' });
    expect(evaluateGate(gate('tps >= 20'), [slow, fast])).toEqual({ passed: true, actual: '30 req/s', reason: null });
  });

  it('shows the failing run even when another run is further from the limit in the passing direction', () => {
    // "!=" has no direction: the failing run is the one shown.
    const a = perfRun('a', { error_rate: 0 });
    const b = perfRun('b', { error_rate: 5 });
    expect(evaluateGate(gate('error_rate != 0'), [b, a])).toEqual({ passed: false, actual: '0%', reason: 'error rate is 0%' });
  });

  it('judges only the runs of the figure kind among runs of every kind', () => {
    const e2e = run('e2e', 'smoke', cases('failed'), null);
    const chaos = chaosRun('pod delete', 12);
    expect(evaluateGate(gate('error_rate < 5%'), [e2e, fast, chaos, slow])).toMatchObject({ passed: true, actual: '2.5%' });
    expect(evaluateGate(gate('recovery_time <= 30s'), [e2e, fast, chaos])).toMatchObject({ passed: true, actual: '12 s' });
  });

  it('sums counts over the runs before comparing', () => {
    const e2e = run('e2e', 'checkout', cases('passed', 'flaky', 'failed', 'skipped'), null);
    const api = run('api', 'orders', cases('flaky', 'flaky', 'passed', 'failed'), null);
    expect(evaluateGate(gate('flaky <= 2'), [e2e, api])).toEqual({ passed: false, actual: '3', reason: 'flaky cases is 3' });
    expect(evaluateGate(gate('flaky <= 3'), [e2e, api])).toEqual({ passed: true, actual: '3', reason: null });
    expect(evaluateGate(gate('failed == 0'), [e2e, api])).toMatchObject({ passed: false, actual: '2' });
    expect(evaluateGate(gate('skipped <= 1'), [e2e, api])).toMatchObject({ passed: true, actual: '1' });
    expect(evaluateGate(gate('cases >= 8'), [e2e, api])).toMatchObject({ passed: true, actual: '8' });
    // A flaky case passed in the end: 2 + 3.
    expect(evaluateGate(gate('passed == 5'), [e2e, api])).toMatchObject({ passed: true, actual: '5' });
  });

  it('computes the pass rate over every case that passed or failed, skipped ones left out', () => {
    const e2e = run('e2e', 'checkout', cases('passed', 'passed', 'passed', 'failed', 'skipped'), null);
    const api = run('api', 'orders', cases('passed', 'passed', 'flaky', 'passed'), null);
    // 7 of 8: 87.5%, not the average of 75% and 100%.
    expect(evaluateGate(gate('pass_rate >= 90%'), [e2e, api])).toEqual({ passed: false, actual: '87.5%', reason: 'pass rate is 87.5%' });
    expect(evaluateGate(gate('pass_rate >= 87.5%'), [e2e, api])).toEqual({ passed: true, actual: '87.5%', reason: null });
    expect(evaluateGate(gate('pass_rate >= 100%'), [api])).toEqual({ passed: true, actual: '100%', reason: null });
  });

  it('narrows to one kind with a qualifier', () => {
    const e2e = run('e2e', 'checkout', cases('passed', 'passed'), null);
    const api = run('api', 'orders', cases('passed', 'failed'), null);
    expect(evaluateGate(gate('e2e.pass_rate >= 100%'), [e2e, api])).toEqual({ passed: true, actual: '100%', reason: null });
    expect(evaluateGate(gate('api.pass_rate >= 100%'), [e2e, api])).toEqual({ passed: false, actual: '50%', reason: 'pass rate is 50%' });
    expect(evaluateGate(gate('pass_rate >= 100%'), [e2e, api])).toMatchObject({ passed: false, actual: '75%' });
    expect(evaluateGate(gate('e2e.failed == 0'), [e2e, api]).passed).toBe(true);
    expect(evaluateGate(gate('canary.failed == 0'), [e2e, api])).toEqual({ passed: false, actual: null, reason: 'no canary run measured failed cases' });
  });

  it('takes the longest run for a duration gate', () => {
    const short = run('api', 'orders', cases('passed'), null, 20_000);
    const long = run('e2e', 'checkout', cases('passed'), null, 200_000);
    expect(evaluateGate(gate('duration < 3m'), [short, long])).toEqual({ passed: false, actual: '200 s', reason: 'duration is 200 s' });
    expect(evaluateGate(gate('api.duration < 3m'), [short, long])).toEqual({ passed: true, actual: '20 s', reason: null });
  });
});
