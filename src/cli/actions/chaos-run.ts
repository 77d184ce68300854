import { userInfo } from 'node:os';
import { GateError, type RunInput } from '../../model/index.js';
import { adapter as litmus, ciIdentityFrom, parseChaosCapture, refusedCapture, type ChaosExecuteIo, type ChaosPlan, type ChaosRunRequest } from '../../adapters/litmus/index.js';
import type { CommandContext } from '../context.js';
import { startRun, type RunStart } from '../session.js';
import { resolveKubectlTarget, type KubeOptions } from './chaos-kube.js';
import { polledInvocationContext, polledResolveContext, progressEmitter, runFromOutcome } from './polled-tool.js';

/** What `chaos run` was given, before normalization against env and config. */
export interface ChaosRunInput extends KubeOptions {
  readonly experiment: string;
  readonly dir?: string;
  readonly env?: 'staging' | 'production';
  readonly approve?: boolean;
  readonly approver?: string;
  readonly probeUrl?: string;
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly recoveryTargetSec?: number;
  readonly stopTimeoutMs?: number;
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

/** flag > environment > config > default, in one place. */
export function chaosRequestFor(ctx: CommandContext, input: ChaosRunInput): ChaosRunRequest {
  const config = ctx.globals.config.chaos ?? {};
  return {
    experiment: input.experiment,
    dir: input.dir ?? config.experiments ?? 'scenarios/chaos',
    env: input.env,
    approve: input.approve,
    approver: input.approver,
    osUser: osUser(ctx.io.env),
    ciIdentity: ciIdentityFrom(ctx.io.env),
    approvers: configuredApprovers(ctx),
    probeUrl: input.probeUrl,
    target: resolveKubectlTarget(ctx, input, { context: config.kubeContext }),
    namespace: input.namespace ?? config.namespace,
    timeoutMs: input.timeoutMs,
    pollIntervalMs: input.pollIntervalMs,
    recoveryTargetSec: input.recoveryTargetSec ?? config.recoveryTargetSec ?? 30,
    stopTimeoutMs: input.stopTimeoutMs,
  };
}

/** Loads the experiment and works out the plan. Touches nothing in the cluster. */
export async function planChaosExperiment(ctx: CommandContext, input: ChaosRunInput): Promise<ChaosPlan> {
  const request = chaosRequestFor(ctx, input);
  return litmus.resolve(request, polledResolveContext(ctx));
}

/** The refusal as an error: exit 1 (gates failed), one line. */
export function gateRefusal(plan: ChaosPlan): GateError {
  const { gate } = plan;
  const hint = !gate.approver
    ? undefined
    : gate.approvers.length
      ? `Approvers: ${gate.approvers.join(', ')}. Rerun with --approve --approver <name>.`
      : 'Add approvers to shopfds.config (chaos.approvers) or SHOPFDS_APPROVERS, then rerun with --approve.';
  return new GateError('E_GATE_APPROVAL', gate.refusal ?? 'refused', { hint });
}

function toRun(plan: ChaosPlan, run: RunStart, capture: ReturnType<typeof refusedCapture>, commandLine: string): RunInput {
  const parsed = parseChaosCapture(capture, plan, { run, requestedName: null });
  if (parsed.type === 'error') throw parsed.error;
  return runFromOutcome(run, parsed.outcome, commandLine);
}

/**
 * A refused gate attempt is stored (audit: created, refused with who and why) without starting
 * kubectl at all, so no request reaches the cluster.
 */
export function refusedRun(ctx: CommandContext, plan: ChaosPlan): RunInput {
  const run = startRun(ctx, 'chaos', { env: plan.environment });
  return toRun(plan, run, refusedCapture(plan, ctx.globals.executedBy, run.startedAt), `shopfds-test chaos run ${plan.experiment.definition.name} (refused)`);
}

/** Steps 2-5 of `chaos run` through the Litmus adapter: steady state, inject, poll, abort, recovery, record. */
export async function executeChaosPlan(ctx: CommandContext, plan: ChaosPlan): Promise<RunInput> {
  const run = startRun(ctx, 'chaos', { env: plan.environment });
  const tool = await litmus.detect({ cwd: ctx.io.cwd, env: ctx.io.env }, plan);
  const inv = await litmus.buildInvocation(plan, polledInvocationContext(ctx, run, tool));
  const io: ChaosExecuteIo = {
    cwd: ctx.io.cwd,
    env: ctx.io.env,
    signal: ctx.signal,
    urgent: ctx.urgentSignal,
    emit: progressEmitter(ctx, litmus.describe),
    debug: ctx.globals.debug,
    echo: () => {},
  };
  const capture = await litmus.execute!(inv, io, plan);
  if (capture.manualStop) {
    // In full, also in CI and with --json: this is what someone has to run now.
    ctx.err(`shopfds-test: stop not confirmed: ChaosEngine ${plan.target.namespace}/${plan.engineName} may still be injecting chaos. Stop it by hand:`);
    ctx.err(`  ${capture.manualStop}`);
  }
  return toRun(plan, run, capture, inv.commandLine ?? '');
}

/** In-process entry: runs the experiment end to end and returns the run (not yet saved). */
export async function runChaosExperiment(ctx: CommandContext, input: ChaosRunInput): Promise<RunInput> {
  const plan = await planChaosExperiment(ctx, input);
  if (plan.gate.refusal) return refusedRun(ctx, plan);
  return executeChaosPlan(ctx, plan);
}
