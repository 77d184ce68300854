import { setTimeout as sleep } from 'node:timers/promises';
import { ToolError, UsageError, type CanaryMetric, type MetricSample } from '../../model/index.js';
import { runKubectl, type KubectlTarget } from '../../exec/kubectl.js';
import { firstErrorLine, isApiFault, isNotFound, isUnreachable, kubectlError, parseKubectlJson } from '../kube/kubectl-output.js';
import { DeploymentSchema, deploymentImage, imageTag, lastChangedAt } from '../kube/deployments.js';
import type { ExecuteIo, Invocation } from '../types.js';
import { CanarySchema, snapshotCanary, type Canary, type CanarySnapshot } from './canary.js';
import { currentRevisionSince, EventListSchema, lastFailureAt, readAnalysisEvents, type AnalysisReadings } from './events.js';
import { sameVersion, versionFromTag } from './versions.js';

/*
 * `canary status|watch`: read-only polling of a Flagger Canary through kubectl. Transient API
 * errors are retried within the poll budget; whatever was observed is kept for the run on any exit.
 */

/** What `canary status|watch` needs, normalized. */
export interface CanaryRequest {
  readonly name: string;
  /** Poll until Succeeded/Failed (true) or read once (false). */
  readonly watch: boolean;
  readonly target: KubectlTarget;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** The version being replaced, when the primary already runs the new one. */
  readonly previousVersion?: string;
  readonly env?: string;
}

export type CanaryPlan = CanaryRequest;

export interface CanaryInvocation extends Invocation {
  readonly plan: CanaryPlan;
  readonly toolVersion: string | null;
}

/** One read of the canary, its target, its primary and the analysis Events of the current revision. */
export interface CanaryPoll {
  readonly at: string;
  readonly canary: Canary;
  readonly snapshot: CanarySnapshot;
  readonly targetImage: string;
  readonly primaryImage: string | null;
  readonly readings: AnalysisReadings;
  /** A Failed phase that belongs to an earlier revision (the target changed after the rollback). */
  readonly staleFailure: boolean;
}

export type CanaryOutcome = 'succeeded' | 'initialized' | 'rollback' | 'timeout' | 'interrupted' | 'snapshot' | 'primary-mismatch' | 'api-error';

/** What the watch saw; `parse` makes the run of it. */
export interface CanaryCapture {
  readonly toolVersion: string | null;
  readonly startedAt: string;
  readonly polls: CanaryPoll[];
  outcome: CanaryOutcome;
  completedAt: string | null;
  oldVersion: string | null;
  newVersion: string | null;
  /** The last cluster API error, when polling ended on it (exit 3). */
  apiError: string | null;
  /** Transient API errors that were retried. */
  apiRetries: string[];
  interruptedBy: 'SIGINT' | 'SIGTERM' | null;
}

const NO_READINGS: AnalysisReadings = { successRate: null, durationMs: null, lastHalt: null };

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(Math.max(0, ms), undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** A failed read the watch may retry (the API server failing), as opposed to a wrong request. */
class ApiFault extends Error {}

async function readCanary(target: KubectlTarget, name: string, toolVersion: string | null, signal: AbortSignal): Promise<Omit<CanaryPoll, 'at'>> {
  const fail = (out: { exitCode: number; stdout: string; stderr: string }, what: string): never => {
    if (isUnreachable(out)) throw new ApiFault(`cluster API error: ${kubectlError(out, what, toolVersion).message}`);
    if (isApiFault(out)) throw new ApiFault(`cluster API error: ${what}: ${firstErrorLine(out)}`);
    throw kubectlError(out, what, toolVersion);
  };
  const out = await runKubectl(target, ['get', 'canary', name, '-o', 'json'], { signal });
  if (out.exitCode !== 0) {
    if (isNotFound(out)) {
      throw new UsageError(`canary "${name}" not found${target.namespace ? ` in namespace ${target.namespace}` : ''}`, {
        hint: 'Check the name and -n/--namespace ("kubectl get canaries -A" lists them).',
      });
    }
    fail(out, `read canary ${name}`);
  }
  const canary = parseKubectlJson(out, CanarySchema, 'Canary', toolVersion);
  const targetName = canary.spec.targetRef.name;
  const ns = canary.metadata.namespace;
  const scoped = ns ? { ...target, namespace: ns } : target;
  // kubectl drops managedFields from its output unless asked; their times say when the target last changed.
  const dep = await runKubectl(scoped, ['get', 'deployment', targetName, '-o', 'json', '--show-managed-fields'], { signal });
  if (dep.exitCode !== 0) fail(dep, `read deployment ${targetName} (the canary's targetRef)`);
  const targetDeployment = parseKubectlJson(dep, DeploymentSchema, 'Deployment', toolVersion);
  // Flagger creates `<target>-primary` when it initializes the canary; before that it does not exist.
  const prim = await runKubectl(scoped, ['get', 'deployment', `${targetName}-primary`, '-o', 'json'], { signal });
  let primaryImage: string | null = null;
  if (prim.exitCode === 0) primaryImage = deploymentImage(parseKubectlJson(prim, DeploymentSchema, 'Deployment', toolVersion));
  else if (!isNotFound(prim)) fail(prim, `read deployment ${targetName}-primary`);
  const snapshot = snapshotCanary(canary);
  // Events: best effort (they may be forbidden or expired).
  let readings = NO_READINGS;
  let staleFailure = false;
  const ev = await runKubectl(scoped, ['get', 'events', '--field-selector', `involvedObject.kind=Canary,involvedObject.name=${name}`, '-o', 'json'], { signal });
  if (ev.exitCode === 0) {
    try {
      const list = EventListSchema.parse(JSON.parse(ev.stdout));
      // The analysis of the current revision: Events since Flagger last detected a new revision.
      readings = readAnalysisEvents(list, currentRevisionSince(list) ?? 0);
      if (snapshot.phase === 'Failed') {
        // Flagger rewrites a Failed canary's lastTransitionTime every minute (flagger#1696), so the
        // target's own change time tells whether this Failed is about an earlier revision.
        const failedAt = lastFailureAt(list);
        const changedAt = lastChangedAt(targetDeployment, 'flagger');
        staleFailure = failedAt !== null && changedAt !== null && changedAt > failedAt;
      }
    } catch {
      // no readings
    }
  }
  return { canary, snapshot, targetImage: deploymentImage(targetDeployment), primaryImage, readings: staleFailure ? NO_READINGS : readings, staleFailure };
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

const ACTIVE_PHASES = new Set(['Progressing', 'Waiting', 'WaitingPromotion', 'Promoting', 'Finalising']);

/** A first deployment replaces nothing: recorded with this old version. */
export const NO_PREVIOUS_VERSION = '0.0.0';

/**
 * Reads the canary once (`status`) or polls it until Flagger finishes (`watch`). The new version is
 * the image tag of the target deployment; the old one is that of `<target>-primary` once it exists
 * (Flagger copies the target to the primary only on promotion), or `--previous-version`.
 */
export async function watchCanary(inv: CanaryInvocation, io: ExecuteIo): Promise<CanaryCapture> {
  const { plan } = inv;
  const started = Date.now();
  const deadline = started + plan.timeoutMs;
  const cap: CanaryCapture = {
    toolVersion: inv.toolVersion,
    startedAt: new Date(started).toISOString(),
    polls: [],
    outcome: 'snapshot',
    completedAt: null,
    oldVersion: null,
    newVersion: null,
    apiError: null,
    apiRetries: [],
    interruptedBy: null,
  };
  if (plan.previousVersion !== undefined && versionFromTag(plan.previousVersion) === null) {
    throw new UsageError(`--previous-version must be a semantic version such as v1.2.3 (got "${plan.previousVersion}")`);
  }
  const say = (text: string) => io.emit({ type: 'note', text: `canary ${plan.name}: ${text}` });
  const interrupted = () => {
    cap.outcome = 'interrupted';
    cap.interruptedBy = io.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
  };
  let failures = 0;
  let seenActive = false;
  let lastLine = '';
  for (;;) {
    if (io.signal.aborted) {
      interrupted();
      break;
    }
    let poll: CanaryPoll | null = null;
    try {
      poll = { at: new Date().toISOString(), ...(await readCanary(plan.target, plan.name, inv.toolVersion, io.signal)) };
      failures = 0;
    } catch (error) {
      if (io.signal.aborted) {
        interrupted();
        break;
      }
      if (!(error instanceof ApiFault)) throw error;
      failures++;
      cap.apiRetries.push(error.message);
      say(`${error.message} (retrying, ${failures}/5)`);
      if (failures >= 5 || Date.now() >= deadline || !plan.watch) {
        if (!cap.polls.length) throw new ToolError(error.message);
        cap.outcome = 'api-error';
        cap.apiError = error.message;
        break;
      }
      if (!(await pause(Math.min(500 * 2 ** (failures - 1), plan.pollIntervalMs * 2, Math.max(0, deadline - Date.now())), io.signal))) {
        interrupted();
        break;
      }
      continue;
    }
    cap.polls.push(poll);
    const s = poll.snapshot;
    cap.newVersion ??= semverOf(`deployment ${poll.canary.spec.targetRef.name}`, poll.targetImage);
    if (cap.oldVersion === null) cap.oldVersion = plan.previousVersion ?? semverOf(`deployment ${poll.canary.spec.targetRef.name}-primary`, poll.primaryImage);
    const line = `${s.phase ?? 'no status'} weight ${s.weight}%${s.failedChecks ? ` failed checks ${s.failedChecks}` : ''}${poll.staleFailure ? ' (from an earlier revision)' : ''}`;
    if (line !== lastLine) {
      lastLine = line;
      say(line);
    }
    if (poll.primaryImage === null && plan.previousVersion === undefined) {
      // Flagger has not initialized the canary yet: `watch` waits for it; `status` has nothing to compare.
      if (!plan.watch)
        throw new UsageError(`canary "${plan.name}" has no primary deployment yet (phase ${s.phase ?? 'none'}), so there is no previous version to compare with`, {
          hint: 'Run "canary watch" to wait for Flagger to initialize it, or pass --previous-version <semver>.',
        });
    } else {
      const same = cap.oldVersion !== null && cap.newVersion !== null && sameVersion(cap.oldVersion, cap.newVersion);
      const initializing = s.phase === null || s.phase === 'Initializing';
      if (same && initializing && plan.previousVersion === undefined && plan.watch) {
        // The primary was just created and Flagger has not written Initialized yet: wait for it.
      } else if (s.phase === 'Initialized' && same && plan.previousVersion === undefined) {
        // A first deployment: Flagger initialized the primary from the target; there is no analysis.
        cap.oldVersion = NO_PREVIOUS_VERSION;
        cap.outcome = 'initialized';
        cap.completedAt = poll.at;
        break;
      }
      else if (same) {
        throw new UsageError(`canary "${plan.name}" has nothing to roll out: the primary already runs ${cap.newVersion}`, {
          hint: 'Pass --previous-version <semver> to record the version this release replaces.',
        });
      }
      if (s.phase === 'Failed' && !poll.staleFailure) {
        cap.outcome = 'rollback';
        cap.completedAt = poll.at;
        break;
      }
      if (s.phase === 'Succeeded') {
        const primaryVersion = poll.primaryImage ? versionFromTag(imageTag(poll.primaryImage)) : null;
        if (primaryVersion !== null && sameVersion(primaryVersion, cap.newVersion!)) {
          cap.outcome = 'succeeded';
          cap.completedAt = poll.at;
          break;
        }
        // A Succeeded left over from the previous release: wait until Flagger picks up the new revision.
        if (seenActive && plan.watch) {
          cap.outcome = 'primary-mismatch';
          cap.completedAt = poll.at;
          break;
        }
      }
      if (s.phase !== null && ACTIVE_PHASES.has(s.phase)) seenActive = true;
    }
    if (!plan.watch) break;
    if (Date.now() >= deadline) {
      cap.outcome = 'timeout';
      cap.completedAt = poll.at;
      break;
    }
    if (!(await pause(Math.min(plan.pollIntervalMs, Math.max(0, deadline - Date.now())), io.signal))) {
      interrupted();
      break;
    }
  }
  if (!cap.polls.length) throw new ToolError(cap.apiError ?? `no read of canary ${plan.name} succeeded`);
  return cap;
}

/** `canary_metrics` rows and samples of a capture: one per poll. */
export function canaryMetricRows(cap: CanaryCapture, name: string): { rows: CanaryMetric[]; samples: MetricSample[] } {
  const rows: CanaryMetric[] = [];
  const samples: MetricSample[] = [];
  for (const p of cap.polls) {
    const s = p.snapshot;
    const r = p.readings;
    rows.push({
      measured_at: p.at,
      traffic_weight: s.weight,
      error_rate: r.successRate === null ? null : Math.round((100 - r.successRate) * 100) / 100,
      response_time_p95: r.durationMs === null ? null : Math.round(r.durationMs),
      request_success_rate: r.successRate,
      total_requests: null,
      failed_requests: null,
      phase: s.phase,
      iterations: s.iterations,
      failed_checks: s.failedChecks,
    });
    samples.push({ name: 'canary_traffic_weight', time: p.at, value: s.weight, tags: { canary: name, phase: s.phase ?? '' } });
  }
  return { rows, samples };
}
