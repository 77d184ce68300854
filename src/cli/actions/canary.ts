import {
  computeTotals,
  deriveRunStatus,
  UsageError,
  type Case,
  type CaseStatus,
  type CanaryDeployment,
  type CanaryMetric,
  type MetricSample,
  type RunInput,
} from '../../model/index.js';
import { detectKubectl, runKubectl, type KubectlTarget } from '../../exec/kubectl.js';
import { isNotFound, kubectlError, parseKubectlJson } from '../../adapters/kube/kubectl-output.js';
import { DeploymentSchema, deploymentImage, imageTag } from '../../adapters/kube/deployments.js';
import { analysisSettings, CanarySchema, canaryStatusFor, rollbackReason, snapshotCanary, type Canary, type CanarySnapshot } from '../../adapters/flagger/canary.js';
import { sameVersion, versionFromTag } from '../../adapters/flagger/versions.js';
import { EventListSchema, readAnalysisEvents, type AnalysisReadings } from '../../adapters/flagger/events.js';
import type { CommandContext } from '../context.js';
import { finishRun, startRun, type FinishOptions } from '../session.js';
import { parseDurationFlag, pause, resolveKubectlTarget, type KubeOptions } from './chaos-kube.js';

/** What `canary status|watch` needs, already parsed. */
export interface CanaryRequest extends KubeOptions {
  readonly name: string;
  /** Watch until Succeeded/Failed (true) or read once (false). */
  readonly watch: boolean;
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** The version being replaced, when the primary already runs the new one (nothing to compare). */
  readonly previousVersion?: string;
  readonly env?: string;
}

interface Poll {
  readonly canary: Canary;
  readonly snapshot: CanarySnapshot;
  readonly targetImage: string;
  readonly primaryImage: string | null;
  readonly readings: AnalysisReadings;
}

const NO_READINGS: AnalysisReadings = { successRate: null, durationMs: null, lastHalt: null };

/** Flagger's metric values, from the canary's Events; best effort (Events may be forbidden or expired). */
async function readEvents(target: KubectlTarget, name: string, since: number, signal?: AbortSignal): Promise<AnalysisReadings> {
  const out = await runKubectl(target, ['get', 'events', '--field-selector', `involvedObject.kind=Canary,involvedObject.name=${name}`, '-o', 'json'], { signal });
  if (out.exitCode !== 0) return NO_READINGS;
  try {
    return readAnalysisEvents(EventListSchema.parse(JSON.parse(out.stdout)), since);
  } catch {
    return NO_READINGS;
  }
}

async function readCanary(target: KubectlTarget, name: string, toolVersion: string, since: number, signal?: AbortSignal): Promise<Poll> {
  const out = await runKubectl(target, ['get', 'canary', name, '-o', 'json'], { signal });
  if (out.exitCode !== 0) {
    if (isNotFound(out)) {
      throw new UsageError(`canary "${name}" not found${target.namespace ? ` in namespace ${target.namespace}` : ''}`, {
        hint: 'Check the name and -n/--namespace ("kubectl get canaries -A" lists them).',
      });
    }
    throw kubectlError(out, `read canary ${name}`, toolVersion);
  }
  const canary = parseKubectlJson(out, CanarySchema, 'Canary', toolVersion);
  const targetName = canary.spec.targetRef.name;
  const ns = canary.metadata.namespace;
  const scoped = ns ? { ...target, namespace: ns } : target;
  const dep = await runKubectl(scoped, ['get', 'deployment', targetName, '-o', 'json'], { signal });
  if (dep.exitCode !== 0) throw kubectlError(dep, `read deployment ${targetName} (the canary's targetRef)`, toolVersion);
  const targetImage = deploymentImage(parseKubectlJson(dep, DeploymentSchema, 'Deployment', toolVersion));
  // Flagger names the primary `<target>-primary`; it does not exist before the first initialization.
  const prim = await runKubectl(scoped, ['get', 'deployment', `${targetName}-primary`, '-o', 'json'], { signal });
  let primaryImage: string | null = null;
  if (prim.exitCode === 0) primaryImage = deploymentImage(parseKubectlJson(prim, DeploymentSchema, 'Deployment', toolVersion));
  else if (!isNotFound(prim)) throw kubectlError(prim, `read deployment ${targetName}-primary`, toolVersion);
  const readings = await readEvents(scoped, name, since, signal);
  return { canary, snapshot: snapshotCanary(canary), targetImage, primaryImage, readings };
}

function semverOf(what: string, image: string | null): string | null {
  if (image === null) return null;
  const version = versionFromTag(imageTag(image));
  if (version === null) {
    throw new UsageError(`${what} runs image "${image}" whose tag is not a semantic version (e.g. v1.2.3)`, {
      hint: 'Tag release images with semantic versions, or pass --previous-version for the old one.',
    });
  }
  return version;
}

/**
 * Reads the canary once (`status`) or polls it until Flagger finishes (`watch`), recording a
 * `canary_metrics` snapshot per poll. Versions: the new version is the image tag of the canary's
 * target deployment; the old one is the image tag of `<target>-primary` at the first poll (Flagger
 * copies the target's spec to the primary only on promotion), or `--previous-version`.
 */
export async function observeCanary(ctx: CommandContext, request: CanaryRequest): Promise<RunInput> {
  const config = ctx.globals.config.canary ?? {};
  const target = resolveKubectlTarget(ctx, request, { context: config.kubeContext, namespace: config.namespace });
  const run = startRun(ctx, 'canary', { env: request.env });
  const toolVersion = await detectKubectl(target);
  const timeoutMs = request.timeoutMs ?? (config.timeoutSec ?? 1800) * 1000;
  const intervalMs = request.pollIntervalMs ?? 10_000;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let latest: { errorRate: number | null; p95: number | null; success: number | null } = { errorRate: null, p95: null, success: null };
  const metricsRows: CanaryMetric[] = [];
  const samples: MetricSample[] = [];
  const say = (text: string) => ctx.progress.line(`canary ${request.name}: ${text}`);

  let poll = await readCanary(target, request.name, toolVersion, started - 1000, ctx.signal);
  const newVersion = semverOf(`deployment ${poll.canary.spec.targetRef.name}`, poll.targetImage)!;
  let oldVersion = request.previousVersion ?? semverOf(`deployment ${poll.canary.spec.targetRef.name}-primary`, poll.primaryImage);
  if (request.previousVersion !== undefined && versionFromTag(request.previousVersion) === null) {
    throw new UsageError(`--previous-version must be a semantic version such as v1.2.3 (got "${request.previousVersion}")`);
  }
  if (oldVersion === null || sameVersion(oldVersion, newVersion)) {
    throw new UsageError(
      oldVersion === null
        ? `canary "${request.name}" has no primary deployment yet, so there is no previous version to compare with`
        : `canary "${request.name}" has nothing to roll out: the primary already runs ${newVersion}`,
      { hint: 'Pass --previous-version <semver> to record the version this release replaces.' },
    );
  }
  const settings = analysisSettings(poll.canary);
  const namespace = poll.canary.metadata.namespace ?? target.namespace ?? 'default';

  let seenActive = false;
  let lastLine = '';
  let outcome: 'succeeded' | 'rollback' | 'timeout' | 'interrupted' | 'snapshot' | 'primary-mismatch' = 'snapshot';
  let completedAt: string | null = null;
  for (;;) {
    const at = new Date().toISOString();
    const s = poll.snapshot;
    const r = poll.readings;
    // The Canary status has no metric values; Flagger's failed-check Events carry them.
    const reading = {
      errorRate: r.successRate === null ? null : Math.round((100 - r.successRate) * 100) / 100,
      p95: r.durationMs === null ? null : Math.round(r.durationMs),
      success: r.successRate,
    };
    latest = { errorRate: reading.errorRate ?? latest.errorRate, p95: reading.p95 ?? latest.p95, success: reading.success ?? latest.success };
    metricsRows.push({
      measured_at: at,
      traffic_weight: s.weight,
      error_rate: reading.errorRate,
      response_time_p95: reading.p95,
      request_success_rate: reading.success,
      total_requests: null,
      failed_requests: null,
      phase: s.phase,
      iterations: s.iterations,
      failed_checks: s.failedChecks,
    });
    samples.push({ name: 'canary_traffic_weight', time: at, value: s.weight, tags: { canary: request.name, phase: s.phase ?? '' } });
    const line = `${s.phase ?? 'no status'} weight ${s.weight}%${s.failedChecks ? ` failed checks ${s.failedChecks}` : ''}`;
    if (line !== lastLine) {
      lastLine = line;
      say(line);
    }
    if (s.phase === 'Failed') {
      outcome = 'rollback';
      completedAt = at;
      break;
    }
    if (s.phase === 'Succeeded') {
      const primaryVersion = poll.primaryImage ? versionFromTag(imageTag(poll.primaryImage)) : null;
      if (primaryVersion !== null && sameVersion(primaryVersion, newVersion)) {
        outcome = 'succeeded';
        completedAt = at;
        break;
      }
      // A Succeeded left over from the previous release: Flagger has not picked up the new revision yet.
      if (seenActive || !request.watch) {
        outcome = request.watch ? 'primary-mismatch' : 'snapshot';
        completedAt = request.watch ? at : null;
        break;
      }
    } else if (s.phase !== null) seenActive = true;
    if (!request.watch) break;
    if (ctx.signal.aborted) {
      outcome = 'interrupted';
      break;
    }
    if (Date.now() >= deadline) {
      outcome = 'timeout';
      completedAt = at;
      break;
    }
    const slept = await pause(Math.min(intervalMs, Math.max(0, deadline - Date.now())), ctx.signal);
    if (!slept) {
      outcome = 'interrupted';
      break;
    }
    poll = await readCanary(target, request.name, toolVersion, started - 1000, ctx.signal).catch((error: unknown) => {
      if (ctx.signal.aborted) return poll;
      throw error;
    });
    if (ctx.signal.aborted) {
      outcome = 'interrupted';
      break;
    }
  }

  const s = poll.snapshot;
  const timeoutSec = Math.round(timeoutMs / 1000);
  let status: CanaryDeployment['status'] = canaryStatusFor(s.phase);
  let reason: string | null = null;
  const cases: { name: string; status: CaseStatus; errorMessage: string | null; properties: Record<string, string> }[] = [];
  const props = { phase: s.phase ?? '', weight: String(s.weight), failed_checks: String(s.failedChecks ?? ''), iterations: String(s.iterations ?? '') };
  switch (outcome) {
    case 'succeeded':
      cases.push({ name: 'analysis', status: 'passed', errorMessage: null, properties: props });
      cases.push({ name: `primary runs ${newVersion}`, status: 'passed', errorMessage: null, properties: { primary_image: poll.primaryImage ?? '' } });
      break;
    case 'primary-mismatch':
      status = 'failed';
      reason = `Flagger reports Succeeded but ${poll.canary.spec.targetRef.name}-primary runs ${poll.primaryImage ?? 'nothing'}, not ${newVersion}`;
      cases.push({ name: 'analysis', status: 'passed', errorMessage: null, properties: props });
      cases.push({ name: `primary runs ${newVersion}`, status: 'failed', errorMessage: reason, properties: { primary_image: poll.primaryImage ?? '' } });
      break;
    case 'rollback':
      reason = `${rollbackReason(s, settings.threshold)}${poll.readings.lastHalt ? `; last check: ${poll.readings.lastHalt}` : ''}`;
      cases.push({ name: 'analysis', status: 'failed', errorMessage: `rolled back: ${reason}`, properties: props });
      break;
    case 'timeout':
      status = 'failed';
      reason = `timed out after ${timeoutSec}s waiting for canary ${request.name} (phase ${s.phase ?? 'none'}, weight ${s.weight}%)`;
      cases.push({ name: 'analysis', status: 'timed_out', errorMessage: reason, properties: props });
      break;
    case 'interrupted':
      cases.push({ name: 'analysis', status: 'interrupted', errorMessage: `interrupted by ${ctx.interruptedBy() ?? 'SIGINT'} in phase ${s.phase ?? 'none'}`, properties: props });
      break;
    case 'snapshot':
      cases.push({ name: `phase ${s.phase ?? 'unknown'}`, status: 'passed', errorMessage: null, properties: props });
      break;
  }
  if (outcome !== 'snapshot') say(`${outcome === 'succeeded' ? 'promoted' : outcome}${reason ? `: ${reason}` : ''}`);

  const deployment: CanaryDeployment = {
    service_name: poll.canary.spec.targetRef.name.slice(0, 100),
    old_version: oldVersion,
    new_version: newVersion,
    traffic_weight: s.weight,
    error_rate: latest.errorRate,
    response_time_p95: latest.p95,
    request_success_rate: latest.success,
    started_at: new Date(started).toISOString(),
    completed_at: completedAt,
    status,
    rollback_reason: reason,
    analysis_interval_sec: settings.intervalSec,
    threshold_max_error_rate: settings.maxErrorRate,
    threshold_max_response_time: settings.maxResponseTimeMs,
    flagger_canary_name: request.name,
    kubernetes_namespace: namespace,
    created_by: ctx.globals.executedBy,
    metrics: metricsRows,
  };
  const builtCases: Case[] = cases.map((c, ordinal) => ({
    ordinal,
    suitePath: [`canary ${request.name}`],
    name: c.name,
    file: null,
    line: null,
    column: null,
    project: null,
    status: c.status,
    durationMs: 0,
    attempts: [{ index: 0, status: c.status === 'flaky' ? 'passed' : c.status, durationMs: 0, startedAt: null, errorMessage: c.errorMessage, errorStack: null }],
    errorMessage: c.errorMessage,
    errorStack: null,
    artifacts: [],
    tags: [],
    properties: c.properties,
    stdout: null,
    stderr: null,
  }));
  const totals = computeTotals(builtCases);
  const finishedAt = new Date().toISOString();
  const args = [request.watch ? 'watch' : 'status', request.name, ...(target.namespace ? ['-n', target.namespace] : []), ...(target.context ? ['--context', target.context] : [])];
  return {
    id: run.id,
    kind: 'canary',
    name: request.name,
    status: deriveRunStatus(totals, { interrupted: outcome === 'interrupted' }),
    startedAt: run.startedAt,
    completedAt: finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(run.startedAt)),
    environment: run.environment,
    trigger: run.trigger,
    executedBy: run.executedBy,
    ci: run.ci,
    tool: { name: 'kubectl', version: toolVersion, commandLine: `shopfds-test canary ${args.join(' ')}` },
    totals,
    errorMessage: outcome === 'interrupted' ? `interrupted by ${ctx.interruptedBy() ?? 'SIGINT'}` : null,
    runGroup: run.runGroup,
    shard: null,
    artifacts: [],
    metadata: {
      flagger_phase: s.phase ?? '',
      canary_weight: String(s.weight),
      target_image: poll.targetImage,
      primary_image: poll.primaryImage ?? '',
      namespace,
      ...(s.lastAppliedSpec ? { last_applied_spec: s.lastAppliedSpec } : {}),
      ...(s.lastPromotedSpec ? { last_promoted_spec: s.lastPromotedSpec } : {}),
    },
    cases: builtCases,
    metrics: samples,
    e2e: null,
    api: null,
    perf: null,
    chaos: null,
    canary: { deployment },
  };
}

/** In-process entry for `canary watch`: polls until Succeeded/Failed/timeout and returns the run (not yet saved). */
export function runCanaryWatch(ctx: CommandContext, request: Omit<CanaryRequest, 'watch'>): Promise<RunInput> {
  return observeCanary(ctx, { ...request, watch: true });
}

/** Commander options of `canary status|watch`. */
export interface CanaryOptions extends FinishOptions, KubeOptions {
  readonly timeout?: string;
  readonly interval?: string;
  readonly pollInterval?: string;
  readonly previousVersion?: string;
  readonly env?: string;
}

function requestFrom(name: string, options: CanaryOptions, watch: boolean): CanaryRequest {
  const interval = options.interval ?? options.pollInterval;
  return {
    name,
    watch,
    kubeconfig: options.kubeconfig,
    context: options.context,
    namespace: options.namespace,
    kubeCacheDir: options.kubeCacheDir,
    previousVersion: options.previousVersion,
    env: options.env,
    timeoutMs: options.timeout === undefined ? undefined : parseDurationFlag('--timeout', options.timeout, 0),
    pollIntervalMs: interval === undefined ? undefined : parseDurationFlag('--interval', interval, 0),
  };
}

/** `canary status <name>`: one read, recorded as a run; exit 1 when the canary Failed. */
export async function canaryStatusAction(ctx: CommandContext, name: string, options: CanaryOptions): Promise<number> {
  const run = await observeCanary(ctx, requestFrom(name, options, false));
  return finishRun(ctx, run, { junit: options.junit, markdown: options.markdown, html: options.html });
}

/** `canary watch <name>`: exit 0 promoted (and the primary runs the new version), 1 rolled back or timed out. */
export async function canaryWatchAction(ctx: CommandContext, name: string, options: CanaryOptions): Promise<number> {
  const run = await observeCanary(ctx, requestFrom(name, options, true));
  return finishRun(ctx, run, { junit: options.junit, markdown: options.markdown, html: options.html });
}
