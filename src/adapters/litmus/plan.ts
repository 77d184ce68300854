import type { KubectlTarget } from '../../exec/kubectl.js';
import { steadyStateLimits, type ResolvedExperiment, type SteadyStateLimits } from './experiment-file.js';
import { chaosResultName, engineNameFor, renderChaosEngine } from './engine.js';
import { findExperiment, loadExperiments } from './experiments.js';

/** Everything `chaos run` needs, normalized from flags, environment and config by the command. */
export interface ChaosRunRequest {
  /** Experiment name (or file base name). */
  readonly experiment: string;
  /** Experiment directory or file. */
  readonly dir: string;
  /** `--env`: production can only raise the bar, never lower it. */
  readonly env?: 'staging' | 'production';
  readonly approve?: boolean;
  /** `--approver`, self-asserted unless a CI identity is known. */
  readonly approver?: string;
  /** Who is logged in (the OS user), the approver when none is given outside CI. */
  readonly osUser: string;
  /** The CI's own identity (GITHUB_ACTOR, GITLAB_USER_LOGIN, BUILD_USER_ID) and where it came from. */
  readonly ciIdentity: { readonly name: string; readonly source: string } | null;
  readonly approvers: readonly string[];
  /** Local steady-state checks use this URL; the in-cluster httpProbe keeps the file's URL. */
  readonly probeUrl?: string;
  readonly target: KubectlTarget;
  /** `-n`, else the experiment's namespace. */
  readonly namespace?: string;
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly recoveryTargetSec: number;
  /** How long to wait for the operator to confirm a stop (default 60 s). */
  readonly stopTimeoutMs?: number;
}

/** The gate's decision. */
export interface GateDecision {
  readonly required: boolean;
  readonly approver: string | null;
  /** Where the approver's name came from: `--approver`, the OS user, or the CI identity. */
  readonly approverSource: string | null;
  readonly refusal: string | null;
  readonly approvers: readonly string[];
}

/** What would happen, for `--dry-run` and for a real run. */
export interface ChaosPlan {
  readonly experiment: ResolvedExperiment;
  readonly environment: 'staging' | 'production';
  readonly gate: GateDecision;
  readonly target: KubectlTarget & { readonly namespace: string };
  readonly engineName: string;
  readonly resultName: string;
  /** Local checks (steady state before and after). */
  readonly limits: SteadyStateLimits;
  /** The limits as the experiment file states them: the in-cluster probe uses these. */
  readonly fileLimits: SteadyStateLimits;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly recoveryTargetSec: number;
  readonly stopTimeoutMs: number;
}

/**
 * The safety gate: production (or approval_required) needs `--approve` and an approver on the
 * approvers list. `--approver` is only a claim; in CI, where the CI system names who started the
 * job, the approver is that identity and a different `--approver` is refused.
 */
export function evaluateGate(experiment: ResolvedExperiment, environment: 'staging' | 'production', request: ChaosRunRequest): GateDecision {
  const required = environment === 'production' || experiment.approvalRequired;
  const approvers = [...request.approvers];
  if (!required) return { required, approver: null, approverSource: null, refusal: null, approvers };
  const ci = request.ciIdentity;
  const approver = (request.approver ?? ci?.name ?? request.osUser).slice(0, 100);
  const approverSource = request.approver !== undefined ? '--approver' : ci ? ci.source : 'OS user';
  const why = environment === 'production' ? 'in production' : 'an approval_required experiment';
  const name = experiment.definition.name;
  let refusal: string | null = null;
  if (!request.approve) refusal = `refusing to run "${name}" (${why}) without --approve`;
  else if (ci && request.approver !== undefined && request.approver !== ci.name)
    refusal = `refusing to run "${name}" (${why}): --approver "${request.approver}" does not match the CI identity ${ci.source}="${ci.name}"`;
  else if (approvers.length === 0) refusal = `refusing to run "${name}" (${why}): no approvers are configured (chaos.approvers or SHOPFDS_APPROVERS)`;
  else if (!approvers.includes(approver)) refusal = `refusing to run "${name}" (${why}): approver "${approver}" is not on the approvers list`;
  return { required, approver, approverSource, refusal, approvers };
}

/** The CI identity an approval is bound to, when the CI system provides one. */
export function ciIdentityFrom(env: Readonly<Record<string, string | undefined>>): ChaosRunRequest['ciIdentity'] {
  for (const key of ['GITHUB_ACTOR', 'GITLAB_USER_LOGIN', 'BUILD_USER_ID'] as const) {
    const v = env[key]?.trim();
    if (v) return { name: v, source: key };
  }
  return null;
}

/** Loads the experiment and works out the plan. Touches nothing in the cluster. */
export async function planChaos(request: ChaosRunRequest, cwd: string, suffix: string): Promise<ChaosPlan> {
  const loaded = await loadExperiments(cwd, request.dir);
  const experiment = findExperiment(loaded, request.experiment);
  const def = experiment.definition;
  const environment = request.env === 'production' || def.environment === 'production' ? 'production' : 'staging';
  const engineName = engineNameFor(experiment, suffix);
  return {
    experiment,
    environment,
    gate: evaluateGate(experiment, environment, request),
    target: { ...request.target, namespace: request.namespace ?? def.kubernetes_namespace },
    engineName,
    resultName: chaosResultName(engineName, def),
    limits: steadyStateLimits(def.steady_state_hypothesis, request.probeUrl),
    fileLimits: steadyStateLimits(def.steady_state_hypothesis),
    timeoutMs: request.timeoutMs ?? (def.duration_sec + 300) * 1000,
    pollIntervalMs: request.pollIntervalMs ?? 5000,
    recoveryTargetSec: request.recoveryTargetSec,
    stopTimeoutMs: request.stopTimeoutMs ?? 60_000,
  };
}

/** The ChaosEngine for a run. The in-cluster probe keeps the file's URL: `--probe-url` is for checks from here. */
export function chaosManifest(plan: ChaosPlan, runId: string): Record<string, unknown> {
  const manifest = renderChaosEngine(plan.experiment, {
    engineName: plan.engineName,
    runId,
    limits: plan.fileLimits,
    approvedBy: plan.gate.required ? plan.gate.approver : null,
  });
  (manifest.metadata as { namespace: string }).namespace = plan.target.namespace;
  (manifest.spec as { appinfo: { appns: string } }).appinfo.appns = plan.target.namespace;
  return manifest;
}

/** The exact command that stops the engine by hand. */
export function manualStopCommand(plan: Pick<ChaosPlan, 'engineName' | 'target'>): string {
  const ctx = plan.target.context ? ` --context ${plan.target.context}` : '';
  return `kubectl${ctx} patch chaosengine ${plan.engineName} -n ${plan.target.namespace} --type merge -p '{"spec":{"engineState":"stop"}}'`;
}
