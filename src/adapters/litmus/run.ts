import { setTimeout as sleep } from 'node:timers/promises';
import { ToolError, type CaseStatus, type ChaosAuditEntry, type ChaosExperiment, type ChaosObservation, type MetricSample } from '../../model/index.js';
import { runKubectl, type KubectlCapture, type KubectlCallOptions } from '../../exec/kubectl.js';
import { EventListSchema } from '../kube/events.js';
import { firstErrorLine, isApiFault, isNotFound, isTransientApiFault, kubectlError } from '../kube/kubectl-output.js';
import type { ExecuteIo, Invocation } from '../types.js';
import { LITMUS_EXPERIMENTS } from './engine.js';
import { manualStopCommand, type ChaosPlan } from './plan.js';
import { ChaosEngineSchema, ChaosResultSchema, summarizeChaosResult, type ChaosResultSummary } from './result.js';
import { checkPods, checkSteadyState, type SteadyStateCheck } from './steady-state.js';

/*
 * The Litmus state machine of `chaos run`: steady state, inject, poll the verdict, stop on abort,
 * measure recovery from the end of chaos as the cluster reports it. Every kubectl call goes through
 * src/exec/kubectl.ts. Failures of the cluster API (5xx, hung requests, an unreachable server) are
 * tool errors, never a verdict on the system under test.
 */

/** What `execute` runs: the plan plus what the pipeline knew when it built the invocation. */
export interface ChaosInvocation extends Invocation {
  readonly plan: ChaosPlan;
  readonly manifest: Record<string, unknown>;
  readonly runStartedAt: string;
  /** Who runs the command (audit actor). */
  readonly actor: string;
  readonly toolVersion: string | null;
}

/** ExecuteIo plus the second-signal hook: `urgent` aborts when Ctrl-C is pressed again. */
export interface ChaosExecuteIo extends ExecuteIo {
  readonly urgent?: AbortSignal;
}

/** A case before the pipeline numbers it. */
export interface CaseDraft {
  readonly suite: string;
  readonly name: string;
  readonly status: CaseStatus;
  readonly durationMs?: number;
  readonly errorMessage?: string | null;
  readonly properties?: Record<string, string>;
}

/** Everything the run left behind; `parse` makes the run of it. */
export interface ChaosCapture {
  readonly toolVersion: string | null;
  readonly audit: ChaosAuditEntry[];
  readonly observations: ChaosObservation[];
  readonly cases: CaseDraft[];
  readonly metrics: MetricSample[];
  status: ChaosExperiment['status'];
  result: ChaosExperiment['result'];
  startedAt: string | null;
  completedAt: string | null;
  recoverySec: number | null;
  verdict: string | null;
  /** A cluster API or kubectl failure (exit 3), or null. */
  toolError: string | null;
  interrupted: 'SIGINT' | 'SIGTERM' | null;
  /** Set when the engine may still be injecting chaos: the command that stops it. */
  manualStop: string | null;
}

type Observe = (type: ChaosObservation['observation_type'], metric: string, value: string, notes?: string | null, at?: string) => void;

const nowIso = () => new Date().toISOString();

function signalName(signal: AbortSignal): 'SIGINT' | 'SIGTERM' {
  return signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await sleep(Math.max(0, ms), undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}

/**
 * One kubectl call with retries of transient API faults (5xx, request timeouts), with backoff
 * 0.5 s, 1 s, 2 s; each retry is recorded as an observation.
 */
async function callWithRetry(plan: ChaosPlan, args: readonly string[], options: KubectlCallOptions & { what: string; observe: Observe; attempts?: number; requestTimeout?: string }): Promise<KubectlCapture> {
  const attempts = options.attempts ?? 4;
  const target = options.requestTimeout ? { ...plan.target, requestTimeout: options.requestTimeout } : plan.target;
  let out!: KubectlCapture;
  for (let i = 0; i < attempts; i++) {
    out = await runKubectl(target, args, options);
    if (out.exitCode === 0 || !isTransientApiFault(out) || options.signal?.aborted) return out;
    options.observe('during', 'api_retry', options.what, `attempt ${i + 1}/${attempts}: ${firstErrorLine(out)}`);
    if (i < attempts - 1 && !(await pause(500 * 2 ** i, options.signal))) return out;
  }
  return out;
}

function clusterApiError(out: KubectlCapture, what: string): string {
  return `cluster API error: ${what}: ${firstErrorLine(out)}`;
}

/**
 * When chaos ended, as the cluster reports it: the first post-chaos Event of the engine
 * (litmus-go's `PostChaosCheck`, else `Summary`, else `ChaosEngineStopped`), else the engine's
 * `status.experiments[].lastUpdateTime` once Completed / Forcefully Aborted. Null when the cluster
 * says nothing (the caller then uses the time it saw the verdict, and says so).
 */
export async function readChaosEnd(plan: ChaosPlan): Promise<{ at: string; source: string } | null> {
  const events = await runKubectl(plan.target, ['get', 'events', '--field-selector', `involvedObject.kind=ChaosEngine,involvedObject.name=${plan.engineName}`, '-o', 'json'], { timeoutMs: 30_000 });
  if (events.exitCode === 0) {
    try {
      const list = EventListSchema.parse(JSON.parse(events.stdout));
      for (const reason of ['PostChaosCheck', 'Summary', 'ChaosEngineStopped']) {
        const times = list.items
          .filter((e) => e.reason === reason)
          .map((e) => Date.parse(e.firstTimestamp ?? e.eventTime ?? e.lastTimestamp ?? ''))
          .filter(Number.isFinite);
        if (times.length) return { at: new Date(Math.min(...times)).toISOString(), source: `event ${reason}` };
      }
    } catch {
      // fall through to the engine status
    }
  }
  const engine = await runKubectl(plan.target, ['get', 'chaosengine', plan.engineName, '-o', 'json'], { timeoutMs: 30_000 });
  if (engine.exitCode === 0) {
    try {
      const parsed = ChaosEngineSchema.parse(JSON.parse(engine.stdout));
      const exp = parsed.status?.experiments?.find((e) => e.status === 'Completed' || e.status === 'Forcefully Aborted');
      const t = Date.parse(String((exp as { lastUpdateTime?: string } | undefined)?.lastUpdateTime ?? ''));
      if (Number.isFinite(t)) return { at: new Date(t).toISOString(), source: `ChaosEngine status.experiments[].lastUpdateTime (${exp!.status})` };
    } catch {
      // nothing reported
    }
  }
  return null;
}

/** Runs the experiment end to end. See docs/release-engineering.md. */
export async function executeChaos(inv: ChaosInvocation, io: ChaosExecuteIo): Promise<ChaosCapture> {
  const { plan, actor } = inv;
  const { target, experiment, limits, engineName, resultName } = plan;
  const def = experiment.definition;
  const cap: ChaosCapture = {
    toolVersion: inv.toolVersion,
    audit: [],
    observations: [],
    cases: [],
    metrics: [],
    status: 'scheduled',
    result: null,
    startedAt: null,
    completedAt: null,
    recoverySec: null,
    verdict: null,
    toolError: null,
    interrupted: null,
    manualStop: null,
  };
  const observe: Observe = (type, metric, value, notes = null, at = nowIso()) =>
    cap.observations.push({ observed_at: at, metric_name: metric.slice(0, 100), metric_value: value, observation_type: type, notes });
  const say = (text: string) => io.emit({ type: 'note', text: `chaos ${def.name}: ${text}` });
  const toolVersion = inv.toolVersion;

  cap.audit.push({ at: inv.runStartedAt, actor: (def.created_by ?? actor).slice(0, 100), action: 'created', detail: `experiment ${experiment.file}; engine ${engineName}` });
  if (plan.gate.required && plan.gate.approver) {
    cap.audit.push({ at: nowIso(), actor: plan.gate.approver, action: 'approved', detail: `${plan.environment}; approver from ${plan.gate.approverSource}; approvers list: ${plan.gate.approvers.join(', ')}` });
  }

  const recordCheck = (suite: 'steady state before' | 'steady state after', check: SteadyStateCheck) => {
    const type = suite === 'steady state before' ? 'steady_state_before' : 'steady_state_after';
    observe(type, 'ready_pods', `${check.pods.readiness.ready}/${check.pods.readiness.total}`, check.pods.detail, check.at);
    cap.cases.push({
      suite,
      name: 'ready pods',
      status: check.pods.ok ? 'passed' : 'failed',
      errorMessage: check.pods.ok ? null : check.pods.detail,
      properties: { ready: String(check.pods.readiness.ready), total: String(check.pods.readiness.total), min_ready: String(limits.minReadyPods) },
    });
    if (check.http) {
      observe(type, 'http_error_rate', `${check.http.errorRate}%`, check.http.detail, check.at);
      if (check.http.p95Ms !== null) observe(type, 'http_p95_ms', String(check.http.p95Ms), `${check.http.samples} samples after 1 warm-up request`, check.at);
      cap.cases.push({
        suite,
        name: 'http probe',
        status: check.http.ok ? 'passed' : 'failed',
        errorMessage: check.http.ok ? null : check.http.detail,
        properties: { url: limits.url ?? '', error_rate: String(check.http.errorRate), p95_ms: String(check.http.p95Ms ?? ''), samples: String(check.http.samples) },
      });
    } else {
      cap.cases.push({ suite, name: 'http probe', status: 'skipped', properties: { reason: 'no url in steady_state_hypothesis and no --probe-url' } });
    }
  };
  const abortedBeforeChaos = () => {
    cap.interrupted = signalName(io.signal);
    cap.audit.push({ at: nowIso(), actor, action: 'aborted', detail: `${cap.interrupted} before chaos was injected; nothing applied` });
    say('aborted before chaos; nothing was applied');
    cap.status = 'stopped';
    cap.completedAt = nowIso();
  };

  // 1. Steady state before: nothing is touched yet, so a failure here ends the command.
  say(`checking the steady state (${experiment.appLabel} in ${target.namespace}${limits.url ? `, ${limits.url}` : ''})`);
  let before: SteadyStateCheck;
  try {
    before = await checkSteadyState(target, { label: experiment.appLabel, targetPod: def.target_pod ?? null, limits, toolVersion, signal: io.signal });
  } catch (error) {
    if (io.signal.aborted) {
      abortedBeforeChaos();
      return cap;
    }
    throw error;
  }
  if (io.signal.aborted) {
    recordCheck('steady state before', before);
    abortedBeforeChaos();
    return cap;
  }
  recordCheck('steady state before', before);
  if (!before.ok) {
    const why = [before.pods.ok ? null : before.pods.detail, before.http && !before.http.ok ? before.http.detail : null].filter(Boolean).join('; ');
    say(`steady state does not hold, not injecting chaos: ${why}`);
    cap.audit.push({ at: nowIso(), actor, action: 'refused', detail: `steady state does not hold before chaos: ${why}` });
    cap.status = 'failed';
    cap.result = 'failed';
    cap.completedAt = nowIso();
    return cap;
  }

  // 2. Inject.
  const applied = await callWithRetry(plan, ['apply', '--validate=false', '-f', '-'], { input: JSON.stringify(inv.manifest), what: `apply ChaosEngine ${engineName}`, observe });
  if (applied.exitCode !== 0) {
    cap.toolError = isApiFault(applied) ? clusterApiError(applied, `apply ChaosEngine ${engineName}`) : kubectlError(applied, `apply ChaosEngine ${engineName}`, toolVersion).message;
    cap.status = 'failed';
    cap.completedAt = nowIso();
    cap.audit.push({ at: nowIso(), actor, action: 'aborted', detail: `the ChaosEngine could not be applied: ${cap.toolError}` });
    cap.cases.push({ suite: 'chaos', name: 'verdict', status: 'skipped', errorMessage: cap.toolError, properties: { reason: 'not injected' } });
    // An apply that failed on a 5xx may still have created the engine: make sure it is not running.
    const stop = await stopEngine(plan, io, observe, { onlyIfExists: true });
    if (!stop.confirmed) cap.manualStop = manualStopCommand(plan);
    return cap;
  }
  cap.startedAt = nowIso();
  cap.status = 'running';
  cap.audit.push({ at: cap.startedAt, actor, action: 'started', detail: `applied ChaosEngine ${target.namespace}/${engineName} (${LITMUS_EXPERIMENTS[def.experiment_type]}, ${def.duration_sec}s)` });
  io.emit({ type: 'phase', phase: 'injecting', detail: `ChaosEngine ${engineName}` });
  say(`applied ChaosEngine ${engineName}; waiting for ChaosResult ${resultName}`);

  // 3. Verdict.
  const outcome = await pollVerdict(plan, io, observe, cap.metrics, say, toolVersion);
  let summary = outcome.summary;
  let verdictSeenAt = nowIso();
  if (outcome.abort) {
    const reason = outcome.abort;
    if (reason === 'SIGINT' || reason === 'SIGTERM') cap.interrupted = reason;
    cap.audit.push({
      at: nowIso(),
      actor,
      action: 'aborted',
      detail:
        reason === 'timeout'
          ? `no final verdict after ${Math.round(plan.timeoutMs / 1000)}s; stopping the engine`
          : reason === 'api'
            ? `${outcome.error}; stopping the engine`
            : `${reason}; stopping the engine`,
    });
    say(`stopping ChaosEngine ${engineName} (${reason === 'api' ? 'cluster API error' : reason})`);
    const stop = await stopEngine(plan, io, observe, {});
    verdictSeenAt = nowIso();
    if (stop.summary) summary = stop.summary;
    if (reason === 'api') cap.toolError = outcome.error ?? 'cluster API error';
    if (!stop.confirmed) {
      cap.manualStop = manualStopCommand(plan);
      const what = stop.patched ? 'the stop was sent but the operator did not confirm it' : `the stop patch failed: ${stop.error}`;
      cap.toolError = `stop not confirmed: ChaosEngine ${target.namespace}/${engineName} may still be injecting chaos (${what})${cap.toolError ? `; ${cap.toolError}` : ''}`;
      cap.audit.push({ at: nowIso(), actor, action: 'aborted', detail: `stop not confirmed for ChaosEngine ${engineName}; stop it by hand: ${cap.manualStop}` });
      observe('during', 'engine_state', 'stop failed', what);
      // The engine may still run: it is not recorded as stopped.
      cap.status = 'running';
    } else {
      cap.status = 'stopped';
    }
    cap.result = cap.interrupted || cap.toolError ? null : 'failed';
    cap.cases.push({
      suite: 'chaos',
      name: 'verdict',
      status: cap.interrupted ? 'interrupted' : reason === 'timeout' ? 'timed_out' : cap.toolError ? 'skipped' : 'failed',
      errorMessage:
        reason === 'timeout'
          ? `verdict still ${outcome.summary?.verdict ?? 'not reported (no ChaosResult)'} after ${Math.round(plan.timeoutMs / 1000)}s; ${stop.confirmed ? 'engine stopped' : 'stop not confirmed'}`
          : reason === 'api'
            ? `no verdict: ${outcome.error}`
            : `interrupted by ${reason}; ${stop.confirmed ? 'engine stopped' : 'stop not confirmed'} (verdict ${summary?.verdict ?? 'unknown'})`,
      properties: { verdict: summary?.verdict ?? '', phase: summary?.phase ?? '', engine: engineName },
    });
    if (!stop.confirmed) {
      cap.verdict = summary?.verdict ?? null;
      cap.completedAt = null;
      recordSummary(summary, cap, observe);
      return cap;
    }
  } else {
    const s = outcome.summary!;
    const passed = s.verdict === 'Pass';
    cap.status = s.verdict === 'Stopped' ? 'stopped' : s.verdict === 'Error' ? 'failed' : 'completed';
    cap.result = passed ? 'passed' : 'failed';
    cap.cases.push({
      suite: 'chaos',
      name: 'verdict',
      status: passed ? 'passed' : 'failed',
      errorMessage: passed ? null : `verdict ${s.verdict} (phase ${s.phase})${s.failStep ? `: ${s.failStep}` : ''}`,
      properties: { verdict: s.verdict ?? '', phase: s.phase ?? '', probe_success_percentage: String(s.probeSuccessPercentage ?? ''), engine: engineName, result: resultName },
    });
  }
  cap.verdict = summary?.verdict ?? null;
  recordSummary(summary, cap, observe);
  cap.completedAt = nowIso();

  // 4. Recovery, from the end of chaos as the cluster reports it.
  if (!cap.interrupted && !cap.toolError) {
    const end = (await readChaosEnd(plan)) ?? { at: verdictSeenAt, source: 'time the final verdict was read (the cluster reported no end of chaos)' };
    observe('recovery', 'chaos_ended_at', end.at, end.source, end.at);
    io.emit({ type: 'phase', phase: 'recovering', detail: `chaos ended at ${end.at}` });
    const recovery = await measureRecovery(plan, io, Date.parse(end.at), say, toolVersion);
    if (recovery.check) recordCheck('steady state after', recovery.check);
    if (recovery.interrupted) {
      cap.interrupted = signalName(io.signal);
      cap.result = null;
      cap.audit.push({ at: nowIso(), actor, action: 'aborted', detail: `${cap.interrupted} while measuring recovery (chaos had ended at ${end.at}); recovery not measured` });
      cap.cases.push({ suite: 'recovery', name: `recovered within ${plan.recoveryTargetSec}s`, status: 'interrupted', errorMessage: `interrupted by ${cap.interrupted} while measuring recovery`, properties: { target_sec: String(plan.recoveryTargetSec) } });
      return cap;
    }
    if (recovery.error && recovery.check === null) {
      cap.toolError = recovery.error;
      cap.result = null;
      cap.cases.push({ suite: 'recovery', name: `recovered within ${plan.recoveryTargetSec}s`, status: 'skipped', errorMessage: recovery.error, properties: { target_sec: String(plan.recoveryTargetSec) } });
      cap.audit.push({ at: nowIso(), actor, action: 'aborted', detail: `recovery not measured: ${recovery.error}` });
      return cap;
    }
    cap.recoverySec = recovery.seconds;
    const within = recovery.seconds !== null && recovery.seconds <= plan.recoveryTargetSec;
    if (recovery.recoveredAt) observe('recovery', 'recovered_at', recovery.recoveredAt, recovery.recoveredSource, recovery.recoveredAt);
    observe('recovery', 'recovery_time_sec', recovery.seconds === null ? 'not recovered' : String(recovery.seconds), `from ${end.at} (${end.source}) to ${recovery.recoveredAt ?? '-'}; target <= ${plan.recoveryTargetSec}s`);
    if (recovery.seconds !== null) cap.metrics.push({ name: 'chaos_recovery_time_seconds', time: nowIso(), value: recovery.seconds, tags: { experiment: def.name } });
    cap.cases.push({
      suite: 'recovery',
      name: `recovered within ${plan.recoveryTargetSec}s`,
      status: within ? 'passed' : 'failed',
      durationMs: recovery.seconds === null ? 0 : recovery.seconds * 1000,
      errorMessage: within
        ? null
        : recovery.seconds === null
          ? `not recovered within ${plan.recoveryTargetSec}s${recovery.check ? `: ${[recovery.check.pods.detail, recovery.check.http?.detail].filter(Boolean).join('; ')}` : ''}`
          : `recovered after ${recovery.seconds}s (target ${plan.recoveryTargetSec}s)`,
      properties: { recovery_time_sec: String(recovery.seconds ?? ''), target_sec: String(plan.recoveryTargetSec), chaos_ended_at: end.at, recovered_at: recovery.recoveredAt ?? '' },
    });
    if (cap.result === 'passed' && !within) cap.result = 'failed';
  }
  if (!cap.interrupted && !cap.toolError) {
    cap.audit.push({ at: nowIso(), actor, action: 'completed', detail: `status ${cap.status}; verdict ${cap.verdict ?? '-'}; result ${cap.result ?? '-'}; recovery ${cap.recoverySec ?? '-'}s` });
  }
  return cap;
}

function recordSummary(summary: ChaosResultSummary | null, cap: ChaosCapture, observe: Observe): void {
  if (!summary) return;
  observe('verdict', 'verdict', summary.verdict ?? 'unknown', `phase ${summary.phase ?? '-'}; probe success ${summary.probeSuccessPercentage ?? '-'}%`);
  if (summary.failStep) observe('fail_step', 'fail_step', summary.failStep);
  for (const p of summary.probes) {
    observe('probe', p.name, p.verdict, [p.type, p.mode, p.description].filter(Boolean).join('; ') || null);
    cap.cases.push({
      suite: 'probes',
      name: p.name,
      status: p.verdict === 'Passed' ? 'passed' : p.verdict === 'Failed' ? 'failed' : cap.interrupted ? 'interrupted' : 'skipped',
      errorMessage: p.verdict === 'Failed' ? (p.description ?? 'probe failed') : null,
      properties: { type: p.type ?? '', mode: p.mode ?? '', verdict: p.verdict },
    });
  }
}

type AbortReason = 'SIGINT' | 'SIGTERM' | 'timeout' | 'api';

/** Polls the ChaosResult until the verdict is final, the timeout passes, a signal arrives, or the API keeps failing. */
async function pollVerdict(
  plan: ChaosPlan,
  io: ChaosExecuteIo,
  observe: Observe,
  metrics: MetricSample[],
  say: (text: string) => void,
  toolVersion: string | null,
): Promise<{ summary: ChaosResultSummary | null; abort: AbortReason | null; error?: string }> {
  const { target, resultName, experiment } = plan;
  const deadline = Date.now() + plan.timeoutMs;
  let summary: ChaosResultSummary | null = null;
  let lastSeen = '';
  let lastPods = '';
  let failures = 0;
  let lastError = '';
  for (;;) {
    if (io.signal.aborted) return { summary, abort: signalName(io.signal) };
    if (Date.now() >= deadline) return { summary, abort: 'timeout' };
    const out = await runKubectl(target, ['get', 'chaosresult', resultName, '-o', 'json'], { signal: io.signal });
    if (io.signal.aborted) continue;
    if (out.exitCode === 0) {
      failures = 0;
      try {
        summary = summarizeChaosResult(ChaosResultSchema.parse(JSON.parse(out.stdout)));
      } catch (error) {
        // Chaos is running: stop it and keep the run rather than leave with an exception.
        return { summary, abort: 'api', error: `unreadable ChaosResult ${resultName} from kubectl ${toolVersion ?? ''}: ${(error as Error).message.split('\n')[0]}` };
      }
      const seen = `${summary.phase}/${summary.verdict}`;
      if (seen !== lastSeen) {
        lastSeen = seen;
        observe('during', 'chaosresult', `${summary.verdict ?? '-'}`, `phase ${summary.phase ?? '-'}`);
        say(`ChaosResult ${resultName}: verdict ${summary.verdict ?? '-'} (phase ${summary.phase ?? '-'})`);
      }
      if (summary.finished) return { summary, abort: null };
    } else if (isNotFound(out)) {
      // The operator creates the ChaosResult only once the runner starts: NotFound at first is normal.
      failures = 0;
      if (lastSeen === '') {
        lastSeen = 'NotFound';
        observe('during', 'chaosresult', 'not created yet', null);
      }
    } else if (isApiFault(out)) {
      failures++;
      lastError = clusterApiError(out, `read ChaosResult ${resultName}`);
      observe('during', 'api_retry', `read ChaosResult ${resultName}`, `poll failure ${failures}/5: ${firstErrorLine(out)}`);
      if (failures >= 5) return { summary, abort: 'api', error: lastError };
      await pause(Math.min(500 * 2 ** (failures - 1), 8000), io.signal);
      continue;
    } else {
      // Forbidden, a bad answer: not worth retrying, but chaos is running, so stop it and keep the run.
      return { summary, abort: 'api', error: kubectlError(out, `read ChaosResult ${resultName}`, toolVersion).message };
    }
    // Ready pods during chaos, as observations (best effort).
    try {
      const pods = await checkPods(target, experiment.appLabel, null, plan.limits.minReadyPods, toolVersion, io.signal);
      const text = `${pods.readiness.ready}/${pods.readiness.total}`;
      metrics.push({ name: 'ready_pods', time: nowIso(), value: pods.readiness.ready, tags: { experiment: experiment.definition.name } });
      if (text !== lastPods) {
        lastPods = text;
        observe('during', 'ready_pods', text, pods.detail);
      }
    } catch {
      // Counted on the next ChaosResult read if the API server is really gone.
    }
    await pause(Math.min(plan.pollIntervalMs, Math.max(0, deadline - Date.now())), io.signal);
  }
}

/**
 * Stops the engine with a merge patch of `spec.engineState: stop` and waits until the operator
 * confirms (Stopped verdict, or engine status stopped/completed). Never uses the run's abort signal:
 * the stop must reach the cluster after Ctrl-C. A second Ctrl-C (`urgent`) shortens the waits, but
 * the patch is still sent, bounded by a short request timeout.
 */
async function stopEngine(
  plan: ChaosPlan,
  io: ChaosExecuteIo,
  observe: Observe,
  options: { onlyIfExists?: boolean },
): Promise<{ patched: boolean; confirmed: boolean; error: string | null; summary: ChaosResultSummary | null }> {
  const { target, engineName, resultName } = plan;
  const urgent = io.urgent;
  const deadline = Date.now() + plan.stopTimeoutMs;
  // Bounded: the user's --request-timeout when shorter, else 10 s; 5 s once Ctrl-C was pressed again.
  const shortTimeout = () => (urgent?.aborted ? '5s' : target.requestTimeout && (parseInt(target.requestTimeout, 10) || 99) < 10 ? target.requestTimeout : '10s');
  let patched = false;
  let lastError = '';
  for (let attempt = 0; attempt < 3 && !patched; attempt++) {
    if (attempt > 0 && (urgent?.aborted || Date.now() >= deadline)) break;
    const out = await runKubectl({ ...target, requestTimeout: shortTimeout() }, ['patch', 'chaosengine', engineName, '--type', 'merge', '-p', '{"spec":{"engineState":"stop"}}'], { timeoutMs: 20_000 });
    if (out.exitCode === 0) patched = true;
    else if (isNotFound(out)) return { patched: false, confirmed: true, error: null, summary: null };
    else {
      lastError = firstErrorLine(out);
      observe('during', 'engine_state', 'stop patch failed', `attempt ${attempt + 1}: ${lastError}`);
      if (!options.onlyIfExists) await pause(1000, urgent);
    }
  }
  if (!patched) return { patched: false, confirmed: false, error: lastError, summary: null };
  observe('during', 'engine_state', 'stop', 'patched spec.engineState=stop (merge patch)');
  let summary: ChaosResultSummary | null = null;
  while (Date.now() < deadline && !urgent?.aborted) {
    const engine = await runKubectl({ ...target, requestTimeout: shortTimeout() }, ['get', 'chaosengine', engineName, '-o', 'json'], { timeoutMs: 20_000 });
    if (engine.exitCode === 0) {
      try {
        const parsed = ChaosEngineSchema.parse(JSON.parse(engine.stdout));
        const state = parsed.status?.engineStatus;
        if (state === 'stopped' || state === 'completed') {
          const result = await runKubectl({ ...target, requestTimeout: shortTimeout() }, ['get', 'chaosresult', resultName, '-o', 'json'], { timeoutMs: 20_000 });
          if (result.exitCode === 0) {
            try {
              summary = summarizeChaosResult(ChaosResultSchema.parse(JSON.parse(result.stdout)));
            } catch {
              // the engine's word is enough
            }
          }
          observe('during', 'engine_state', state, `ChaosEngine status.engineStatus ${state}`);
          return { patched: true, confirmed: true, error: null, summary };
        }
      } catch {
        // keep waiting
      }
    } else if (isNotFound(engine)) return { patched: true, confirmed: true, error: null, summary };
    await pause(Math.min(plan.pollIntervalMs, 2000), urgent);
  }
  return { patched: true, confirmed: false, error: null, summary };
}

/**
 * Polls the steady state after chaos until it holds or the recovery target (plus one poll) has
 * passed. The recovery time is cluster time: from the end of chaos to the `lastTransitionTime` of
 * the last target pod's Ready condition (or, when the HTTP probe held only later, the time of the
 * check that saw it hold).
 */
async function measureRecovery(
  plan: ChaosPlan,
  io: ChaosExecuteIo,
  endOfChaos: number,
  say: (text: string) => void,
  toolVersion: string | null,
): Promise<{ seconds: number | null; check: SteadyStateCheck | null; recoveredAt: string | null; recoveredSource: string; error: string | null; interrupted: boolean }> {
  const giveUpAt = Math.max(Date.now(), endOfChaos + plan.recoveryTargetSec * 1000) + plan.pollIntervalMs;
  let check: SteadyStateCheck | null = null;
  let error: string | null = null;
  let podsHeldBefore = false;
  let failures = 0;
  for (;;) {
    if (io.signal.aborted) return { seconds: null, check, recoveredAt: null, recoveredSource: '', error, interrupted: true };
    try {
      check = await checkSteadyState(plan.target, { label: plan.experiment.appLabel, targetPod: null, limits: plan.limits, toolVersion, signal: io.signal });
      error = null;
      failures = 0;
      if (check.ok) {
        const podsAt = check.pods.readiness.readyAt ? Date.parse(check.pods.readiness.readyAt) : null;
        let recoveredAt: number;
        let source: string;
        if (podsHeldBefore && check.http) {
          recoveredAt = Date.parse(check.at);
          source = 'the first steady-state check whose HTTP probe held (pods were Ready before)';
        } else if (podsAt !== null) {
          recoveredAt = podsAt;
          source = 'latest Ready condition lastTransitionTime of the target pods';
        } else {
          recoveredAt = Date.parse(check.at);
          source = 'time of the steady-state check (the pods report no Ready transition time)';
        }
        const seconds = Math.max(0, Math.round((recoveredAt - endOfChaos) / 1000));
        say(`recovered ${seconds}s after the end of chaos (${check.pods.detail})`);
        return { seconds, check, recoveredAt: new Date(recoveredAt).toISOString(), recoveredSource: source, error: null, interrupted: false };
      }
      if (check.pods.ok) podsHeldBefore = true;
    } catch (e) {
      if (io.signal.aborted) return { seconds: null, check, recoveredAt: null, recoveredSource: '', error, interrupted: true };
      error = e instanceof ToolError ? e.message : (e as Error).message;
      if (++failures >= 5) return { seconds: null, check: null, recoveredAt: null, recoveredSource: '', error: `cluster API error while measuring recovery: ${error}`, interrupted: false };
    }
    if (Date.now() >= giveUpAt) break;
    await pause(Math.min(plan.pollIntervalMs, Math.max(0, giveUpAt - Date.now())), io.signal);
  }
  return { seconds: null, check, recoveredAt: null, recoveredSource: '', error, interrupted: false };
}
