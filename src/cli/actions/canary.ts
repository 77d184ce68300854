import type { RunInput } from '../../model/index.js';
import { adapter as flagger, parseCanaryCapture, type CanaryRequest } from '../../adapters/flagger/index.js';
import type { CommandContext } from '../context.js';
import { finishRun, startRun, type FinishOptions } from '../session.js';
import { parseDurationFlag, resolveKubectlTarget, type KubeOptions } from './chaos-kube.js';
import { polledInvocationContext, polledResolveContext, progressEmitter, runFromOutcome } from './polled-tool.js';

/** What `canary status|watch` was given, before normalization against config. */
export interface CanaryInput extends KubeOptions {
  readonly name: string;
  readonly watch: boolean;
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly previousVersion?: string;
  readonly env?: string;
}

/** flag > config > default, in one place. */
export function canaryRequestFor(ctx: CommandContext, input: CanaryInput): CanaryRequest {
  const config = ctx.globals.config.canary ?? {};
  return {
    name: input.name,
    watch: input.watch,
    target: resolveKubectlTarget(ctx, input, { context: config.kubeContext, namespace: config.namespace }),
    timeoutMs: input.timeoutMs ?? (config.timeoutSec ?? 1800) * 1000,
    pollIntervalMs: input.pollIntervalMs ?? 10_000,
    previousVersion: input.previousVersion,
    env: input.env,
  };
}

/** Reads the canary once (`status`) or polls it until Flagger finishes (`watch`), through the Flagger adapter. */
export async function observeCanary(ctx: CommandContext, input: CanaryInput): Promise<RunInput> {
  const plan = flagger.resolve(canaryRequestFor(ctx, input), polledResolveContext(ctx)) as CanaryRequest;
  const run = startRun(ctx, 'canary', { env: plan.env });
  const tool = await flagger.detect({ cwd: ctx.io.cwd, env: ctx.io.env }, plan);
  const inv = await flagger.buildInvocation(plan, polledInvocationContext(ctx, run, tool));
  const capture = await flagger.execute!(inv, { cwd: ctx.io.cwd, env: ctx.io.env, signal: ctx.signal, emit: progressEmitter(ctx, flagger.describe), debug: ctx.globals.debug, echo: () => {} }, plan);
  const parsed = parseCanaryCapture(capture, plan, { run, requestedName: null });
  if (parsed.type === 'error') throw parsed.error;
  const o = parsed.outcome;
  if (capture.outcome !== 'snapshot') {
    const word = { succeeded: 'promoted', initialized: 'initialized', rollback: 'rolled back', timeout: 'timed out', interrupted: 'interrupted', 'primary-mismatch': 'primary mismatch', 'api-error': 'cluster API error', snapshot: '' }[capture.outcome];
    const why = o.details?.kind === 'canary' ? (o.details.canary.deployment.rollback_reason ?? o.errorMessage) : o.errorMessage;
    ctx.progress.line(`canary ${plan.name}: ${word}${why ? `: ${why}` : ''}`);
  }
  return runFromOutcome(run, o, inv.commandLine ?? '');
}

/** In-process entry for `canary watch`: polls until Succeeded/Failed/timeout and returns the run (not yet saved). */
export function runCanaryWatch(ctx: CommandContext, input: Omit<CanaryInput, 'watch'>): Promise<RunInput> {
  return observeCanary(ctx, { ...input, watch: true });
}

/** Commander options of `canary status|watch`. */
export interface CanaryOptions extends FinishOptions, KubeOptions {
  readonly timeout?: string;
  readonly interval?: string;
  readonly pollInterval?: string;
  readonly previousVersion?: string;
  readonly env?: string;
}

function inputFrom(name: string, options: CanaryOptions, watch: boolean): CanaryInput {
  const interval = options.interval ?? options.pollInterval;
  return {
    name,
    watch,
    kubeconfig: options.kubeconfig,
    context: options.context,
    namespace: options.namespace,
    kubeCacheDir: options.kubeCacheDir,
    requestTimeout: options.requestTimeout === undefined ? undefined : `${Math.max(1, Math.round(parseDurationFlag('--request-timeout', options.requestTimeout, 0) / 1000))}s`,
    previousVersion: options.previousVersion,
    env: options.env,
    timeoutMs: options.timeout === undefined ? undefined : parseDurationFlag('--timeout', options.timeout, 0),
    pollIntervalMs: interval === undefined ? undefined : parseDurationFlag('--interval', interval, 0),
  };
}

/** `canary status <name>`: one read, recorded as a run; exit 1 when the canary Failed. */
export async function canaryStatusAction(ctx: CommandContext, name: string, options: CanaryOptions): Promise<number> {
  const run = await observeCanary(ctx, inputFrom(name, options, false));
  return finishRun(ctx, run, { junit: options.junit, markdown: options.markdown, html: options.html });
}

/** `canary watch <name>`: exit 0 promoted (or first deployment initialized), 1 rolled back or timed out, 3 cluster API error. */
export async function canaryWatchAction(ctx: CommandContext, name: string, options: CanaryOptions): Promise<number> {
  const run = await observeCanary(ctx, inputFrom(name, options, true));
  return finishRun(ctx, run, { junit: options.junit, markdown: options.markdown, html: options.html });
}
