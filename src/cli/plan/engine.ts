import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ERROR_CODES,
  ExitCode,
  errorLine,
  ShopfdsError,
  UsageError,
  makeCase,
  makeRun,
  type Case,
  type PlanDetails,
  type PlanGate,
  type PlanItemStatus,
  type PlanStep,
  type PlanTier,
  type Run,
  type RunInput,
  type RunStatus,
} from '../../model/index.js';
import { evaluateGate, type Gate } from '../../plan/gates.js';
import type { PlanDef, PlanStepDef, PlanTierDef, NormalizedService } from '../../plan/load.js';
import { describeEvent, detectCiEvent, triggerMatches, type CiEvent } from '../../plan/triggers.js';
import type { CommandContext, TeardownFn } from '../context.js';
import { startRun } from '../session.js';
import { startService } from './services.js';
import { checkStepArgv, runStepArgv, stepArgv } from './step-command.js';

/*
 * The plan engine: tiers in order (a tier runs only when the tiers it needs passed), steps in order or
 * in parallel groups, services started before the steps after them and stopped at the end of their
 * tier, gates over the runs, and one parent run whose children are the step runs (saved as they
 * finish, so an interrupted plan keeps them).
 */

export interface PlanRunOptions {
  /** The plan file as the user named it, or null for a bundled plan. */
  readonly file: string | null;
  /** `--tier`: these tiers and the tiers they need. */
  readonly tiers?: readonly string[];
  /** `--from-ci`: the tiers whose trigger matches the CI event. */
  readonly fromCi?: boolean;
  /** `--skip`: step ids or tags left out. */
  readonly skip?: readonly string[];
  readonly env?: string;
  readonly baseUrl?: string;
  readonly runGroup?: string;
}

/** A step ready to run: its command line resolved and checked. */
export interface PreparedStep {
  readonly def: PlanStepDef;
  readonly argv: readonly string[] | null;
  readonly accepts: ReadonlySet<string>;
}

/** The outcome of one step. */
interface StepResult {
  status: PlanItemStatus;
  runs: Run[];
  reason: string | null;
  notes: string;
  exitCode: number | null;
  attempts: number;
  durationMs: number;
  startedAt: string | null;
  /** The step ended in a timeout (a failure, shown as timed out). */
  timedOut: boolean;
  /** The exit code this step asks the plan for (2 usage, 3 tool, 4 store). */
  planExit: number;
}

const notRun = (reason: string, status: PlanItemStatus = 'not_run'): StepResult => ({
  status,
  runs: [],
  reason,
  notes: '',
  exitCode: null,
  attempts: 0,
  durationMs: 0,
  startedAt: null,
  timedOut: false,
  planExit: ExitCode.ok,
});

/** Resolves every run step's command line and checks it with the command's own parser. Problems are returned, not thrown. */
export async function prepareSteps(ctx: CommandContext, plan: PlanDef): Promise<{ steps: Map<string, PreparedStep>; problems: string[] }> {
  const steps = new Map<string, PreparedStep>();
  const problems: string[] = [];
  for (const tier of plan.tiers) {
    for (const step of tier.groups.flatMap((g) => g.steps)) {
      if (step.kind !== 'run') {
        steps.set(step.id, { def: step, argv: null, accepts: new Set() });
        continue;
      }
      const built = await stepArgv(ctx.io, step.command!, step.options, step.argv);
      if (!built.ok) {
        problems.push(...built.problems.map((p) => `${tier.name} › ${step.name}: ${p}`));
        continue;
      }
      const complaint = await checkStepArgv(ctx.io, built.value.argv);
      if (complaint) problems.push(`${tier.name} › ${step.name}: ${complaint}`);
      steps.set(step.id, { def: step, argv: built.value.argv, accepts: built.value.accepts });
    }
  }
  return { steps, problems };
}

/**
 * A run step's full command line: its own options, then what the plan gives every step that takes
 * them and did not set them itself (the service's or plan's base URL, the environment, the step's
 * timeout, the run group).
 */
export function resolvedArgv(step: PreparedStep, baseUrl: string | null, plan: PlanDef, options: PlanRunOptions): string[] {
  const argv = [...step.argv!];
  const def = step.def;
  const has = (flag: string) => argv.includes(flag) || argv.some((a) => a.startsWith(`${flag}=`));
  const env = options.env ?? plan.env;
  if (step.accepts.has('--base-url') && !has('--base-url') && baseUrl) argv.push('--base-url', baseUrl);
  if (step.accepts.has('--env') && !has('--env') && env) argv.push('--env', env);
  if (step.accepts.has('--timeout') && !has('--timeout') && def.timeoutMs !== null) argv.push('--timeout', `${Math.ceil(def.timeoutMs / 1000)}s`);
  if (step.accepts.has('--run-group') && !has('--run-group') && options.runGroup) argv.push('--run-group', options.runGroup);
  return argv;
}

/** Which tiers run: all, the `--tier` ones, or those the CI event triggers; with the tiers they need. */
export function selectTiers(plan: PlanDef, options: PlanRunOptions, env: Readonly<Record<string, string | undefined>>): { selected: Set<string>; reasons: Map<string, string>; event: CiEvent | null } {
  const reasons = new Map<string, string>();
  const byName = new Map(plan.tiers.map((t) => [t.name, t]));
  let wanted: string[];
  let event: CiEvent | null = null;
  if (options.tiers?.length) {
    for (const name of options.tiers) {
      if (!byName.has(name)) throw new UsageError(`--tier ${name}: the plan has no such tier (its tiers: ${plan.tiers.map((t) => t.name).join(', ')})`);
    }
    wanted = [...options.tiers];
    for (const t of plan.tiers) if (!wanted.includes(t.name)) reasons.set(t.name, `not selected (--tier ${options.tiers.join(',')})`);
  } else if (options.fromCi) {
    event = detectCiEvent(env);
    if (!event) {
      throw new UsageError('--from-ci found no CI event', {
        hint: 'It reads GitHub Actions (GITHUB_EVENT_NAME, GITHUB_REF), GitLab CI (CI_PIPELINE_SOURCE, CI_COMMIT_BRANCH, CI_COMMIT_TAG) and Jenkins (BRANCH_NAME, CHANGE_ID, TAG_NAME) variables; use --tier outside CI.',
      });
    }
    wanted = plan.tiers.filter((t) => triggerMatches(t.trigger, event!)).map((t) => t.name);
    for (const t of plan.tiers) if (!wanted.includes(t.name)) reasons.set(t.name, `not triggered by ${describeEvent(event)}`);
  } else {
    wanted = plan.tiers.map((t) => t.name);
  }
  // A tier brings the tiers it needs (seed 004: tier3 includes tier2, which includes tier1).
  const selected = new Set<string>();
  const add = (name: string) => {
    if (selected.has(name)) return;
    selected.add(name);
    reasons.delete(name);
    for (const need of byName.get(name)!.needs) add(need);
  };
  for (const name of wanted) add(name);
  return { selected, reasons, event };
}

function countsNote(run: Run): string {
  const t = run.totals;
  const parts = [`${t.passed - t.flaky} passed`];
  if (t.failed) parts.push(`${t.failed} failed`);
  if (t.flaky) parts.push(`${t.flaky} flaky`);
  if (t.skipped) parts.push(`${t.skipped} skipped`);
  return `${t.total} cases: ${parts.join(', ')}`;
}

/** The key figures of a step's run, as the validation report writes them. */
export function runNotes(run: Run): string {
  const fmt = (v: number | null | undefined, unit: string) => (v === null || v === undefined ? '-' : `${Math.round(v * 100) / 100}${unit}`);
  switch (run.kind) {
    case 'perf': {
      const p = run.perf?.test;
      if (!p) return countsNote(run);
      return `${fmt(p.actual_tps, ' req/s')}, p95 ${fmt(p.p95_response_time, ' ms')}, p99 ${fmt(p.p99_response_time, ' ms')}, errors ${fmt(p.error_rate, '%')}; ${countsNote(run)}`;
    }
    case 'api': {
      const requests = run.api?.suites.reduce((n, s) => n + s.results.length, 0) ?? 0;
      return `${requests} requests, ${countsNote(run)}`;
    }
    case 'chaos': {
      const x = run.chaos?.experiment;
      if (!x) return countsNote(run);
      return `${x.experiment_type} on ${x.target_service}: ${x.result}, recovery ${x.recovery_time_sec === null ? 'not measured' : `${x.recovery_time_sec}s`} (target ${x.recovery_target_sec}s)`;
    }
    case 'canary': {
      const d = run.canary?.deployment;
      if (!d) return countsNote(run);
      return `${d.service_name} ${d.new_version}: ${d.status} at ${d.traffic_weight}% weight${d.error_rate === null ? '' : `, errors ${fmt(d.error_rate, '%')}`}`;
    }
    default:
      return countsNote(run);
  }
}

/** Commands that need a Kubernetes cluster: an optional step of theirs is not run when none is configured. */
const CLUSTER_COMMANDS = new Set(['chaos', 'canary']);

/** Whether kubectl has a cluster to talk to: --kubeconfig/--server, KUBECONFIG, ~/.kube/config, or in-cluster credentials. */
function clusterConfigured(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): boolean {
  if (argv.some((a) => a === '--kubeconfig' || a.startsWith('--kubeconfig=') || a === '--server' || a.startsWith('--server='))) return true;
  if (env.KUBERNETES_SERVICE_HOST) return true;
  if (env.KUBECONFIG) return env.KUBECONFIG.split(':').some((f) => f !== '' && existsSync(f));
  return Boolean(env.HOME) && existsSync(join(env.HOME!, '.kube', 'config'));
}

function firstProblem(run: Run): string | null {
  if (run.errorMessage) return run.errorMessage.split('\n')[0]!;
  const failed = run.cases.find((c) => c.status === 'failed' || c.status === 'timed_out' || c.status === 'interrupted');
  return failed ? `${failed.name}${failed.errorMessage ? `: ${failed.errorMessage.split('\n')[0]}` : ''}` : null;
}

/** The worst of exit codes: interrupted, then an invalid step (2), a tool or service fault (3), a failure (1), the store (4). */
export function worstExit(codes: readonly number[]): number {
  for (const code of [ExitCode.sigint, ExitCode.sigterm, ExitCode.usage, ExitCode.tool, ExitCode.failed, ExitCode.store]) {
    if (codes.includes(code)) return code;
  }
  return ExitCode.ok;
}

interface Scope {
  readonly teardowns: TeardownFn[];
  baseUrl: string | null;
}

async function runTeardowns(ctx: CommandContext, list: TeardownFn[]): Promise<void> {
  while (list.length) {
    const fn = list.pop()!;
    try {
      await fn();
    } catch (error) {
      ctx.err(`shopfds-test: warning: teardown failed: ${(error as Error).message}`);
    }
  }
}

/** A command's context as a plan step: its runs go to the plan, its output to stderr, its signal is the step's. */
function stepContext(
  ctx: CommandContext,
  label: string,
  parallel: boolean,
  signal: AbortSignal,
  parentRunId: string,
  runs: Run[],
): { ctx: CommandContext; teardowns: TeardownFn[] } {
  const teardowns: TeardownFn[] = [];
  const prefix = parallel ? `    [${label}] ` : '    ';
  const forward = { write: (chunk: string) => ctx.io.stderr.write(chunk), isTTY: ctx.io.stderr.isTTY, columns: ctx.io.stderr.columns };
  const child: CommandContext = {
    io: { ...ctx.io, stdout: forward },
    globals: { ...ctx.globals, json: false },
    progress: {
      update: (text) => {
        if (!parallel) ctx.progress.update(`${label}: ${text}`);
      },
      line: (text) => ctx.progress.line(`${prefix}${text}`),
      stop: () => ctx.progress.stop(),
    },
    signal,
    interruptedBy: () => ctx.interruptedBy(),
    urgentSignal: ctx.urgentSignal,
    holdExit: () => ctx.holdExit(),
    onTeardown: (fn) => void teardowns.push(fn),
    out: (text) => ctx.progress.line(`${prefix}${text}`),
    err: (text) => ctx.err(`${prefix}${text}`),
    planStep: { parentRunId, stored: (run) => void runs.push(run) },
  };
  return { ctx: child, teardowns };
}

/** Runs a plan; returns the plan run (not yet stored) and the exit code its verdict maps to. */
export async function executePlan(
  ctx: CommandContext,
  plan: PlanDef,
  prepared: Map<string, PreparedStep>,
  options: PlanRunOptions,
): Promise<{ run: RunInput; exitCode: number; details: PlanDetails }> {
  const { selected, reasons, event } = selectTiers(plan, options, ctx.io.env);
  const start = startRun(ctx, 'plan', { env: options.env ?? plan.env ?? undefined, runGroup: options.runGroup ?? null });
  const environment = start.environment;
  const skip = new Set(options.skip ?? []);
  const planScope: Scope = { teardowns: [], baseUrl: options.baseUrl ?? plan.baseUrl };
  // Services outlive nothing: also stopped when the command ends some other way.
  ctx.onTeardown(() => runTeardowns(ctx, planScope.teardowns));

  const exits: number[] = [];
  const results = new Map<string, StepResult>();
  const tierOut: PlanTier[] = [];
  let stopAll: string | null = null;
  const passedTiers = new Set<string>();
  const allRuns: Run[] = [];

  const interrupted = () => ctx.signal.aborted;

  const startServices = async (services: readonly NormalizedService[], scope: Scope): Promise<string | null> => {
    for (const service of services) {
      if (interrupted()) return 'interrupted';
      ctx.progress.line(`  starting ${service.name}`);
      try {
        const started = await startService(ctx, service, (fn) => void scope.teardowns.push(fn), ctx.signal);
        if (started.baseUrl) scope.baseUrl = started.baseUrl;
        ctx.progress.line(`  ${service.name}: ${started.notes}`);
      } catch (error) {
        if (!(error instanceof ShopfdsError)) throw error;
        exits.push(error.exitCode);
        ctx.err(errorLine(error.code, error.message));
        return error.message;
      }
    }
    return null;
  };

  /** One attempt of a step. */
  const attempt = async (step: PreparedStep, scope: Scope, parallel: boolean): Promise<StepResult> => {
    const def = step.def;
    const runs: Run[] = [];
    const controller = new AbortController();
    const onAbort = () => controller.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const startedAt = new Date().toISOString();
    const t0 = Date.now();
    const child = stepContext(ctx, def.id, parallel, controller.signal, start.id, runs);
    let exitCode = 0;
    let error: ShopfdsError | null = null;
    let notes = '';
    try {
      if (def.timeoutMs !== null) {
        // A run command with --timeout stops its tool itself; this is the backstop for the rest.
        const grace = step.accepts.has('--timeout') ? 60_000 : 0;
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort('timeout');
        }, def.timeoutMs + grace);
        timer.unref();
      }
      switch (def.kind) {
        case 'run': {
          exitCode = await runStepArgv(child.ctx, resolvedArgv(step, scope.baseUrl, plan, options));
          break;
        }
        case 'import': {
          const format = def.importFormat ?? (def.files.every((f) => /\.xml$/i.test(f)) ? 'junit' : null);
          if (!format) throw new UsageError(`import ${def.files.join(', ')}: say which format with "format:" (junit, playwright-json, newman-json, k6-summary, k6-json, locust-csv)`, { code: ERROR_CODES.plan });
          exitCode = await runStepArgv(child.ctx, ['import', ...def.files, '--force', '--format', format, ...(def.importKind ? ['--kind', def.importKind] : [])]);
          break;
        }
        case 'command': {
          const { runProcess } = await import('../../exec/process.js');
          const { existsSync } = await import('node:fs');
          const cwd = def.cwd ? resolve(ctx.io.cwd, def.cwd) : ctx.io.cwd;
          const env: Record<string, string | undefined> = { ...ctx.io.env, ...def.env };
          if (scope.baseUrl) env.SHOPFDS_BASE_URL = scope.baseUrl;
          const done = await runProcess({
            file: '/bin/sh',
            args: ['-c', def.shell!],
            cwd,
            env,
            signal: controller.signal,
            tailChars: 8 * 1024,
            onLine: ctx.globals.debug ? (line) => child.ctx.progress.line(line) : undefined,
          });
          const tailOf = (text: string) => text.trim().split('\n').slice(-3).join(' | ');
          if (done.spawnError) {
            exitCode = ExitCode.tool;
            error = new ShopfdsError(ERROR_CODES.tool, ExitCode.tool, `could not start /bin/sh: ${done.spawnError.message}`);
          } else if (done.cancelled) exitCode = ctx.interruptedBy() === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint;
          else if (done.exitCode === 126 || done.exitCode === 127) {
            exitCode = ExitCode.tool;
            error = new ShopfdsError(ERROR_CODES.toolMissing, ExitCode.tool, `"${def.shell}" could not run (exit ${done.exitCode}): ${tailOf(done.stderr) || 'command not found'}`);
          } else if (done.exitCode !== 0) {
            exitCode = ExitCode.failed;
            notes = `exit code ${done.exitCode ?? done.signal}`;
            const why = tailOf(done.stderr) || tailOf(done.stdout);
            if (why) error = new ShopfdsError(ERROR_CODES.tool, ExitCode.failed, `exited ${done.exitCode ?? done.signal}: ${why}`);
          } else notes = 'exit code 0';
          if (def.files.length && !done.cancelled && !done.spawnError) {
            const present = def.files.filter((f) => existsSync(resolve(cwd, f)));
            if (present.length) {
              const imported = await runStepArgv(child.ctx, ['import', ...present.map((f) => resolve(cwd, f)), '--format', 'junit', '--force']);
              if (imported !== 0 && exitCode === 0) exitCode = imported;
            } else if (exitCode === 0) {
              exitCode = ExitCode.tool;
              error = new ShopfdsError(ERROR_CODES.tool, ExitCode.tool, `the command passed but wrote none of ${def.files.join(', ')}`);
            }
          }
          break;
        }
        case 'service': {
          const started = await startService(child.ctx, def.service!, (fn) => void scope.teardowns.push(fn), controller.signal);
          if (started.baseUrl) scope.baseUrl = started.baseUrl;
          notes = started.notes;
          break;
        }
      }
    } catch (caught) {
      if (caught instanceof ShopfdsError) {
        error = caught;
        exitCode = caught.exitCode;
      } else {
        // A bug in a command: the step is an error, the rest of the plan and its record are kept.
        const bug = caught as Error;
        ctx.err(errorLine(ERROR_CODES.internal, `internal error in step "${def.name}": ${ctx.globals.debug ? (bug?.stack ?? String(caught)) : (bug?.message ?? String(caught))}`));
        error = new ShopfdsError(ERROR_CODES.internal, ExitCode.tool, `internal error: ${bug?.message ?? String(caught)} (a bug in shopfds-test; run with --debug for the stack)`);
        exitCode = ExitCode.tool;
      }
    } finally {
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      await runTeardowns(ctx, child.teardowns);
    }
    const durationMs = Date.now() - t0;
    const last = runs[runs.length - 1] ?? null;
    if (last) notes = notes ? `${notes}; ${runNotes(last)}` : runNotes(last);
    const base = { runs, notes, exitCode, attempts: 1, durationMs, startedAt, timedOut: false };
    const reasonOf = () => error?.message ?? (last ? firstProblem(last) : null);
    if (timedOut || (last?.status === 'interrupted' && !interrupted() && def.timeoutMs !== null)) {
      return { ...base, status: 'failed', timedOut: true, reason: `timed out after ${Math.round(def.timeoutMs! / 1000)}s`, planExit: ExitCode.failed };
    }
    if (interrupted() || exitCode === ExitCode.sigint || exitCode === ExitCode.sigterm) {
      return { ...base, status: 'interrupted', reason: 'interrupted', planExit: ctx.interruptedBy() === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint };
    }
    if (error && def.optional && (error.code === ERROR_CODES.toolMissing || error.code === ERROR_CODES.service)) {
      return { ...base, status: 'not_run', reason: `${error.message}${error.hint ? `; ${error.hint}` : ''}`, planExit: ExitCode.ok };
    }
    switch (exitCode) {
      case ExitCode.ok:
        return { ...base, status: 'passed', reason: null, planExit: ExitCode.ok };
      case ExitCode.failed:
        return { ...base, status: 'failed', reason: reasonOf(), planExit: ExitCode.failed };
      case ExitCode.store: {
        const failed = runs.some((r) => r.status !== 'passed');
        return { ...base, status: failed ? 'failed' : 'passed', reason: 'the result store failed; the run was spooled', planExit: failed ? ExitCode.failed : ExitCode.store };
      }
      default:
        return { ...base, status: 'error', reason: `${reasonOf() ?? `exit code ${exitCode}`}${error?.hint ? ` (${error.hint})` : ''}`, planExit: exitCode === ExitCode.usage ? ExitCode.usage : ExitCode.tool };
    }
  };

  const runStep = async (step: PreparedStep, scope: Scope, parallel: boolean): Promise<StepResult> => {
    const def = step.def;
    if (skip.has(def.id) || def.tags.some((t) => skip.has(t))) return notRun('left out with --skip', 'skipped');
    const missing = def.requiresEnv.filter((name) => !ctx.io.env[name]);
    if (missing.length) return notRun(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`, 'skipped');
    if (interrupted()) return notRun('interrupted before it started');
    if (def.optional && def.kind === 'run' && CLUSTER_COMMANDS.has(def.command!) && !clusterConfigured(ctx.io.env, step.argv ?? [])) {
      const result = notRun('no Kubernetes cluster is configured (no --kubeconfig, KUBECONFIG or ~/.kube/config)');
      ctx.progress.line(`  - ${def.name}: not run: ${result.reason}`);
      return result;
    }
    ctx.progress.line(`  ▶ ${def.name}`);
    let result = await attempt(step, scope, parallel);
    let attempts = 1;
    const runs = [...result.runs];
    while (result.status === 'failed' && attempts <= def.retries && !interrupted()) {
      ctx.progress.line(`  ↻ ${def.name}: ${result.reason ?? 'failed'}; retry ${attempts} of ${def.retries}`);
      result = await attempt(step, scope, parallel);
      runs.push(...result.runs);
      attempts++;
    }
    const final = { ...result, runs, attempts };
    const mark = final.status === 'passed' ? '✓' : final.status === 'skipped' || final.status === 'not_run' ? '-' : '✗';
    ctx.progress.line(`  ${mark} ${def.name}: ${final.status === 'not_run' ? 'not run' : final.status}${final.notes ? ` (${final.notes})` : ''}${final.reason && final.status !== 'passed' ? `: ${final.reason}` : ''}`);
    return final;
  };

  const evaluate = (gates: readonly Gate[], runs: readonly Run[], scope: PlanGate['scope'], stepName: string | null): PlanGate[] =>
    gates.map((g) => {
      const r = evaluateGate(g, runs);
      return { expression: g.expression, scope, step: stepName, status: r.passed ? 'passed' : 'failed', actual: r.actual, reason: r.reason, case_ordinal: null };
    });

  const stepOut = (def: PlanStepDef, r: StepResult): PlanStep => ({
    id: def.id,
    name: def.name,
    type: def.kind === 'run' ? def.command! : def.kind,
    status: r.status,
    run_ids: r.runs.map((x) => x.id),
    started_at: r.startedAt,
    duration_ms: r.durationMs,
    attempts: r.attempts,
    notes: r.notes,
    reason: r.reason,
    exit_code: r.exitCode,
    case_ordinal: null,
  });

  ctx.progress.line(`plan ${plan.name}${event ? ` for ${describeEvent(event)} (${event.provider})` : ''}`);
  const planServicesProblem = await startServices(plan.services, planScope);
  if (planServicesProblem) stopAll = `a plan service did not start: ${planServicesProblem}`;

  for (const tier of plan.tiers) {
    const steps = tier.groups.flatMap((g) => g.steps);
    const tierGates: PlanGate[] = [];
    const finishTier = (status: PlanItemStatus, reason: string | null, startedAt: string | null, durationMs: number, stepResults: Map<string, StepResult>) => {
      tierOut.push({
        name: tier.name,
        display_name: tier.displayName,
        status,
        reason,
        target_ms: tier.targetMs,
        started_at: startedAt,
        duration_ms: durationMs,
        steps: steps.map((s) => stepOut(s, stepResults.get(s.id) ?? notRun(reason ?? 'not run'))),
        gates: tierGates,
      });
    };
    if (!selected.has(tier.name)) {
      finishTier('skipped', reasons.get(tier.name) ?? 'not selected', null, 0, new Map(steps.map((s) => [s.id, notRun(reasons.get(tier.name) ?? 'not selected', 'skipped')])));
      continue;
    }
    if (stopAll || interrupted()) {
      const why = interrupted() ? 'interrupted before it started' : stopAll!;
      finishTier('not_run', why, null, 0, new Map(steps.map((s) => [s.id, notRun(why)])));
      continue;
    }
    const unmet = tier.needs.filter((n) => !passedTiers.has(n));
    if (unmet.length) {
      const why = `needs ${unmet.join(', ')}, which did not pass`;
      ctx.progress.line(`- ${tier.name}: skipped (${why})`);
      finishTier('skipped', why, null, 0, new Map(steps.map((s) => [s.id, notRun(why, 'skipped')])));
      continue;
    }
    ctx.progress.line(`▶ ${tier.name}${tier.displayName ? ` (${tier.displayName})` : ''}`);
    const tierStart = new Date().toISOString();
    const t0 = Date.now();
    const scope: Scope = { teardowns: [], baseUrl: planScope.baseUrl };
    const tierResults = new Map<string, StepResult>();
    let tierProblem: string | null = null;
    try {
      const serviceProblem = await startServices(tier.services, scope);
      if (serviceProblem) {
        tierProblem = `a service did not start: ${serviceProblem}`;
        stopAll = tierProblem;
      }
      let blocked: string | null = tierProblem;
      for (const group of tier.groups) {
        if (blocked || interrupted()) {
          for (const s of group.steps) tierResults.set(s.id, notRun(interrupted() ? 'interrupted before it started' : blocked!));
          continue;
        }
        const outcomes = group.parallel
          ? await Promise.all(group.steps.map((s) => runStep(prepared.get(s.id)!, scope, true)))
          : [await runStep(prepared.get(group.steps[0]!.id)!, scope, false)];
        group.steps.forEach((s, i) => tierResults.set(s.id, outcomes[i]!));
        for (const [i, s] of group.steps.entries()) {
          const r = outcomes[i]!;
          exits.push(r.planExit);
          allRuns.push(...r.runs);
          if (s.kind === 'service' && r.status === 'error') {
            // Nothing after a service that did not come up can run.
            stopAll = `${s.name} did not start`;
            blocked = stopAll;
          } else if ((r.status === 'failed' || r.status === 'error') && !s.continueOnFailure) blocked = `an earlier step failed (${s.name})`;
        }
        // Step gates, over the step's last run.
        for (const [i, s] of group.steps.entries()) {
          const r = outcomes[i]!;
          if (!s.gates.length || r.status === 'skipped' || r.status === 'not_run') continue;
          const gates = evaluate(s.gates, r.runs.slice(-1), 'step', s.name);
          tierGates.push(...gates);
          if (gates.some((g) => g.status === 'failed') && !s.continueOnFailure && !blocked) blocked = `a gate of ${s.name} failed`;
        }
      }
    } finally {
      await runTeardowns(ctx, scope.teardowns);
    }
    const tierRuns = steps.flatMap((s) => (tierResults.get(s.id)?.runs ?? []).slice(-1));
    if (tier.gates.length && !interrupted() && !tierProblem) tierGates.push(...evaluate(tier.gates, tierRuns, 'tier', null));
    const statuses = steps.map((s) => tierResults.get(s.id)?.status ?? 'not_run');
    const gateFailed = tierGates.some((g) => g.status === 'failed');
    if (gateFailed) exits.push(ExitCode.failed);
    const ran = statuses.some((s) => s !== 'skipped' && s !== 'not_run');
    const status: PlanItemStatus = interrupted()
      ? 'interrupted'
      : tierProblem || statuses.includes('error')
        ? 'error'
        : statuses.includes('failed') || gateFailed
          ? 'failed'
          : ran
            ? 'passed'
            : 'skipped';
    if (status === 'passed') passedTiers.add(tier.name);
    const durationMs = Date.now() - t0;
    const reason = tierProblem ?? (status === 'skipped' ? 'no step ran' : null);
    finishTier(status, reason, tierStart, durationMs, tierResults);
    for (const s of steps) results.set(s.id, tierResults.get(s.id)!);
    ctx.progress.line(`${status === 'passed' ? '✓' : status === 'skipped' ? '-' : '✗'} ${tier.name}: ${status} in ${(durationMs / 1000).toFixed(1)}s${tier.targetMs !== null && durationMs > tier.targetMs ? ` (over its ${Math.round(tier.targetMs / 1000)}s target)` : ''}`);
  }
  await runTeardowns(ctx, planScope.teardowns);

  const planGates = plan.gates.length && !interrupted() ? evaluate(plan.gates, allRuns.filter((r, i, all) => all.findIndex((x) => x.id === r.id) === i), 'plan', null) : [];
  if (planGates.some((g) => g.status === 'failed')) exits.push(ExitCode.failed);

  // The plan run's cases: one per step, one per gate, so JUnit shows both.
  const cases: Case[] = [];
  const tiers: PlanTier[] = tierOut.map((tier) => ({
    ...tier,
    steps: tier.steps.map((step) => {
      const ordinal = cases.length;
      const r = step;
      const status: Case['status'] =
        r.status === 'passed'
          ? r.attempts > 1
            ? 'flaky'
            : 'passed'
          : r.status === 'skipped' || r.status === 'not_run'
            ? 'skipped'
            : r.status === 'interrupted'
              ? 'interrupted'
              : results.get(step.id)?.timedOut
                ? 'timed_out'
                : 'failed';
      const attempts = status === 'flaky' ? Array.from({ length: r.attempts }, (_, i) => ({ index: i, status: i === r.attempts - 1 ? ('passed' as const) : ('failed' as const), durationMs: 0, startedAt: null, errorMessage: null, errorStack: null })) : undefined;
      cases.push(
        makeCase({
          ordinal,
          name: step.name,
          suitePath: [plan.name, tier.name],
          status,
          durationMs: step.duration_ms,
          errorMessage: status === 'passed' || status === 'flaky' ? null : step.reason,
          attempts,
          tags: [step.type],
          properties: {
            step: step.id,
            type: step.type,
            ...(step.run_ids.length ? { run: step.run_ids[step.run_ids.length - 1]! } : {}),
            ...(step.notes ? { notes: step.notes } : {}),
            ...(step.status === 'error' ? { outcome: 'error' } : step.status === 'not_run' ? { outcome: 'not run' } : {}),
            ...(status === 'skipped' && step.reason ? { 'skip reason': step.reason } : {}),
          },
        }),
      );
      return { ...step, case_ordinal: ordinal };
    }),
    gates: tier.gates.map((g) => {
      const ordinal = cases.length;
      cases.push(gateCase(ordinal, plan.name, tier.name, g));
      return { ...g, case_ordinal: ordinal };
    }),
  }));
  const gatesOut = planGates.map((g) => {
    const ordinal = cases.length;
    cases.push(gateCase(ordinal, plan.name, null, g));
    return { ...g, case_ordinal: ordinal };
  });

  const details: PlanDetails = {
    plan_name: plan.name,
    file: options.file,
    event: event ? { provider: event.provider, event: event.event, branch: event.branch, tag: event.tag } : null,
    tiers,
    gates: gatesOut,
  };
  const considered = tiers.flatMap((t) => t.steps).filter((s) => s.reason !== 'left out with --skip' && !(s.status === 'skipped' && !selected.has(tiers.find((t) => t.steps.includes(s))!.name)));
  const ranAny = considered.some((s) => s.status !== 'skipped' && s.status !== 'not_run');
  let exitCode = worstExit(exits);
  if (interrupted()) exitCode = ctx.interruptedBy() === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint;
  // A plan in which nothing ran is not a pass.
  if (!ranAny && (exitCode === ExitCode.ok || exitCode === ExitCode.store)) exitCode = ExitCode.tool;
  const status: RunStatus =
    exitCode === ExitCode.sigint || exitCode === ExitCode.sigterm
      ? 'interrupted'
      : exitCode === ExitCode.tool || exitCode === ExitCode.usage
        ? 'error'
        : cases.some((c) => c.status === 'failed' || c.status === 'timed_out')
          ? 'failed'
          : 'passed';
  const errorMessage =
    status === 'error'
      ? !ranAny
        ? 'no step could run'
        : (stopAll ?? considered.find((s) => s.status === 'error')?.reason ?? 'a step could not run')
      : status === 'interrupted'
        ? `interrupted by ${ctx.interruptedBy() ?? 'a signal'}`
        : null;
  const run = makeRun({
    ...start,
    environment,
    name: plan.name,
    tool: { name: 'shopfds-test plan', version: null, commandLine: null },
    cases,
    details: { kind: 'plan', plan: details },
    errorMessage,
    status,
    interrupted: status === 'interrupted',
    metadata: { ...(options.file ? { 'plan file': options.file } : {}), ...(event ? { 'ci event': describeEvent(event) } : {}) },
  });
  return { run, exitCode, details };
}

function gateCase(ordinal: number, planName: string, tier: string | null, g: PlanGate): Case {
  return makeCase({
    ordinal,
    name: g.step ? `${g.step}: ${g.expression}` : g.expression,
    suitePath: [planName, ...(tier ? [tier] : []), 'gates'],
    status: g.status === 'passed' ? 'passed' : 'failed',
    errorMessage: g.status === 'passed' ? null : `gate failed: ${g.reason ?? g.expression}`,
    tags: ['gate'],
    properties: { gate: g.expression, scope: g.scope, ...(g.actual !== null ? { measured: g.actual } : {}) },
  });
}

export type { PlanTierDef };
