import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import {
  computeTotals,
  deriveRunStatus,
  GateError,
  ToolError,
  type Case,
  type CaseStatus,
  type ChaosAuditEntry,
  type ChaosExperiment,
  type ChaosObservation,
  type MetricSample,
  type RunInput,
} from '../../model/index.js';
import { detectKubectl, runKubectl, type KubectlTarget } from '../../exec/kubectl.js';
import { isNotFound, kubectlError, firstErrorLine } from '../../adapters/kube/kubectl-output.js';
import { experimentRecordBase, steadyStateLimits, type ResolvedExperiment, type SteadyStateLimits } from '../../adapters/litmus/experiment-file.js';
import { chaosResultName, engineNameFor, LITMUS_EXPERIMENTS, renderChaosEngine } from '../../adapters/litmus/engine.js';
import { ChaosEngineSchema, ChaosResultSchema, summarizeChaosResult, type ChaosResultSummary } from '../../adapters/litmus/result.js';
import { findExperiment, loadExperiments } from '../../adapters/litmus/experiments.js';
import type { CommandContext } from '../context.js';
import { startRun, type RunStart } from '../session.js';
import { pause, resolveKubectlTarget, type KubeOptions } from './chaos-kube.js';
import { checkPods, checkSteadyState, type SteadyStateCheck } from './chaos-steady-state.js';

/** Everything `chaos run` needs, already parsed from flags and config. */
export interface ChaosRunRequest extends KubeOptions {
  /** Experiment name (or file base name). */
  readonly experiment: string;
  /** Experiment directory or file (default: config chaos.experiments, else scenarios/chaos). */
  readonly dir?: string;
  /** `--env`: production can only raise the bar, never lower it. */
  readonly env?: 'staging' | 'production';
  readonly approve?: boolean;
  readonly approver?: string;
  readonly probeUrl?: string;
  /** Give up waiting for a verdict after this long (default: duration + 5 minutes). */
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly recoveryTargetSec?: number;
}

/** The gate's decision. */
export interface GateDecision {
  readonly required: boolean;
  readonly approver: string | null;
  readonly refusal: string | null;
  readonly approvers: readonly string[];
}

/** What would happen, for `--dry-run` and for the start of a real run. */
export interface ChaosPlan {
  readonly experiment: ResolvedExperiment;
  readonly environment: 'staging' | 'production';
  readonly gate: GateDecision;
  readonly target: KubectlTarget & { readonly namespace: string };
  readonly engineName: string;
  readonly resultName: string;
  readonly manifest: Record<string, unknown>;
  readonly limits: SteadyStateLimits;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly recoveryTargetSec: number;
  readonly run: RunStart;
}

function osUser(env: CommandContext['io']['env']): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.USERNAME || 'unknown';
  }
}

/** Approvers: `SHOPFDS_APPROVERS` (comma list) wins over config `chaos.approvers`. */
export function configuredApprovers(ctx: CommandContext): string[] {
  const fromEnv = ctx.io.env.SHOPFDS_APPROVERS;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return fromEnv
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return [...(ctx.globals.config.chaos?.approvers ?? [])];
}

/**
 * The safety gate: production (or approval_required) needs `--approve` and an approver (`--approver`,
 * else the OS user) on the approvers list.
 */
export function evaluateGate(ctx: CommandContext, experiment: ResolvedExperiment, environment: 'staging' | 'production', request: ChaosRunRequest): GateDecision {
  const required = environment === 'production' || experiment.approvalRequired;
  const approvers = configuredApprovers(ctx);
  if (!required) return { required, approver: null, refusal: null, approvers };
  const approver = (request.approver ?? osUser(ctx.io.env)).slice(0, 100);
  const why = environment === 'production' ? 'in production' : 'an approval_required experiment';
  const name = experiment.definition.name;
  let refusal: string | null = null;
  if (!request.approve) refusal = `refusing to run "${name}" (${why}) without --approve`;
  else if (approvers.length === 0) refusal = `refusing to run "${name}" (${why}): no approvers are configured (chaos.approvers or SHOPFDS_APPROVERS)`;
  else if (!approvers.includes(approver)) refusal = `refusing to run "${name}" (${why}): approver "${approver}" is not on the approvers list`;
  return { required, approver, refusal, approvers };
}

/** Loads the experiment and works out the plan. Touches nothing in the cluster. */
export async function planChaosExperiment(ctx: CommandContext, request: ChaosRunRequest): Promise<ChaosPlan> {
  const config = ctx.globals.config.chaos ?? {};
  const loaded = await loadExperiments(ctx.io.cwd, request.dir ?? config.experiments ?? 'scenarios/chaos');
  const experiment = findExperiment(loaded, request.experiment);
  const def = experiment.definition;
  const environment = request.env === 'production' || def.environment === 'production' ? 'production' : 'staging';
  const gate = evaluateGate(ctx, experiment, environment, request);
  const target = { ...resolveKubectlTarget(ctx, request, { context: config.kubeContext }), namespace: request.namespace ?? config.namespace ?? def.kubernetes_namespace };
  const run = startRun(ctx, 'chaos', { env: environment });
  const engineName = engineNameFor(experiment, randomBytes(3).toString('hex'));
  const limits = steadyStateLimits(def.steady_state_hypothesis, request.probeUrl);
  const manifest = renderChaosEngine(experiment, { engineName, runId: run.id, limits, approvedBy: gate.required ? gate.approver : null });
  (manifest.metadata as { namespace: string }).namespace = target.namespace;
  ((manifest.spec as { appinfo: { appns: string } }).appinfo).appns = target.namespace;
  return {
    experiment,
    environment,
    gate,
    target,
    engineName,
    resultName: chaosResultName(engineName, def),
    manifest,
    limits,
    timeoutMs: request.timeoutMs ?? (def.duration_sec + 300) * 1000,
    pollIntervalMs: request.pollIntervalMs ?? 5000,
    recoveryTargetSec: request.recoveryTargetSec ?? config.recoveryTargetSec ?? 30,
    run,
  };
}

/** The refusal as an error: exit 1 (gates failed), one line, nothing touched. */
export function gateRefusal(plan: ChaosPlan): GateError {
  const { gate } = plan;
  const hint = !gate.approver
    ? undefined
    : gate.approvers.length
      ? `Approvers: ${gate.approvers.join(', ')}. Rerun with --approve --approver <name>.`
      : 'Add approvers to shopfds.config (chaos.approvers) or SHOPFDS_APPROVERS, then rerun with --approve.';
  return new GateError('E_GATE_APPROVAL', gate.refusal ?? 'refused', { hint });
}

interface CaseDraft {
  name: string;
  suite: string;
  status: CaseStatus;
  durationMs?: number;
  errorMessage?: string | null;
  properties?: Record<string, string>;
}

/** Runs the experiment end to end and returns the run (not yet saved). See docs/release-engineering.md. */
export async function runChaosExperiment(ctx: CommandContext, request: ChaosRunRequest): Promise<RunInput> {
  const plan = await planChaosExperiment(ctx, request);
  if (plan.gate.refusal) throw gateRefusal(plan);
  return executeChaosPlan(ctx, plan);
}

/** Steps 2-5 of `chaos run`: steady state, inject, poll, abort, recovery, record. */
export async function executeChaosPlan(ctx: CommandContext, plan: ChaosPlan): Promise<RunInput> {
  const { target, experiment, limits, engineName, resultName } = plan;
  const def = experiment.definition;
  const actor = ctx.globals.executedBy;
  const now = () => new Date().toISOString();
  const audit: ChaosAuditEntry[] = [];
  const observations: ChaosObservation[] = [];
  const cases: CaseDraft[] = [];
  const metrics: MetricSample[] = [];
  const observe = (type: ChaosObservation['observation_type'], metric: string, value: string, notes: string | null = null) =>
    observations.push({ observed_at: now(), metric_name: metric.slice(0, 100), metric_value: value, observation_type: type, notes });
  const say = (text: string) => ctx.progress.line(`chaos ${def.name}: ${text}`);

  const toolVersion = await detectKubectl(target);
  const kubectlLine = [target.binary, 'apply', '--validate=false', '-f', '-', ...(target.context ? ['--context', target.context] : []), '-n', target.namespace].join(' ');

  audit.push({ at: plan.run.startedAt, actor: (def.created_by ?? actor).slice(0, 100), action: 'created', detail: `experiment ${experiment.file}; engine ${engineName}` });
  if (plan.gate.required && plan.gate.approver) {
    audit.push({ at: now(), actor: plan.gate.approver, action: 'approved', detail: `${plan.environment}; approvers list: ${plan.gate.approvers.join(', ')}` });
  }

  const recordCheck = (suite: 'steady state before' | 'steady state after', check: SteadyStateCheck) => {
    const type = suite === 'steady state before' ? 'steady_state_before' : 'steady_state_after';
    observations.push({ observed_at: check.at, metric_name: 'ready_pods', metric_value: `${check.pods.readiness.ready}/${check.pods.readiness.total}`, observation_type: type, notes: check.pods.detail });
    cases.push({
      suite,
      name: 'ready pods',
      status: check.pods.ok ? 'passed' : 'failed',
      errorMessage: check.pods.ok ? null : check.pods.detail,
      properties: { ready: String(check.pods.readiness.ready), total: String(check.pods.readiness.total), min_ready: String(limits.minReadyPods) },
    });
    if (check.http) {
      observations.push({ observed_at: check.at, metric_name: 'http_error_rate', metric_value: `${check.http.errorRate}%`, observation_type: type, notes: check.http.detail });
      if (check.http.p95Ms !== null)
        observations.push({ observed_at: check.at, metric_name: 'http_p95_ms', metric_value: String(check.http.p95Ms), observation_type: type, notes: null });
      cases.push({
        suite,
        name: 'http probe',
        status: check.http.ok ? 'passed' : 'failed',
        errorMessage: check.http.ok ? null : check.http.detail,
        properties: { url: limits.url ?? '', error_rate: String(check.http.errorRate), p95_ms: String(check.http.p95Ms ?? '') },
      });
    } else {
      cases.push({ suite, name: 'http probe', status: 'skipped', properties: { reason: 'no url in steady_state_hypothesis and no --probe-url' } });
    }
  };

  // Steady state before: kubectl errors here mean nothing was touched, so they end the command (exit 3).
  say(`checking the steady state (${experiment.appLabel} in ${target.namespace}${limits.url ? `, ${limits.url}` : ''})`);
  const before = await checkSteadyState(target, { label: experiment.appLabel, targetPod: def.target_pod ?? null, limits, toolVersion, signal: ctx.signal });

  let startedAt: string | null = null;
  let completedAt: string | null = null;
  let status: ChaosExperiment['status'] = 'scheduled';
  let result: ChaosExperiment['result'] = null;
  let recoverySec: number | null = null;
  let errorMessage: string | null = null;
  let interrupted = false;
  let summary: ChaosResultSummary | null = null;

  if (ctx.signal.aborted) {
    interrupted = true;
    audit.push({ at: now(), actor, action: 'aborted', detail: `${ctx.interruptedBy() ?? 'SIGINT'} before chaos was injected; nothing applied` });
    status = 'stopped';
    completedAt = now();
    recordCheck('steady state before', before);
  } else if (!before.ok) {
    recordCheck('steady state before', before);
    const why = [before.pods.ok ? null : before.pods.detail, before.http && !before.http.ok ? before.http.detail : null].filter(Boolean).join('; ');
    say(`steady state does not hold, not injecting chaos: ${why}`);
    audit.push({ at: now(), actor, action: 'refused', detail: `steady state does not hold before chaos: ${why}` });
    status = 'failed';
    result = 'failed';
    completedAt = now();
  } else {
    recordCheck('steady state before', before);
    // Inject.
    const manifest = JSON.stringify(plan.manifest);
    const applied = await runKubectl(target, ['apply', '--validate=false', '-f', '-'], { input: manifest });
    if (applied.exitCode !== 0) {
      // Nothing is known to run; report the tool failure with what was recorded so far.
      errorMessage = kubectlError(applied, `apply ChaosEngine ${engineName}`, toolVersion).message;
      status = 'failed';
      result = 'failed';
      completedAt = now();
      cases.push({ suite: 'chaos', name: 'verdict', status: 'failed', errorMessage });
    } else {
      startedAt = now();
      status = 'running';
      audit.push({ at: startedAt, actor, action: 'started', detail: `applied ChaosEngine ${target.namespace}/${engineName} (${LITMUS_EXPERIMENTS[def.experiment_type]}, ${def.duration_sec}s)` });
      say(`applied ChaosEngine ${engineName}; waiting for ChaosResult ${resultName}`);
      const outcome = await pollVerdict(ctx, plan, toolVersion, observe, metrics, say);
      summary = outcome.summary;
      let endOfChaos = Date.now();
      if (outcome.abort) {
        const reason = outcome.abort;
        audit.push({
          at: now(),
          actor,
          action: 'aborted',
          detail: reason === 'timeout' ? `no final verdict after ${Math.round(plan.timeoutMs / 1000)}s; stopping the engine` : reason === 'error' ? `kubectl kept failing: ${outcome.error}` : `${reason}; stopping the engine`,
        });
        say(`stopping ChaosEngine ${engineName} (${reason})`);
        const stopped = await stopEngine(plan, toolVersion, observe);
        endOfChaos = Date.now();
        if (stopped.summary) summary = stopped.summary;
        if (!stopped.ok) errorMessage = stopped.message;
        status = 'stopped';
        interrupted = reason === 'SIGINT' || reason === 'SIGTERM';
        result = interrupted ? null : 'failed';
        if (reason === 'error' && !errorMessage) errorMessage = outcome.error ?? 'kubectl failed';
        cases.push({
          suite: 'chaos',
          name: 'verdict',
          status: interrupted ? 'interrupted' : reason === 'timeout' ? 'timed_out' : 'failed',
          errorMessage:
            reason === 'timeout'
              ? `verdict still ${outcome.summary?.verdict ?? 'not reported (no ChaosResult)'} after ${Math.round(plan.timeoutMs / 1000)}s; engine stopped`
              : reason === 'error'
                ? `kubectl failed while waiting for the verdict: ${outcome.error}`
                : `interrupted by ${reason}; engine stopped (verdict ${summary?.verdict ?? 'unknown'})`,
          properties: { verdict: summary?.verdict ?? '', phase: summary?.phase ?? '', engine: engineName },
        });
      } else {
        const s = outcome.summary!;
        const passed = s.verdict === 'Pass';
        status = s.verdict === 'Stopped' ? 'stopped' : s.verdict === 'Error' ? 'failed' : 'completed';
        result = passed ? 'passed' : 'failed';
        cases.push({
          suite: 'chaos',
          name: 'verdict',
          status: passed ? 'passed' : 'failed',
          errorMessage: passed ? null : `verdict ${s.verdict} (phase ${s.phase})${s.failStep ? `: ${s.failStep}` : ''}`,
          properties: { verdict: s.verdict ?? '', phase: s.phase ?? '', probe_success_percentage: String(s.probeSuccessPercentage ?? ''), engine: engineName, result: resultName },
        });
        if (!passed) audit.push({ at: now(), actor: 'litmus', action: 'completed', detail: `verdict ${s.verdict}` });
      }
      if (summary) {
        observe('verdict', 'verdict', summary.verdict ?? 'unknown', `phase ${summary.phase ?? '-'}; probe success ${summary.probeSuccessPercentage ?? '-'}%`);
        if (summary.failStep) observe('fail_step', 'fail_step', summary.failStep);
        for (const p of summary.probes) {
          observe('probe', p.name, p.verdict, [p.type, p.mode, p.description].filter(Boolean).join('; ') || null);
          cases.push({
            suite: 'probes',
            name: p.name,
            status: p.verdict === 'Passed' ? 'passed' : p.verdict === 'Failed' ? 'failed' : interrupted ? 'interrupted' : 'skipped',
            errorMessage: p.verdict === 'Failed' ? p.description ?? 'probe failed' : null,
            properties: { type: p.type ?? '', mode: p.mode ?? '', verdict: p.verdict },
          });
        }
      }
      completedAt = now();

      // Recovery: from the end of chaos until the target pods are Ready and the steady state holds.
      if (!interrupted) {
        const recovery = await measureRecovery(ctx, plan, toolVersion, endOfChaos, say);
        if (recovery.check) recordCheck('steady state after', recovery.check);
        recoverySec = recovery.seconds;
        const within = recoverySec !== null && recoverySec <= plan.recoveryTargetSec;
        observe('recovery', 'recovery_time_sec', recoverySec === null ? 'not recovered' : String(recoverySec), `target <= ${plan.recoveryTargetSec}s`);
        if (recoverySec !== null) metrics.push({ name: 'chaos_recovery_time_seconds', time: now(), value: recoverySec, tags: { experiment: def.name } });
        cases.push({
          suite: 'recovery',
          name: `recovered within ${plan.recoveryTargetSec}s`,
          status: within ? 'passed' : 'failed',
          durationMs: recovery.elapsedMs,
          errorMessage: within
            ? null
            : recoverySec === null
              ? `not recovered within ${plan.recoveryTargetSec}s${recovery.check ? `: ${[recovery.check.pods.detail, recovery.check.http?.detail].filter(Boolean).join('; ')}` : recovery.error ? `: ${recovery.error}` : ''}`
              : `recovered after ${recoverySec}s (target ${plan.recoveryTargetSec}s)`,
          properties: { recovery_time_sec: String(recoverySec ?? ''), target_sec: String(plan.recoveryTargetSec) },
        });
        if (result === 'passed' && !within) result = 'failed';
        if (recovery.error && !errorMessage && recovery.check === null) errorMessage = recovery.error;
      }
      if (status === 'completed' || status === 'failed' || (status === 'stopped' && !interrupted))
        audit.push({ at: now(), actor, action: 'completed', detail: `status ${status}; result ${result ?? '-'}; recovery ${recoverySec ?? '-'}s` });
    }
  }

  const finishedAt = now();
  const builtCases: Case[] = cases.map((c, ordinal) => ({
    ordinal,
    suitePath: [def.name, c.suite],
    name: c.name,
    file: experiment.file,
    line: null,
    column: null,
    project: null,
    status: c.status,
    durationMs: c.durationMs ?? 0,
    attempts: [
      {
        index: 0,
        status: c.status === 'flaky' ? 'passed' : c.status,
        durationMs: c.durationMs ?? 0,
        startedAt: null,
        errorMessage: c.errorMessage ?? null,
        errorStack: null,
      },
    ],
    errorMessage: c.errorMessage ?? null,
    errorStack: null,
    artifacts: [],
    tags: [def.experiment_type, ...def.tags],
    properties: c.properties ?? {},
    stdout: null,
    stderr: null,
  }));
  const totals = computeTotals(builtCases);
  let runStatus = deriveRunStatus(totals, { interrupted, toolError: errorMessage !== null });
  if (errorMessage !== null && runStatus === 'passed') runStatus = 'error';
  const chaos: ChaosExperiment = {
    ...experimentRecordBase(def),
    status,
    started_at: startedAt,
    completed_at: status === 'completed' || status === 'stopped' || status === 'failed' ? completedAt ?? finishedAt : null,
    result,
    recovery_time_sec: recoverySec,
    recovery_target_sec: plan.recoveryTargetSec,
    chaos_engine_name: engineName,
    kubernetes_namespace: target.namespace,
    environment: plan.environment,
    approval_required: plan.gate.required,
    approved_by: plan.gate.required ? plan.gate.approver : null,
    created_by: (def.created_by ?? actor).slice(0, 100),
    observations,
    audit,
  };
  return {
    id: plan.run.id,
    kind: 'chaos',
    name: def.name,
    status: runStatus,
    startedAt: plan.run.startedAt,
    completedAt: finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(plan.run.startedAt)),
    environment: plan.environment,
    trigger: plan.run.trigger,
    executedBy: plan.run.executedBy,
    ci: plan.run.ci,
    tool: { name: 'kubectl', version: toolVersion, commandLine: kubectlLine },
    totals,
    errorMessage: errorMessage ?? (interrupted ? `interrupted by ${ctx.interruptedBy() ?? 'SIGINT'}; ChaosEngine ${engineName} stopped` : null),
    runGroup: plan.run.runGroup,
    shard: null,
    artifacts: [],
    metadata: {
      chaos_engine: engineName,
      chaos_result: resultName,
      litmus_experiment: LITMUS_EXPERIMENTS[def.experiment_type],
      namespace: target.namespace,
      ...(target.context ? { kube_context: target.context } : {}),
      verdict: summary?.verdict ?? '',
      experiment_file: experiment.file,
    },
    cases: builtCases,
    metrics,
    e2e: null,
    api: null,
    perf: null,
    chaos: { experiment: chaos },
    canary: null,
  };
}

type AbortReason = 'SIGINT' | 'SIGTERM' | 'timeout' | 'error';

interface PollOutcome {
  readonly summary: ChaosResultSummary | null;
  readonly abort: AbortReason | null;
  readonly error?: string;
}

/** Polls the ChaosResult until the verdict is final, the timeout passes, or a signal arrives. */
async function pollVerdict(
  ctx: CommandContext,
  plan: ChaosPlan,
  toolVersion: string,
  observe: (type: ChaosObservation['observation_type'], metric: string, value: string, notes?: string | null) => void,
  metrics: MetricSample[],
  say: (text: string) => void,
): Promise<PollOutcome> {
  const { target, resultName, experiment } = plan;
  const deadline = Date.now() + plan.timeoutMs;
  let summary: ChaosResultSummary | null = null;
  let lastSeen = '';
  let lastPods = '';
  let failures = 0;
  let lastError = '';
  for (;;) {
    const signal = ctx.interruptedBy();
    if (signal || ctx.signal.aborted) return { summary, abort: signal ?? 'SIGINT' };
    if (Date.now() >= deadline) return { summary, abort: 'timeout' };
    const out = await runKubectl(target, ['get', 'chaosresult', resultName, '-o', 'json'], { signal: ctx.signal });
    if (ctx.signal.aborted) continue;
    if (out.exitCode === 0) {
      failures = 0;
      try {
        summary = summarizeChaosResult(ChaosResultSchema.parse(JSON.parse(out.stdout)));
      } catch (error) {
        lastError = `unreadable ChaosResult from kubectl ${toolVersion}: ${(error as Error).message.split('\n')[0]}`;
        failures++;
      }
      if (summary) {
        const seen = `${summary.phase}/${summary.verdict}`;
        if (seen !== lastSeen) {
          lastSeen = seen;
          observe('during', 'chaosresult', `${summary.verdict ?? '-'}`, `phase ${summary.phase ?? '-'}`);
          say(`ChaosResult ${resultName}: verdict ${summary.verdict ?? '-'} (phase ${summary.phase ?? '-'})`);
        }
        if (summary.finished) return { summary, abort: null };
      }
    } else if (isNotFound(out)) {
      // The operator creates the ChaosResult only once the runner starts: NotFound at first is normal.
      failures = 0;
      if (lastSeen === '') {
        lastSeen = 'NotFound';
        observe('during', 'chaosresult', 'not created yet', null);
      }
    } else {
      failures++;
      lastError = firstErrorLine(out);
    }
    if (failures >= 5) return { summary, abort: 'error', error: lastError };
    // Ready pods during chaos, as observations (best effort).
    try {
      const pods = await checkPods(target, experiment.appLabel, null, plan.limits.minReadyPods, toolVersion, ctx.signal);
      const text = `${pods.readiness.ready}/${pods.readiness.total}`;
      metrics.push({ name: 'ready_pods', time: new Date().toISOString(), value: pods.readiness.ready, tags: { experiment: experiment.definition.name } });
      if (text !== lastPods) {
        lastPods = text;
        observe('during', 'ready_pods', text, pods.detail);
      }
    } catch {
      // Counted on the next ChaosResult read if the API server is really gone.
    }
    await pause(Math.min(plan.pollIntervalMs, Math.max(0, deadline - Date.now())), ctx.signal);
  }
}

/**
 * Stops the engine with a merge patch of `spec.engineState: stop` and waits for the Stopped verdict
 * (or, when no ChaosResult was created yet, the engine's `stopped` status). Never uses the run's
 * abort signal: the stop must reach the cluster after Ctrl-C.
 */
async function stopEngine(
  plan: ChaosPlan,
  toolVersion: string,
  observe: (type: ChaosObservation['observation_type'], metric: string, value: string, notes?: string | null) => void,
): Promise<{ ok: boolean; message: string | null; summary: ChaosResultSummary | null }> {
  const { target, engineName, resultName } = plan;
  const manual = `kubectl patch chaosengine ${engineName} -n ${target.namespace} --type merge -p '{"spec":{"engineState":"stop"}}'`;
  let patched = false;
  let lastError = '';
  for (let attempt = 0; attempt < 3 && !patched; attempt++) {
    const out = await runKubectl(target, ['patch', 'chaosengine', engineName, '--type', 'merge', '-p', '{"spec":{"engineState":"stop"}}'], { timeoutMs: 30_000 });
    if (out.exitCode === 0) patched = true;
    else {
      lastError = firstErrorLine(out);
      await pause(Math.min(1000, plan.pollIntervalMs));
    }
  }
  if (!patched) {
    observe('during', 'engine_state', 'stop patch failed', lastError);
    return { ok: false, message: `could not stop ChaosEngine ${engineName}: ${lastError}. Stop it by hand: ${manual}`, summary: null };
  }
  observe('during', 'engine_state', 'stop', 'patched spec.engineState=stop (merge patch)');
  const deadline = Date.now() + Math.max(60_000, plan.pollIntervalMs * 10);
  let summary: ChaosResultSummary | null = null;
  while (Date.now() < deadline) {
    const out = await runKubectl(target, ['get', 'chaosresult', resultName, '-o', 'json'], { timeoutMs: 30_000 });
    if (out.exitCode === 0) {
      try {
        summary = summarizeChaosResult(ChaosResultSchema.parse(JSON.parse(out.stdout)));
        if (summary.verdict === 'Stopped' || summary.finished) return { ok: true, message: null, summary };
      } catch {
        // keep waiting
      }
    } else if (isNotFound(out)) {
      const engine = await runKubectl(target, ['get', 'chaosengine', engineName, '-o', 'json'], { timeoutMs: 30_000 });
      if (engine.exitCode === 0) {
        try {
          const parsed = ChaosEngineSchema.parse(JSON.parse(engine.stdout));
          if (parsed.status?.engineStatus === 'stopped') return { ok: true, message: null, summary };
        } catch {
          // keep waiting
        }
      } else if (isNotFound(engine)) return { ok: true, message: null, summary };
    }
    await pause(plan.pollIntervalMs);
  }
  return {
    ok: false,
    message: `ChaosEngine ${engineName} was patched to stop but did not report Stopped within ${Math.round(Math.max(60_000, plan.pollIntervalMs * 10) / 1000)}s; check it: kubectl get chaosresult ${resultName} -n ${target.namespace}`,
    summary,
  };
}

/** Polls the steady state after chaos until it holds or the recovery target (plus one poll) has passed. */
async function measureRecovery(
  ctx: CommandContext,
  plan: ChaosPlan,
  toolVersion: string,
  endOfChaos: number,
  say: (text: string) => void,
): Promise<{ seconds: number | null; check: SteadyStateCheck | null; elapsedMs: number; error: string | null }> {
  const giveUpAt = endOfChaos + plan.recoveryTargetSec * 1000 + plan.pollIntervalMs;
  let check: SteadyStateCheck | null = null;
  let error: string | null = null;
  for (;;) {
    if (ctx.signal.aborted) break;
    try {
      check = await checkSteadyState(plan.target, { label: plan.experiment.appLabel, targetPod: null, limits: plan.limits, toolVersion, signal: ctx.signal });
      error = null;
      if (check.ok) {
        const elapsedMs = Date.now() - endOfChaos;
        const seconds = Math.ceil(elapsedMs / 1000);
        say(`recovered after ${seconds}s (${check.pods.detail})`);
        return { seconds, check, elapsedMs, error: null };
      }
    } catch (e) {
      error = e instanceof ToolError ? e.message : (e as Error).message;
    }
    if (Date.now() >= giveUpAt) break;
    await pause(Math.min(plan.pollIntervalMs, Math.max(0, giveUpAt - Date.now())), ctx.signal);
  }
  return { seconds: null, check, elapsedMs: Date.now() - endOfChaos, error };
}

