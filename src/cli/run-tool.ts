import { rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InterruptedError, UsageError, makeRun, redactSecrets, type CaseStatus, type RunInput } from '../model/index.js';
import type { AnyToolAdapter, ExecuteIo, InvocationContext, ParseContext, ResolveContext, ToolEvent } from '../adapters/types.js';
import type { CommandContext } from './context.js';
import { finishRun, startRun } from './session.js';
import { normalizeOptions, sharedOptionsOf, SHARED_RUN_OPTIONS, type OptionSpec, type SharedRunOptions } from './run-options.js';
import type { RunCommandSpec } from './run-commands.js';

/*
 * The one pipeline every tool runs through:
 *   resolve -> detect -> start -> target -> work dir (teardown registered first) -> invocation
 *   -> execute with progress -> parse -> build run -> validate -> save or spool -> render -> exit code.
 * A command is an option table plus a registry name (see run-options.ts and adapters/registry.ts).
 */

const MARKS: Readonly<Record<CaseStatus | 'retrying', string>> = {
  passed: '✓',
  flaky: '~',
  skipped: '-',
  failed: '✗',
  timed_out: '✗',
  interrupted: '✗',
  retrying: '↻',
};

/**
 * Draws a tool's events the same way for every tool: a live status line on a TTY, plain lines in
 * CI and pipes (one per finished case, figures every 10 s), on stderr also with --json. The adapter
 * only words the events (`describe`).
 */
export function createProgressView(ctx: CommandContext, adapter: Pick<AnyToolAdapter, 'name' | 'describe'>): { emit(event: ToolEvent): void; stop(): void } {
  const interactive = ctx.globals.interactive;
  const counts = { passed: 0, failed: 0, flaky: 0, skipped: 0 };
  let total: number | null = null;
  let current = '';
  let lastPlainSample = 0;
  const status = () =>
    `${adapter.name} ${counts.passed + counts.failed + counts.skipped}/${total ?? '?'} ✓ ${counts.passed} ✗ ${counts.failed} ~ ${counts.flaky} flaky${current ? ` · ${current}` : ''}`;
  return {
    emit(event) {
      const text = adapter.describe(event);
      switch (event.type) {
        case 'begin':
          total = event.total === null ? total : (total ?? 0) + event.total;
          if (!interactive && text) ctx.progress.line(text);
          ctx.progress.update(status());
          break;
        case 'case-begin':
          current = text ?? event.name;
          ctx.progress.update(status());
          break;
        case 'case-end': {
          const final = event.outcome !== 'retrying';
          if (final) {
            if (event.outcome === 'passed' || event.outcome === 'flaky') counts.passed++;
            else if (event.outcome === 'skipped') counts.skipped++;
            else counts.failed++;
            if (event.outcome === 'flaky') counts.flaky++;
            current = '';
          }
          const notable = event.outcome !== 'passed' && event.outcome !== 'skipped';
          if (text && (!interactive || notable)) ctx.progress.line(`  ${MARKS[event.outcome]} ${text}`);
          ctx.progress.update(status());
          break;
        }
        case 'sample':
          if (!text) break;
          ctx.progress.update(text);
          if (!interactive && Date.now() - lastPlainSample >= 10_000) {
            if (lastPlainSample !== 0) ctx.progress.line(text);
            lastPlainSample = Date.now();
          }
          break;
        case 'phase':
          if (text) ctx.progress.line(text);
          break;
        case 'note':
          if (text) ctx.progress.line(text);
          break;
        case 'end':
          ctx.progress.stop();
          break;
      }
    },
    stop: () => ctx.progress.stop(),
  };
}

function resolveContext(ctx: CommandContext): ResolveContext {
  return { cwd: ctx.io.cwd, env: ctx.io.env, ci: ctx.globals.ci !== null, stateDir: ctx.globals.stateDir, artifactsDir: ctx.globals.artifactsDir, executedBy: ctx.globals.executedBy };
}

/**
 * Runs one tool through the pipeline and returns the finished run, not yet validated or saved
 * (`runToolCommand` does that; `demo` combines several runs).
 */
export async function runTool(ctx: CommandContext, toolName: string, request: unknown, shared: SharedRunOptions): Promise<RunInput> {
  const { getAdapter } = await import('../adapters/registry.js');
  const adapter = await getAdapter(toolName);
  const at = resolveContext(ctx);

  // 1. Everything that can be refused is checked before anything starts.
  const plan = await adapter.resolve(request, at);
  const tool = await adapter.detect(at, plan);
  const start = startRun(ctx, adapter.kind, { env: shared.env, runGroup: shared.runGroup ?? null });

  // 2. Cancellation: Ctrl-C / SIGTERM, and --timeout where the command has one.
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  ctx.onTeardown(() => ctx.signal.removeEventListener('abort', onAbort));
  if (shared.timeoutMs !== undefined) {
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort('timeout');
    }, shared.timeoutMs);
    timer.unref();
    ctx.onTeardown(() => clearTimeout(timer));
  }
  if (controller.signal.aborted) throw new InterruptedError(ctx.interruptedBy() ?? 'SIGINT');

  // 3. The system under test.
  const need = adapter.target ? adapter.target(plan, { baseUrl: shared.baseUrl }) : ({ mode: 'resolve', baseUrl: shared.baseUrl } as const);
  let baseUrl: string | null = null;
  let demo = false;
  if (need.mode === 'given') baseUrl = need.baseUrl;
  else if (need.mode === 'resolve') {
    const { resolveTarget } = await import('./target.js');
    const target = await resolveTarget(ctx, need.baseUrl ?? shared.baseUrl);
    baseUrl = target.baseUrl;
    demo = target.demo;
    if (need.check && !demo) {
      const { assertReachable } = await import('./reachable.js');
      await assertReachable(baseUrl, (need.baseUrl ?? shared.baseUrl) !== undefined ? '--base-url' : 'baseUrl');
    }
  }

  // 4. The run's work directory: its teardown is registered before it is made.
  const workDir = join(ctx.globals.stateDir, 'work', start.id);
  ctx.onTeardown(() => {
    if (!ctx.globals.debug && !adapter.keepsWorkDir) rmSync(workDir, { recursive: true, force: true });
  });
  mkdirSync(workDir, { recursive: true });

  // 5. The invocation, then the tool itself.
  const invocationAt: InvocationContext = { ...at, run: start, tool, workDir, baseUrl, demo, debug: ctx.globals.debug };
  const invocation = await adapter.buildInvocation(plan, invocationAt);
  if (ctx.globals.debug && invocation.commandLine) ctx.err(`shopfds-test: running ${redactSecrets(invocation.commandLine)}`);
  const view = createProgressView(ctx, adapter);
  ctx.onTeardown(() => view.stop());
  const io: ExecuteIo = {
    cwd: ctx.io.cwd,
    env: ctx.io.env,
    signal: controller.signal,
    emit: (event) => view.emit(event),
    debug: ctx.globals.debug,
    echo: (chunk) => {
      if (ctx.globals.debug) ctx.io.stderr.write(chunk);
    },
  };
  let capture: unknown;
  if (adapter.execute) capture = await adapter.execute(invocation, io, plan);
  else {
    if (!invocation.command) throw new Error(`the ${adapter.name} adapter has neither execute() nor a command to spawn`);
    const { spawnTool } = await import('../exec/spawn.js');
    const command = invocation.command;
    capture = await spawnTool(
      { file: command.file, args: command.args, env: command.env, cwd: command.cwd ?? ctx.io.cwd },
      { env: ctx.io.env, signal: controller.signal, echo: ctx.globals.debug ? io.echo : undefined },
    );
  }
  view.stop();

  // 6. What the tool wrote becomes a run.
  const interrupted = controller.signal.aborted;
  const parseAt: ParseContext = {
    ...invocationAt,
    requestedName: shared.name ?? null,
    interrupted,
    interruptedBy: timedOut ? 'timeout' : ctx.interruptedBy(),
  };
  const result = await adapter.parse(capture, plan, parseAt);
  if (result.type === 'error') throw result.error;
  const outcome = result.outcome;
  for (const note of outcome.notes ?? []) ctx.progress.line(note);
  return makeRun({
    ...start,
    name: outcome.name,
    startedAt: outcome.startedAt ?? start.startedAt,
    completedAt: outcome.completedAt,
    durationMs: outcome.durationMs,
    tool: { name: tool.name, version: outcome.toolVersion ?? tool.version, commandLine: outcome.commandLine !== undefined ? outcome.commandLine : invocation.commandLine },
    cases: outcome.cases,
    details: outcome.details,
    metrics: outcome.metrics,
    artifacts: outcome.artifacts,
    metadata: outcome.metadata,
    shard: outcome.shard ?? null,
    errorMessage: outcome.errorMessage !== undefined ? outcome.errorMessage : (outcome.toolError ?? null),
    toolError: Boolean(outcome.toolError),
    interrupted: outcome.interrupted,
    status: outcome.status,
  });
}

/** A run command: the pipeline, then validate, save or spool, render, and the exit code. */
export async function runToolCommand(ctx: CommandContext, toolName: string, request: unknown, shared: SharedRunOptions): Promise<number> {
  const { checkPerfBaseline } = await import('./history-hooks.js');
  // perf --baseline: one more case that fails the run on a p95 regression (other kinds: unchanged).
  const run = await checkPerfBaseline(ctx, await runTool(ctx, toolName, request, shared), request as { baseline?: string; maxRegression?: string });
  return finishRun(ctx, run, { junit: shared.junit, markdown: shared.markdown, html: shared.html });
}

/**
 * A run command's action: normalizes its options (flag > environment > config file > default) from
 * the shared table and the command's own, then runs the tool through the pipeline.
 */
export async function runCommand(ctx: CommandContext, toolName: string, table: readonly OptionSpec[], flags: Readonly<Record<string, unknown>>): Promise<number> {
  const { request, shared } = await normalizeRunOptions(ctx, table, flags);
  return runToolCommand(ctx, toolName, request, shared);
}

/**
 * The action of every run command defined in run-commands.ts: commander passes the positional
 * arguments, then the flags; they become the request, and the spec names the tool that runs it.
 */
export function runCommandAction(spec: RunCommandSpec): (ctx: CommandContext, ...args: unknown[]) => Promise<number> {
  return (ctx, ...args) => {
    const flags = (args[spec.positionals.length] ?? {}) as Record<string, unknown>;
    const request: Record<string, unknown> = { ...flags };
    spec.positionals.forEach((key, i) => (request[key] = args[i]));
    const tool = typeof spec.tool === 'string' ? spec.tool : spec.tool(request);
    return runCommand(ctx, tool, spec.table, request);
  };
}

/** The one normalize step for a run command: the tool's request and the shared run options. */
export async function normalizeRunOptions(
  ctx: CommandContext,
  table: readonly OptionSpec[],
  flags: Readonly<Record<string, unknown>>,
): Promise<{ request: Record<string, unknown>; shared: SharedRunOptions }> {
  const values = normalizeOptions([SHARED_RUN_OPTIONS, table], flags, { env: ctx.io.env, config: ctx.globals.config });
  let timeoutMs: number | undefined;
  if (typeof values.timeout === 'string' && table.some((s) => s.key === 'timeout')) {
    const { parseDurationMs } = await import('../adapters/kube/duration.js');
    const ms = parseDurationMs(values.timeout);
    if (ms === null || ms <= 0) throw new UsageError(`--timeout must be a duration such as 90s, 5m or 1h30m (got "${values.timeout}")`);
    timeoutMs = ms;
  }
  // Positional arguments (script, collections, paths) are not in the tables: they pass as given.
  return { request: { ...flags, ...values }, shared: sharedOptionsOf(values, timeoutMs) };
}
