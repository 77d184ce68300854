import { randomUUID } from 'node:crypto';
import {
  computeTotals,
  deriveRunStatus,
  validateRun,
  type Case,
  type Run,
  type RunInput,
  type RunKind,
  type PlanDetails,
  type PlanStep,
} from '../../src/model/index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const BASE_TIME = Date.parse('2025-03-01T09:00:00.000Z');

/** An ISO time `offsetMs` after the fixtures' base time. */
export function at(offsetMs: number, base = BASE_TIME): string {
  return new Date(base + offsetMs).toISOString();
}

/** A case with every field set; `ordinal` is renumbered by makeRun. */
export function makeCase(overrides: Partial<Mutable<Case>> = {}): Case {
  const status = overrides.status ?? 'passed';
  const failedAttempt = (index: number) => ({
    index,
    status: 'failed' as const,
    durationMs: 120,
    startedAt: at(index * 1000),
    errorMessage: 'expected 200, got 500',
    errorStack: 'Error: expected 200, got 500\n    at checkout.spec.ts:12:5',
  });
  const passedAttempt = (index: number) => ({ index, status: 'passed' as const, durationMs: 95.5, startedAt: at(index * 1000), errorMessage: null, errorStack: null });
  const attempts =
    status === 'flaky'
      ? [failedAttempt(0), passedAttempt(1)]
      : status === 'failed'
        ? [failedAttempt(0), failedAttempt(1)]
        : status === 'skipped'
          ? [{ index: 0, status: 'skipped' as const, durationMs: 0, startedAt: null, errorMessage: null, errorStack: null }]
          : status === 'timed_out' || status === 'interrupted'
            ? [{ ...failedAttempt(0), status }]
            : [passedAttempt(0)];
  const failing = status === 'failed' || status === 'timed_out' || status === 'interrupted';
  return {
    ordinal: 0,
    suitePath: ['checkout.spec.ts', 'Checkout'],
    name: `places an order (${status})`,
    file: 'tests/checkout.spec.ts',
    line: 12,
    column: 3,
    project: 'chromium',
    status,
    durationMs: attempts.reduce((sum, a) => sum + a.durationMs, 0),
    attempts,
    errorMessage: failing ? 'expected 200, got 500' : null,
    errorStack: failing ? 'Error: expected 200, got 500\n    at checkout.spec.ts:12:5' : null,
    artifacts: failing
      ? [{ name: 'screenshot', kind: 'screenshot', contentType: 'image/png', path: '.shopfds/artifacts/x/shot.png', attempt: 1 }]
      : [],
    tags: ['@checkout'],
    properties: status === 'skipped' ? { skip: 'not on mobile' } : {},
    stdout: status === 'passed' ? 'order 1001 placed\n' : null,
    stderr: null,
    ...overrides,
  };
}

function e2eDetails(run: Pick<Run, 'cases' | 'environment' | 'executedBy' | 'startedAt'>, scenarioName: string): NonNullable<Run['e2e']> {
  const viewport = { width: 1280, height: 720 };
  return {
    scenarios: [
      {
        name: scenarioName,
        description: 'A shopper places an order and the FDS approves it',
        test_type: 'smoke',
        browser: 'chromium',
        viewport,
        steps: [{ action: 'goto', url: '/' }, { action: 'click', selector: '#buy' }],
        expected_results: [{ type: 'text', selector: '#status', value: 'approved' }],
        status: 'active',
        priority: 'high',
        timeout_ms: 30000,
        retry_count: 2,
        tags: ['checkout', 'smoke'],
        created_by: 'qa@example.com',
      },
    ],
    test_runs: run.cases
      .filter((c) => c.status === 'passed' || c.status === 'failed' || c.status === 'skipped')
      .map((c) => ({
        case_ordinal: c.ordinal,
        scenario_name: c.ordinal === 0 ? scenarioName : null,
        run_id: `pw-${c.ordinal}`,
        status: c.status as 'passed' | 'failed' | 'skipped',
        started_at: run.startedAt,
        completed_at: c.status === 'skipped' ? null : at(2000, Date.parse(run.startedAt)),
        duration_ms: c.status === 'skipped' ? null : 2000,
        browser: 'chromium' as const,
        viewport,
        screenshots: c.status === 'failed' ? [{ step: 'pay', url: 'artifacts/pay.png' }] : [],
        video_url: c.status === 'failed' ? 'artifacts/video.webm' : null,
        error_logs: c.status === 'failed' ? 'expected 200, got 500' : null,
        ci_build_id: null,
        ci_commit_sha: null,
        environment: run.environment,
        executed_by: run.executedBy,
        steps: [
          { step_number: 1, step_name: 'open the shop', status: 'passed' as const, duration_ms: 300, screenshot_url: null, error_message: null },
          {
            step_number: 2,
            step_name: 'pay',
            status: c.status === 'failed' ? ('failed' as const) : c.status === 'skipped' ? ('skipped' as const) : ('passed' as const),
            duration_ms: 700,
            screenshot_url: c.status === 'failed' ? 'artifacts/pay.png' : null,
            error_message: c.status === 'failed' ? 'expected 200, got 500' : null,
          },
        ],
      })),
  };
}

function apiDetails(run: Pick<Run, 'cases' | 'environment' | 'executedBy' | 'startedAt' | 'completedAt'>): NonNullable<Run['api']> {
  const t = computeTotals(run.cases);
  return {
    suites: [
      {
        name: 'ShopFDS API',
        service_name: 'shopfds-api',
        postman_collection_id: 'c0ffee-1234',
        postman_collection_path: 'collections/shopfds-api.postman_collection.json',
        newman_run_id: 'newman-42',
        total_tests: t.total,
        passed_tests: t.passed,
        failed_tests: t.failed,
        skipped_tests: t.skipped,
        status: t.failed ? 'failed' : 'completed',
        started_at: run.startedAt,
        completed_at: run.completedAt,
        duration_ms: 4321,
        environment: run.environment,
        newman_report_path: '.shopfds/artifacts/newman.json',
        ci_build_id: null,
        executed_by: run.executedBy,
        results: run.cases.map((c) => ({
          case_ordinal: c.ordinal,
          endpoint: `/api/orders/${c.ordinal}`,
          http_method: c.ordinal % 2 ? 'POST' : 'GET',
          status_code: c.status === 'failed' ? 500 : c.status === 'skipped' ? null : 200,
          test_status: c.status === 'failed' ? ('failed' as const) : c.status === 'skipped' ? ('skipped' as const) : ('passed' as const),
          response_time_ms: c.status === 'skipped' ? null : 35,
          error_message: c.status === 'failed' ? 'expected 200, got 500' : null,
          request_body: c.ordinal % 2 ? { items: [{ sku: 'A-1', qty: 2 }], note: 'ünïcödé ✓' } : null,
          response_body: { ok: c.status !== 'failed', nested: { list: [1, 2.5, null, true] } },
        })),
      },
    ],
  };
}

function perfDetails(run: Pick<Run, 'environment' | 'executedBy' | 'startedAt' | 'completedAt'>): NonNullable<Run['perf']> {
  return {
    test: {
      test_type: 'load',
      scenario_name: 'checkout-load',
      target_tps: 1000,
      actual_tps: 987.25,
      p95_response_time: 180,
      p99_response_time: 240,
      avg_response_time: 75,
      max_response_time: 910,
      error_rate: 0.35,
      total_requests: 59235,
      failed_requests: 207,
      duration_sec: 60,
      virtual_users: 50,
      status: 'completed',
      started_at: run.startedAt,
      completed_at: run.completedAt,
      k6_script_path: 'k6/checkout-load.js',
      environment: run.environment,
      ci_build_id: null,
      executed_by: run.executedBy,
      metrics: [0, 1, 2].map((i) => ({
        measured_at: at(i * 10_000, Date.parse(run.startedAt)),
        virtual_users: 10 + i * 20,
        requests_per_sec: 300.5 + i * 300,
        response_time_p95: 150 + i * 10,
        error_rate: i === 2 ? 1.25 : 0,
      })),
    },
  };
}

function chaosDetails(run: Pick<Run, 'environment' | 'executedBy' | 'startedAt' | 'completedAt'>): NonNullable<Run['chaos']> {
  const environment = run.environment === 'production' ? 'production' : 'staging';
  return {
    experiment: {
      name: 'payment-pod-delete',
      experiment_type: 'pod_delete',
      target_service: 'payment',
      target_pod: 'payment-7d9f-abc',
      hypothesis: 'orders keep succeeding while a payment pod is deleted',
      steady_state_hypothesis: { probe: 'http', url: '/health', expect: 200 },
      method: { litmus: { experiment: 'pod-delete', chaosInterval: '10' } },
      duration_sec: 60,
      status: 'completed',
      started_at: run.startedAt,
      completed_at: run.completedAt,
      result: 'passed',
      recovery_time_sec: 12,
      recovery_target_sec: 30,
      chaos_engine_name: 'payment-chaos',
      kubernetes_namespace: 'shopfds',
      environment,
      approval_required: environment === 'production',
      approved_by: environment === 'production' ? 'sre-lead' : null,
      created_by: run.executedBy,
      observations: [
        { observed_at: run.startedAt, metric_name: 'health', metric_value: '200', observation_type: 'steady_state_before', notes: null },
        { observed_at: at(30_000, Date.parse(run.startedAt)), metric_name: 'error_rate', metric_value: '0.4', observation_type: 'during', notes: 'brief spike' },
        { observed_at: run.completedAt, metric_name: 'verdict', metric_value: 'Pass', observation_type: 'verdict', notes: null },
      ],
      audit: [
        { at: run.startedAt, actor: run.executedBy, action: 'created', detail: null },
        { at: run.startedAt, actor: run.executedBy, action: 'started', detail: 'engine payment-chaos' },
        { at: run.completedAt, actor: run.executedBy, action: 'completed', detail: 'verdict Pass' },
      ],
    },
  };
}

function canaryDetails(run: Pick<Run, 'executedBy' | 'startedAt' | 'completedAt'>): NonNullable<Run['canary']> {
  return {
    deployment: {
      service_name: 'checkout',
      old_version: 'v1.2.3',
      new_version: 'v1.3.0',
      traffic_weight: 50,
      error_rate: 0.5,
      response_time_p95: 120,
      request_success_rate: 99.5,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      status: 'succeeded',
      rollback_reason: null,
      analysis_interval_sec: 60,
      threshold_max_error_rate: 5,
      threshold_max_response_time: 200,
      flagger_canary_name: 'checkout',
      kubernetes_namespace: 'shopfds',
      created_by: run.executedBy,
      metrics: [10, 30, 50].map((weight, i) => ({
        measured_at: at(i * 60_000, Date.parse(run.startedAt)),
        traffic_weight: weight,
        error_rate: 0.5,
        response_time_p95: 110 + i,
        request_success_rate: 99.5,
        total_requests: 1000 * (i + 1),
        failed_requests: 5 * (i + 1),
        phase: 'Progressing',
        iterations: i + 1,
        failed_checks: 0,
      })),
    },
  };
}

const TOOLS: Record<RunKind, { name: string; version: string }> = {
  e2e: { name: 'playwright', version: '1.65.1' },
  api: { name: 'newman', version: '6.2.2' },
  perf: { name: 'k6', version: '1.3.0' },
  chaos: { name: 'litmus', version: '3.20.0' },
  canary: { name: 'flagger', version: '1.41.0' },
  plan: { name: 'shopfds-test plan', version: '0.1.0' },
};

/** A plan run's tiers: one step per case of the run (its case ordinal), one tier gate. */
function planDetails(ctx: { cases: readonly Case[]; startedAt: string }): PlanDetails {
  const status = (c: Case) => (c.status === 'passed' || c.status === 'flaky' ? 'passed' : c.status === 'skipped' ? 'skipped' : 'failed') as PlanStep['status'];
  return {
    plan_name: 'release',
    file: 'plans/release.yaml',
    event: { provider: 'github-actions', event: 'push', branch: 'main', tag: null },
    tiers: [
      {
        name: 'tier1',
        display_name: 'Fast CI',
        status: ctx.cases.some((c) => status(c) === 'failed') ? 'failed' : 'passed',
        reason: null,
        target_ms: 300_000,
        started_at: ctx.startedAt,
        duration_ms: 90_500,
        steps: ctx.cases.map((c) => ({
          id: `step-${c.ordinal}`,
          name: c.name,
          type: 'command',
          status: status(c),
          run_ids: [],
          started_at: ctx.startedAt,
          duration_ms: c.durationMs,
          attempts: c.attempts.length,
          notes: 'exit code 0',
          reason: c.errorMessage,
          exit_code: 0,
          case_ordinal: c.ordinal,
        })),
        gates: [{ expression: 'p95 < 200ms', scope: 'tier', step: null, status: 'failed', actual: null, reason: 'no perf run measured p95 response time', case_ordinal: null }],
      },
    ],
    gates: [],
  };
}

export type MakeRunOverrides = Partial<Mutable<RunInput>> & {
  /** Name of the e2e scenario the first case came from (scenarios are shared across runs by name). */
  readonly scenarioName?: string;
};

/**
 * A valid run of any kind with every kind-specific record filled in. Totals and status follow the
 * cases unless given; detail records are built from the final cases unless given (null drops them).
 * Throws if the result does not pass validateRun.
 */
export function makeRun(overrides: MakeRunOverrides = {}): Run {
  const { scenarioName = 'checkout happy path', ...fields } = overrides;
  const kind: RunKind = fields.kind ?? 'e2e';
  const startedAt = fields.startedAt ?? at(0);
  const completedAt = fields.completedAt ?? at(90_500, Date.parse(startedAt));
  const cases = (fields.cases ?? [makeCase({ status: 'passed' }), makeCase({ status: 'flaky' }), makeCase({ status: 'failed' }), makeCase({ status: 'skipped' })]).map(
    (c, ordinal) => ({ ...c, ordinal }) as Case,
  );
  const totals = fields.totals ?? computeTotals(cases);
  const base: Mutable<Run> = {
    id: randomUUID(),
    kind,
    name: `${kind} suite`,
    status: deriveRunStatus(totals),
    startedAt,
    completedAt,
    durationMs: Date.parse(completedAt) - Date.parse(startedAt),
    environment: 'local',
    trigger: 'manual',
    executedBy: 'tester',
    ci: null,
    tool: { ...TOOLS[kind], commandLine: `${TOOLS[kind].name} test --reporter=json` },
    totals,
    errorMessage: null,
    runGroup: null,
    shard: null,
    artifacts: [{ name: 'report', kind: 'report', contentType: 'application/json', path: '.shopfds/artifacts/report.json', attempt: null }],
    metadata: { branchName: 'main', 'unicode ✓': 'ja 日本語' },
    cases,
    metrics:
      kind === 'perf' || kind === 'canary'
        ? [
            { name: 'vus', time: at(0, Date.parse(startedAt)), value: 10, tags: {} },
            { name: 'http_req_duration', time: at(1000, Date.parse(startedAt)), value: 123.456, tags: { method: 'GET', status: '200' } },
          ]
        : [],
    e2e: null,
    api: null,
    perf: null,
    chaos: null,
    canary: null,
  };
  Object.assign(base, fields, { cases, totals, kind, startedAt, completedAt });
  const ctx = { cases: base.cases, environment: base.environment, executedBy: base.executedBy, startedAt, completedAt };
  if (kind === 'e2e' && !('e2e' in fields)) base.e2e = e2eDetails(ctx, scenarioName);
  if (kind === 'api' && !('api' in fields)) base.api = apiDetails(ctx);
  if (kind === 'perf' && !('perf' in fields)) base.perf = perfDetails(ctx);
  if (kind === 'chaos' && !('chaos' in fields)) base.chaos = chaosDetails(ctx);
  if (kind === 'canary' && !('canary' in fields)) base.canary = canaryDetails(ctx);
  if (kind === 'plan' && !('plan' in fields)) base.plan = planDetails(ctx);
  const checked = validateRun(base);
  if (!checked.ok) throw new Error(`makeRun built an invalid run:\n  ${checked.issues.join('\n  ')}`);
  return checked.run;
}

/** The same run without validation, for tests that need an invalid one. */
export function withChanges(run: Run, changes: Record<string, unknown>): RunInput {
  return { ...structuredClone(run), ...changes } as RunInput;
}
