import { computeTotals, deriveRunStatus, validateRun, type Attempt, type Case, type CaseStatus, type Run, type RunInput } from '../../src/model/index.js';

/*
 * Builders for valid runs used by the renderer tests. Every builder returns a run that passed
 * validateRun, so a renderer is never tested against a shape the store would refuse.
 */

export const FIXED_START = '2025-11-01T18:07:18.664Z';

type CaseSpec = Partial<Omit<Case, 'ordinal' | 'attempts'>> & {
  name: string;
  status?: CaseStatus;
  /** Attempt statuses in order; defaults follow the case status (flaky: failed then passed). */
  attempts?: readonly Partial<Attempt>[] | readonly Attempt['status'][];
};

function defaultAttempts(status: CaseStatus): Attempt['status'][] {
  switch (status) {
    case 'flaky':
      return ['failed', 'passed'];
    case 'skipped':
      return ['skipped'];
    default:
      return [status];
  }
}

export function makeCase(spec: CaseSpec, ordinal: number): Case {
  const status = spec.status ?? 'passed';
  const durationMs = spec.durationMs ?? 1234.5;
  const raw = spec.attempts ?? defaultAttempts(status);
  const attempts: Attempt[] = raw.map((a, index) => {
    const given: Partial<Attempt> = typeof a === 'string' ? { status: a } : a;
    const st = given.status ?? 'passed';
    const failing = st === 'failed' || st === 'timed_out' || st === 'interrupted';
    return {
      index,
      status: st,
      durationMs: given.durationMs ?? durationMs / raw.length,
      startedAt: given.startedAt ?? null,
      errorMessage: given.errorMessage ?? (failing ? `Error: attempt ${index + 1} of ${spec.name} failed` : null),
      errorStack: given.errorStack ?? (failing ? `Error: attempt ${index + 1} failed\n    at spec.ts:${index + 10}:5` : null),
    };
  });
  const failing = status === 'failed' || status === 'timed_out' || status === 'interrupted';
  return {
    ordinal,
    suitePath: spec.suitePath ?? ['checkout.spec.ts', 'Checkout'],
    name: spec.name,
    file: spec.file === undefined ? 'checkout.spec.ts' : spec.file,
    line: spec.line ?? 10 + ordinal,
    column: spec.column ?? 5,
    project: spec.project === undefined ? 'chromium' : spec.project,
    status,
    durationMs,
    attempts,
    errorMessage: spec.errorMessage === undefined ? (failing ? `Error: expect(received).toBe(expected)\n\nExpected: 200\nReceived: 500` : null) : spec.errorMessage,
    errorStack: spec.errorStack === undefined ? (failing ? 'Error: expect(received).toBe(expected)\n    at checkout.spec.ts:12:7' : null) : spec.errorStack,
    artifacts: spec.artifacts ?? [],
    tags: spec.tags ?? [],
    properties: spec.properties ?? {},
    stdout: spec.stdout ?? null,
    stderr: spec.stderr ?? null,
  };
}

export interface RunSpec extends Partial<Omit<RunInput, 'cases' | 'totals'>> {
  cases?: readonly CaseSpec[];
  toolError?: boolean;
}

/** A complete, validated run; totals and (unless given) status follow from the cases. */
export function makeRun(spec: RunSpec = {}): Run {
  const cases = (spec.cases ?? []).map((c, i) => makeCase(c, i));
  const totals = computeTotals(cases);
  const durationMs = spec.durationMs ?? 34_567.891;
  const startedAt = spec.startedAt ?? FIXED_START;
  const input: RunInput = {
    id: spec.id ?? '6f1c2a4e-8b9d-4e2f-9a31-0c5d7e8f9a10',
    kind: spec.kind ?? 'e2e',
    name: spec.name ?? 'checkout',
    status: spec.status ?? deriveRunStatus(totals, { toolError: spec.toolError }),
    startedAt,
    completedAt: spec.completedAt ?? new Date(Date.parse(startedAt) + durationMs).toISOString(),
    durationMs,
    environment: spec.environment ?? 'local',
    trigger: spec.trigger ?? 'ci',
    executedBy: spec.executedBy ?? 'ci-bot',
    ci: spec.ci === undefined ? { provider: 'github-actions', buildId: '9876', commitSha: 'a1b2c3d', branch: 'main', jobUrl: 'https://ci.example/run/9876' } : spec.ci,
    tool: spec.tool ?? { name: 'playwright', version: '1.65.1', commandLine: 'playwright test --reporter=json' },
    totals,
    errorMessage: spec.errorMessage ?? null,
    runGroup: spec.runGroup ?? '9876',
    shard: spec.shard ?? null,
    artifacts: spec.artifacts ?? [],
    metadata: spec.metadata ?? {},
    cases,
    metrics: spec.metrics ?? [],
    e2e: spec.e2e ?? null,
    api: spec.api ?? null,
    perf: spec.perf ?? null,
    chaos: spec.chaos ?? null,
    canary: spec.canary ?? null,
  };
  const checked = validateRun(input);
  if (!checked.ok) throw new Error(`fixture run is invalid:\n  ${checked.issues.join('\n  ')}`);
  return checked.run;
}

const screenshot = (path: string, attempt: number | null = null) => ({ name: 'screenshot', kind: 'screenshot' as const, contentType: 'image/png', path, attempt });

/** An e2e run with passes, a failure with retries, a timeout, a flaky case, a skip and artifacts. */
export function normalRun(): Run {
  return makeRun({
    cases: [
      { name: 'adds to cart' },
      {
        name: 'pays with card',
        status: 'failed',
        attempts: ['failed', 'failed'],
        artifacts: [screenshot('.shopfds/artifacts/pays/test-failed-1.png', 0), screenshot('.shopfds/artifacts/pays/test-failed-2.png', 1)],
      },
      { name: 'shows receipt', status: 'timed_out', errorMessage: 'Test timeout of 30000ms exceeded.', errorStack: null },
      { name: 'applies coupon', status: 'flaky', attempts: ['failed', 'timed_out', 'passed'] },
      { name: 'gift wrap', status: 'skipped', properties: { skip: 'not in this release' } },
      { name: 'login', suitePath: ['auth.spec.ts'], file: 'auth.spec.ts', project: 'firefox', stdout: 'logged in\n' },
    ],
    artifacts: [{ name: 'report', kind: 'report', contentType: 'application/json', path: '.shopfds/artifacts/results.json', attempt: null }],
  });
}

/** A run of `n` cases with some failures, flaky cases and long names, for scale tests and the benchmark. */
export function largeRun(n: number): Run {
  const cases: CaseSpec[] = [];
  for (let i = 0; i < n; i++) {
    const suite = `suite-${i % 50}.spec.ts`;
    const long = i % 500 === 0 ? ` ${'very long name & <escaped> '.repeat(40)}` : '';
    let spec: CaseSpec = { name: `case ${i}${long}`, suitePath: [suite, `group ${i % 7}`], file: suite, durationMs: 100 + (i % 1000) };
    if (i % 97 === 0) spec = { ...spec, status: 'failed', attempts: ['failed', 'failed'] };
    else if (i % 89 === 0) spec = { ...spec, status: 'flaky' };
    else if (i % 61 === 0) spec = { ...spec, status: 'skipped' };
    cases.push(spec);
  }
  return makeRun({ name: `large run of ${n}`, cases });
}

/** A k6 run: thresholds as cases plus the performance_tests record. */
export function perfRun(): Run {
  return makeRun({
    kind: 'perf',
    name: 'checkout load',
    tool: { name: 'k6', version: '1.3.0', commandLine: 'k6 run k6/checkout.js' },
    cases: [
      { name: 'http_req_duration p(95)<500', suitePath: ['thresholds'], file: null, project: null },
      { name: 'http_req_failed rate<0.01', suitePath: ['thresholds'], file: null, project: null, status: 'failed', errorMessage: 'rate=0.034 crossed rate<0.01', errorStack: null },
    ],
    perf: {
      test: {
        test_type: 'load',
        scenario_name: 'checkout',
        target_tps: 100,
        actual_tps: 96.42,
        p95_response_time: 412,
        p99_response_time: 730,
        avg_response_time: 180,
        max_response_time: 1250,
        error_rate: 3.4,
        total_requests: 5785,
        failed_requests: 197,
        duration_sec: 60,
        virtual_users: 50,
        status: 'failed',
        started_at: FIXED_START,
        completed_at: '2025-11-01T18:08:18.664Z',
        k6_script_path: 'k6/checkout.js',
        environment: 'local',
        ci_build_id: '9876',
        executed_by: 'ci-bot',
        metrics: [],
      },
    },
  });
}

/** A Newman run with one suite and request results. */
export function apiRun(): Run {
  const result = (endpoint: string, ms: number, ordinal: number, status: 'passed' | 'failed' = 'passed') => ({
    case_ordinal: ordinal,
    endpoint,
    http_method: 'POST',
    status_code: status === 'passed' ? 201 : 500,
    test_status: status,
    response_time_ms: ms,
    error_message: status === 'failed' ? 'expected 201, got 500' : null,
    request_body: null,
    response_body: null,
  });
  return makeRun({
    kind: 'api',
    name: 'ShopFDS API',
    tool: { name: 'newman', version: '6.2.2', commandLine: null },
    cases: [
      { name: 'status is 201', suitePath: ['ShopFDS API', 'Orders', 'Create order'], file: null, project: null },
      { name: 'scores the order', suitePath: ['ShopFDS API', 'FDS', 'Score | risky'], file: null, project: null, status: 'failed', errorMessage: 'expected 201 | got 500\nsecond line', errorStack: null },
    ],
    api: {
      suites: [
        {
          name: 'ShopFDS API',
          service_name: 'shopfds',
          postman_collection_id: 'c0ffee',
          postman_collection_path: 'collections/shopfds.postman_collection.json',
          newman_run_id: null,
          total_tests: 2,
          passed_tests: 1,
          failed_tests: 1,
          skipped_tests: 0,
          status: 'failed',
          started_at: FIXED_START,
          completed_at: '2025-11-01T18:07:20.664Z',
          duration_ms: 2000,
          environment: 'local',
          newman_report_path: null,
          ci_build_id: null,
          executed_by: 'ci-bot',
          results: [result('/api/orders', 120, 0), result('/api/fds/score', 840, 1, 'failed')],
        },
      ],
    },
  });
}

/** A Litmus run: probes as cases plus the chaos_experiments record. */
export function chaosRun(): Run {
  return makeRun({
    kind: 'chaos',
    name: 'pod-delete payments',
    environment: 'staging',
    tool: { name: 'litmus', version: '3.9.0', commandLine: null },
    cases: [
      { name: 'steady state before', suitePath: ['pod-delete-payments'], file: null, project: null },
      { name: 'recovery within 30s', suitePath: ['pod-delete-payments'], file: null, project: null, status: 'failed', errorMessage: 'recovered after 42s', errorStack: null },
    ],
    chaos: {
      experiment: {
        name: 'pod-delete-payments',
        experiment_type: 'pod_delete',
        target_service: 'payments',
        target_pod: null,
        hypothesis: 'Payments recover within 30 seconds',
        steady_state_hypothesis: {},
        method: {},
        duration_sec: 60,
        status: 'completed',
        started_at: FIXED_START,
        completed_at: '2025-11-01T18:08:18.664Z',
        result: 'failed',
        recovery_time_sec: 42,
        recovery_target_sec: 30,
        chaos_engine_name: 'payments-chaos',
        kubernetes_namespace: 'shop',
        environment: 'staging',
        approval_required: true,
        approved_by: 'sre-lead',
        created_by: 'ci-bot',
        observations: [],
        audit: [],
      },
    },
  });
}

/** A Flagger canary that rolled back. */
export function canaryRun(): Run {
  return makeRun({
    kind: 'canary',
    name: 'payments canary',
    environment: 'production',
    tool: { name: 'flagger', version: '1.41.0', commandLine: null },
    cases: [{ name: 'canary analysis', suitePath: ['payments'], file: null, project: null, status: 'failed', errorMessage: 'Canary failed: error rate above 1%', errorStack: null }],
    canary: {
      deployment: {
        service_name: 'payments',
        old_version: 'v1.4.0',
        new_version: 'v1.5.0',
        traffic_weight: 20,
        error_rate: 4.2,
        response_time_p95: 380,
        request_success_rate: 95.8,
        started_at: FIXED_START,
        completed_at: '2025-11-01T18:17:18.664Z',
        status: 'rollback',
        rollback_reason: 'request-success-rate 95.8% < 99%',
        analysis_interval_sec: 60,
        threshold_max_error_rate: 1,
        threshold_max_response_time: 500,
        flagger_canary_name: 'payments',
        kubernetes_namespace: 'shop',
        created_by: 'ci-bot',
        metrics: [],
      },
    },
  });
}

/** An e2e run from a scenario file whose third step failed. */
export function scenarioRun(): Run {
  return makeRun({
    cases: [{ name: 'guest checkout', suitePath: ['scenarios/checkout.yaml'], file: 'scenarios/checkout.yaml', status: 'failed', errorMessage: 'locator #pay not visible', errorStack: null }],
    e2e: {
      scenarios: [],
      test_runs: [
        {
          case_ordinal: 0,
          scenario_name: 'guest checkout',
          run_id: 'r-1',
          status: 'failed',
          started_at: FIXED_START,
          completed_at: '2025-11-01T18:07:28.664Z',
          duration_ms: 10_000,
          browser: 'chromium',
          viewport: { width: 1280, height: 720 },
          screenshots: [],
          video_url: null,
          error_logs: 'locator #pay not visible',
          ci_build_id: null,
          ci_commit_sha: null,
          environment: 'local',
          executed_by: 'ci-bot',
          steps: [
            { step_number: 1, step_name: 'open shop', status: 'passed', duration_ms: 800, screenshot_url: null, error_message: null },
            { step_number: 2, step_name: 'add to cart', status: 'passed', duration_ms: 400, screenshot_url: null, error_message: null },
            { step_number: 3, step_name: 'pay', status: 'failed', duration_ms: 5000, screenshot_url: '.shopfds/artifacts/pay.png', error_message: 'locator #pay not visible' },
          ],
        },
      ],
    },
  });
}
