import { z } from 'zod';

/*
 * Kind-specific records, kept with the field names of the data model (000_*). Each record belongs to
 * the run it sits in; records that describe one case carry that case's `case_ordinal`.
 */

const isoTime = z.string().datetime({ offset: true });
const nonNegInt = z.number().int().nonnegative();
const percent = z.number().min(0).max(100);
const nonNeg = z.number().nonnegative();

export const SCENARIO_TEST_TYPES = ['functional', 'regression', 'smoke', 'integration'] as const;
export const BROWSERS = ['chromium', 'firefox', 'webkit'] as const;
export const SCENARIO_STATUSES = ['draft', 'active', 'archived'] as const;
export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export const E2E_RUN_STATUSES = ['pending', 'running', 'passed', 'failed', 'skipped'] as const;
export const STEP_STATUSES = ['passed', 'failed', 'skipped'] as const;

const viewport = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });

/** `e2e_test_scenarios`: a scenario definition as it was when the run used it (upserted by name). */
export const E2eTestScenarioSchema = z.object({
  name: z.string().min(1).max(255),
  description: z.string().nullable(),
  test_type: z.enum(SCENARIO_TEST_TYPES),
  browser: z.enum(BROWSERS),
  viewport,
  steps: z.array(z.record(z.string(), z.unknown())).min(1),
  expected_results: z.array(z.record(z.string(), z.unknown())),
  status: z.enum(SCENARIO_STATUSES),
  priority: z.enum(PRIORITIES),
  timeout_ms: z.number().int().min(5000).max(600000),
  retry_count: z.number().int().min(0).max(5),
  tags: z.array(z.string()),
  created_by: z.string().min(1).max(100),
});
export type E2eTestScenario = Readonly<z.infer<typeof E2eTestScenarioSchema>>;

/** `e2e_test_step_results`: one step of one scenario execution. */
export const E2eTestStepResultSchema = z.object({
  step_number: z.number().int().positive(),
  step_name: z.string(),
  status: z.enum(STEP_STATUSES),
  duration_ms: nonNegInt,
  screenshot_url: z.string().nullable(),
  error_message: z.string().nullable(),
});
export type E2eTestStepResult = Readonly<z.infer<typeof E2eTestStepResultSchema>>;

/** `e2e_test_runs`: one execution of a scenario or spec test inside a run. */
export const E2eTestRunSchema = z
  .object({
    case_ordinal: nonNegInt,
    /** The scenario name when the test came from a scenario file, else null (ordinary spec). */
    scenario_name: z.string().nullable(),
    run_id: z.string().max(100),
    status: z.enum(E2E_RUN_STATUSES),
    started_at: isoTime,
    completed_at: isoTime.nullable(),
    duration_ms: nonNegInt.nullable(),
    browser: z.enum(BROWSERS),
    viewport,
    screenshots: z.array(z.object({ step: z.string(), url: z.string() })),
    video_url: z.string().max(500).nullable(),
    error_logs: z.string().nullable(),
    ci_build_id: z.string().max(100).nullable(),
    ci_commit_sha: z.string().max(40).nullable(),
    environment: z.enum(['local', 'staging', 'production']),
    executed_by: z.string().max(100),
    steps: z.array(E2eTestStepResultSchema),
  })
  .superRefine((r, ctx) => {
    if ((r.status === 'passed' || r.status === 'failed') && r.completed_at === null)
      ctx.addIssue({ code: 'custom', path: ['completed_at'], message: 'required when status is passed or failed' });
    if (r.status === 'failed' && !r.error_logs)
      ctx.addIssue({ code: 'custom', path: ['error_logs'], message: 'required when status is failed' });
    if (r.completed_at && Date.parse(r.completed_at) < Date.parse(r.started_at))
      ctx.addIssue({ code: 'custom', path: ['completed_at'], message: 'must not be before started_at' });
  });
export type E2eTestRun = Readonly<z.infer<typeof E2eTestRunSchema>>;

export const E2eDetailsSchema = z.object({
  scenarios: z.array(E2eTestScenarioSchema),
  test_runs: z.array(E2eTestRunSchema),
});
export type E2eDetails = Readonly<z.infer<typeof E2eDetailsSchema>>;

export const SUITE_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export const API_TEST_STATUSES = ['passed', 'failed', 'skipped'] as const;

/** `api_test_results`: one request execution. */
export const ApiTestResultSchema = z.object({
  /** The case that stands for this request (its assertions are cases too, under the request). */
  case_ordinal: nonNegInt.nullable(),
  endpoint: z.string(),
  http_method: z.string().max(16),
  status_code: z.number().int().nullable(),
  test_status: z.enum(API_TEST_STATUSES),
  response_time_ms: nonNegInt.nullable(),
  error_message: z.string().nullable(),
  request_body: z.unknown().nullable(),
  response_body: z.unknown().nullable(),
});
export type ApiTestResult = Readonly<z.infer<typeof ApiTestResultSchema>>;

/** `api_test_suites`: one collection run. */
export const ApiTestSuiteSchema = z
  .object({
    name: z.string().max(255),
    service_name: z.string().max(100),
    postman_collection_id: z.string().max(100),
    postman_collection_path: z.string().max(500),
    newman_run_id: z.string().max(100).nullable(),
    total_tests: nonNegInt,
    passed_tests: nonNegInt,
    failed_tests: nonNegInt,
    skipped_tests: nonNegInt,
    status: z.enum(SUITE_STATUSES),
    started_at: isoTime.nullable(),
    completed_at: isoTime.nullable(),
    duration_ms: nonNegInt.nullable(),
    environment: z.enum(['local', 'staging', 'production']),
    newman_report_path: z.string().max(500).nullable(),
    ci_build_id: z.string().max(100).nullable(),
    executed_by: z.string().max(100),
    results: z.array(ApiTestResultSchema),
  })
  .superRefine((s, ctx) => {
    if (s.passed_tests + s.failed_tests + s.skipped_tests !== s.total_tests)
      ctx.addIssue({ code: 'custom', path: ['total_tests'], message: 'passed_tests + failed_tests + skipped_tests must equal total_tests' });
    if ((s.status === 'completed' || s.status === 'failed') && s.completed_at === null)
      ctx.addIssue({ code: 'custom', path: ['completed_at'], message: 'required when status is completed or failed' });
  });
export type ApiTestSuite = Readonly<z.infer<typeof ApiTestSuiteSchema>>;

export const ApiDetailsSchema = z.object({ suites: z.array(ApiTestSuiteSchema) });
export type ApiDetails = Readonly<z.infer<typeof ApiDetailsSchema>>;

export const PERF_TEST_TYPES = ['spike', 'soak', 'stress', 'load'] as const;

/** `performance_metrics`: one time bucket of a load test. */
export const PerformanceMetricSchema = z.object({
  measured_at: isoTime,
  virtual_users: nonNegInt,
  requests_per_sec: z.number().nonnegative(),
  response_time_p95: nonNegInt.nullable(),
  error_rate: percent.nullable(),
});
export type PerformanceMetric = Readonly<z.infer<typeof PerformanceMetricSchema>>;

/** `performance_tests`: one k6 run. Response times in milliseconds, error_rate in percent. */
export const PerformanceTestSchema = z
  .object({
    test_type: z.enum(PERF_TEST_TYPES),
    scenario_name: z.string().max(255),
    target_tps: z.number().int().min(1),
    actual_tps: z.number().nonnegative().nullable(),
    p95_response_time: nonNegInt.nullable(),
    p99_response_time: nonNegInt.nullable(),
    avg_response_time: nonNegInt.nullable(),
    max_response_time: nonNegInt.nullable(),
    error_rate: percent.nullable(),
    total_requests: nonNegInt.nullable(),
    failed_requests: nonNegInt.nullable(),
    /** The seed asks >= 10 for tests it schedules; imported runs keep what the tool measured. */
    duration_sec: nonNegInt,
    virtual_users: z.number().int().min(1),
    status: z.enum(SUITE_STATUSES),
    started_at: isoTime.nullable(),
    completed_at: isoTime.nullable(),
    k6_script_path: z.string().max(500),
    environment: z.enum(['local', 'staging', 'production']),
    ci_build_id: z.string().max(100).nullable(),
    executed_by: z.string().max(100),
    metrics: z.array(PerformanceMetricSchema),
  })
  .superRefine((p, ctx) => {
    if (p.p95_response_time !== null && p.p99_response_time !== null && p.p95_response_time > p.p99_response_time)
      ctx.addIssue({ code: 'custom', path: ['p95_response_time'], message: 'must be <= p99_response_time' });
    if (p.started_at && p.completed_at && Date.parse(p.completed_at) < Date.parse(p.started_at))
      ctx.addIssue({ code: 'custom', path: ['completed_at'], message: 'must not be before started_at' });
  });
export type PerformanceTest = Readonly<z.infer<typeof PerformanceTestSchema>>;

export const PerfDetailsSchema = z.object({ test: PerformanceTestSchema });
export type PerfDetails = Readonly<z.infer<typeof PerfDetailsSchema>>;

export const CHAOS_EXPERIMENT_TYPES = ['pod_delete', 'network_latency', 'network_loss', 'cpu_stress', 'memory_stress', 'disk_stress'] as const;
export const CHAOS_STATUSES = ['scheduled', 'running', 'completed', 'stopped', 'failed'] as const;
export const OBSERVATION_TYPES = ['steady_state_before', 'during', 'steady_state_after', 'verdict', 'probe', 'recovery', 'fail_step'] as const;
export const AUDIT_ACTIONS = ['created', 'approved', 'refused', 'started', 'aborted', 'completed'] as const;

/** `chaos_observations`: a check or fact recorded during an experiment. */
export const ChaosObservationSchema = z.object({
  observed_at: isoTime,
  metric_name: z.string().max(100),
  metric_value: z.string(),
  observation_type: z.enum(OBSERVATION_TYPES),
  notes: z.string().nullable(),
});
export type ChaosObservation = Readonly<z.infer<typeof ChaosObservationSchema>>;

/** Append-only audit entry: who created, approved, started or aborted what, when. */
export const ChaosAuditEntrySchema = z.object({
  at: isoTime,
  actor: z.string().max(100),
  action: z.enum(AUDIT_ACTIONS),
  detail: z.string().nullable(),
});
export type ChaosAuditEntry = Readonly<z.infer<typeof ChaosAuditEntrySchema>>;

/** `chaos_experiments`: one execution of an experiment definition. */
export const ChaosExperimentSchema = z
  .object({
    name: z.string().min(1).max(255),
    experiment_type: z.enum(CHAOS_EXPERIMENT_TYPES),
    target_service: z.string().max(100),
    target_pod: z.string().max(100).nullable(),
    hypothesis: z.string(),
    steady_state_hypothesis: z.record(z.string(), z.unknown()),
    method: z.record(z.string(), z.unknown()),
    duration_sec: z.number().int().min(10).max(600),
    status: z.enum(CHAOS_STATUSES),
    started_at: isoTime.nullable(),
    completed_at: isoTime.nullable(),
    result: z.enum(['passed', 'failed']).nullable(),
    recovery_time_sec: nonNegInt.nullable(),
    /** The recovery goal that `result: passed` was judged against (the seed's 30 s by default). */
    recovery_target_sec: nonNegInt,
    chaos_engine_name: z.string().max(100),
    kubernetes_namespace: z.string().max(100),
    environment: z.enum(['staging', 'production']),
    approval_required: z.boolean(),
    approved_by: z.string().max(100).nullable(),
    created_by: z.string().max(100),
    observations: z.array(ChaosObservationSchema),
    audit: z.array(ChaosAuditEntrySchema),
  })
  .superRefine((c, ctx) => {
    if (c.environment === 'production' && !c.approval_required)
      ctx.addIssue({ code: 'custom', path: ['approval_required'], message: 'must be true in production' });
    if (c.status === 'running' && !c.started_at)
      ctx.addIssue({ code: 'custom', path: ['started_at'], message: 'required when status is running' });
    if ((c.status === 'completed' || c.status === 'stopped') && !c.completed_at)
      ctx.addIssue({ code: 'custom', path: ['completed_at'], message: 'required when status is completed or stopped' });
    if (c.result === 'passed' && (c.recovery_time_sec === null || c.recovery_time_sec > c.recovery_target_sec))
      ctx.addIssue({ code: 'custom', path: ['recovery_time_sec'], message: `must be <= ${c.recovery_target_sec} when result is passed` });
  });
export type ChaosExperiment = Readonly<z.infer<typeof ChaosExperimentSchema>>;

export const ChaosDetailsSchema = z.object({ experiment: ChaosExperimentSchema });
export type ChaosDetails = Readonly<z.infer<typeof ChaosDetailsSchema>>;

export const CANARY_STATUSES = ['initializing', 'progressing', 'succeeded', 'failed', 'rollback'] as const;
const semver = z.string().regex(/^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/, 'must be a semantic version such as v1.2.3');

/** `canary_metrics`: one snapshot per poll. */
export const CanaryMetricSchema = z.object({
  measured_at: isoTime,
  traffic_weight: z.number().int().min(0).max(100),
  error_rate: percent.nullable(),
  response_time_p95: nonNegInt.nullable(),
  request_success_rate: percent.nullable(),
  total_requests: nonNegInt.nullable(),
  failed_requests: nonNegInt.nullable(),
  /** Flagger's phase and counters at that poll. */
  phase: z.string().nullable(),
  iterations: nonNegInt.nullable(),
  failed_checks: nonNegInt.nullable(),
});
export type CanaryMetric = Readonly<z.infer<typeof CanaryMetricSchema>>;

/** `canary_deployments`: one canary release watched or read. */
export const CanaryDeploymentSchema = z
  .object({
    service_name: z.string().max(100),
    old_version: semver,
    new_version: semver,
    traffic_weight: z.number().int().min(0).max(100),
    error_rate: percent.nullable(),
    response_time_p95: nonNegInt.nullable(),
    request_success_rate: percent.nullable(),
    started_at: isoTime,
    completed_at: isoTime.nullable(),
    status: z.enum(CANARY_STATUSES),
    rollback_reason: z.string().nullable(),
    analysis_interval_sec: z.number().int().positive(),
    threshold_max_error_rate: percent,
    threshold_max_response_time: nonNegInt,
    flagger_canary_name: z.string().max(100),
    kubernetes_namespace: z.string().max(100),
    created_by: z.string().max(100),
    metrics: z.array(CanaryMetricSchema),
  })
  .superRefine((c, ctx) => {
    if (c.old_version === c.new_version)
      ctx.addIssue({ code: 'custom', path: ['new_version'], message: 'must differ from old_version' });
    if ((c.status === 'rollback' || c.status === 'failed') && !c.rollback_reason)
      ctx.addIssue({ code: 'custom', path: ['rollback_reason'], message: 'required when the canary rolled back' });
  });
export type CanaryDeployment = Readonly<z.infer<typeof CanaryDeploymentSchema>>;

export const CanaryDetailsSchema = z.object({ deployment: CanaryDeploymentSchema });
export type CanaryDetails = Readonly<z.infer<typeof CanaryDetailsSchema>>;

// ---------------------------------------------------------------------------------------------
// Run plans: one validation across tools, in tiers with gates (seeds 002 and 004).

/** A plan step's, tier's or gate's outcome. `not_run`: never started (an earlier failure, an interrupt, a missing optional tool). */
export const PLAN_ITEM_STATUSES = ['passed', 'failed', 'error', 'skipped', 'not_run', 'interrupted'] as const;
export type PlanItemStatus = (typeof PLAN_ITEM_STATUSES)[number];

/** One gate (pass/fail criterion) as it was evaluated. */
export const PlanGateSchema = z.object({
  expression: z.string(),
  /** `step`: over the step's run; `tier`: over every run of the tier; `plan`: over every run of the plan. */
  scope: z.enum(['step', 'tier', 'plan']),
  step: z.string().nullable(),
  status: z.enum(['passed', 'failed']),
  /** The figure as measured (e.g. "187 ms"), or null when it could not be measured. */
  actual: z.string().nullable(),
  reason: z.string().nullable(),
  case_ordinal: nonNegInt.nullable(),
});
export type PlanGate = Readonly<z.infer<typeof PlanGateSchema>>;

/** One step of a tier as it ran. */
export const PlanStepSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** What the step ran: a run command (e2e, api, perf, chaos, canary, import, ...), `command` or `service`. */
  type: z.string(),
  status: z.enum(PLAN_ITEM_STATUSES),
  /** The runs the step stored (one per attempt; the last one decides). */
  run_ids: z.array(z.string()),
  started_at: isoTime.nullable(),
  duration_ms: nonNeg,
  attempts: nonNegInt,
  /** The key figures (cases, p95/p99, error rate, recovery), as printed in the summary. */
  notes: z.string(),
  /** Why the step failed, errored or did not run. */
  reason: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  case_ordinal: nonNegInt.nullable(),
});
export type PlanStep = Readonly<z.infer<typeof PlanStepSchema>>;

/** One tier as it ran, with its target duration. */
export const PlanTierSchema = z.object({
  name: z.string(),
  display_name: z.string().nullable(),
  status: z.enum(PLAN_ITEM_STATUSES),
  reason: z.string().nullable(),
  target_ms: nonNeg.nullable(),
  started_at: isoTime.nullable(),
  duration_ms: nonNeg,
  steps: z.array(PlanStepSchema),
  gates: z.array(PlanGateSchema),
});
export type PlanTier = Readonly<z.infer<typeof PlanTierSchema>>;

/** A plan run: the parent of its step runs. */
export const PlanDetailsSchema = z.object({
  plan_name: z.string(),
  /** The plan file as given (relative to the working directory), or null for a bundled plan. */
  file: z.string().nullable(),
  /** The CI event the tiers were chosen for (`--from-ci`), or null. */
  event: z
    .object({ provider: z.string(), event: z.string(), branch: z.string().nullable(), tag: z.string().nullable() })
    .nullable(),
  tiers: z.array(PlanTierSchema),
  /** Gates over the whole plan. */
  gates: z.array(PlanGateSchema),
});
export type PlanDetails = Readonly<z.infer<typeof PlanDetailsSchema>>;
