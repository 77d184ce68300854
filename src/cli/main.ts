import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ActionFn, CliIo, CommandContext, ResolvedGlobals, TeardownFn } from './context.js';
import type { Runner } from './program.js';
// commander, the command tables and the progress reporter load in runCli, so `--version` needs none of them.

const EXIT_BUG = 70;

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

async function resolveGlobals(io: CliIo, opts: Record<string, unknown>): Promise<ResolvedGlobals> {
  const [{ loadConfigFile }, { detectCi }] = await Promise.all([import('../config/load.js'), import('../config/ci.js')]);
  const loaded = await loadConfigFile(io.cwd, opts.config as string | undefined);
  const config = loaded.values;
  const env = io.env;
  const ci = detectCi(env);
  const stateDir = resolve(io.cwd, env.SHOPFDS_HOME ?? '.shopfds');
  const json = Boolean(opts.json);
  const noColor = opts.color === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  let executedBy = env.SHOPFDS_EXECUTED_BY;
  if (!executedBy) {
    if (ci) executedBy = env.GITHUB_ACTOR || env.GITLAB_USER_LOGIN || 'ci-bot';
    else {
      try {
        executedBy = userInfo().username;
      } catch {
        executedBy = env.USER || 'unknown';
      }
    }
  }
  const environment = (env.SHOPFDS_ENV as ResolvedGlobals['defaultEnvironment'] | undefined) ?? config.environment ?? 'local';
  if (!['local', 'staging', 'production'].includes(environment)) {
    const { UsageError } = await import('../model/errors.js');
    throw new UsageError(`SHOPFDS_ENV must be local, staging or production (got "${environment}")`);
  }
  return {
    db: (opts.db as string | undefined) ?? env.SHOPFDS_DATABASE_URL ?? config.db ?? join(stateDir, 'results.db'),
    json,
    color: !noColor && (forceColor || (Boolean(io.stdout.isTTY) && !ci)),
    debug: Boolean(opts.debug) || env.SHOPFDS_DEBUG === '1',
    ci,
    interactive: Boolean(io.stderr.isTTY) && !ci,
    config,
    configFile: loaded.file,
    stateDir,
    artifactsDir: resolve(io.cwd, config.artifactsDir ?? join(stateDir, 'artifacts')),
    executedBy: executedBy.slice(0, 100),
    defaultEnvironment: environment,
    pushgateway: (opts.pushgateway as string | undefined) || env.SHOPFDS_PUSHGATEWAY_URL || config.prometheus?.pushgateway || null,
  };
}

/**
 * Prints a known error as one line with its stable code (`shopfds-test: error E_TOOL_MISSING: ...`,
 * see errorLine) plus its hint; anything else as E_INTERNAL with its stack and a bug-report request.
 * With --json, stdout also gets `{"error": {"code", "message", "exitCode", "hint"}}`, so a script
 * reads the code without parsing stderr.
 */
export async function reportError(io: CliIo, error: unknown, debug: boolean, json = false): Promise<number> {
  const { ShopfdsError, ConfigError, ERROR_CODES, errorLine } = await import('../model/errors.js');
  const emitJson = (code: string, message: string, exitCode: number, hint: string | undefined) => {
    if (json) io.stdout.write(`${JSON.stringify({ error: { code, message, exitCode, ...(hint ? { hint } : {}) } }, null, 2)}\n`);
  };
  if (error instanceof ConfigError) {
    // Config problems are collected: one line each, every one with the code.
    for (const issue of error.issues) io.stderr.write(`${errorLine(error.code, issue)}\n`);
    if (error.hint) io.stderr.write(`  ${error.hint}\n`);
    emitJson(error.code, error.message, error.exitCode, error.hint);
    return error.exitCode;
  }
  if (error instanceof ShopfdsError) {
    const { escapeControl } = await import('../report/format.js');
    io.stderr.write(`${errorLine(error.code, escapeControl(error.message))}\n`);
    if (error.hint) io.stderr.write(`  ${error.hint}\n`);
    if (debug && error.stack) io.stderr.write(`${error.stack}\n`);
    if (debug && error.cause instanceof Error && error.cause.stack) io.stderr.write(`caused by: ${error.cause.stack}\n`);
    emitJson(error.code, error.message, error.exitCode, error.hint);
    return error.exitCode;
  }
  const err = error as Error;
  io.stderr.write(`${errorLine(ERROR_CODES.internal, `internal error: ${err?.stack ?? String(error)}`)}\n`);
  io.stderr.write('  This is a bug in shopfds-test. Please report it with the command you ran and the output above.\n');
  emitJson(ERROR_CODES.internal, err?.message ?? String(error), EXIT_BUG, undefined);
  return EXIT_BUG;
}

export interface RunCliResult {
  readonly exitCode: number;
}

/**
 * Runs the CLI once. `signals` lets tests drive interruption; by default SIGINT and SIGTERM of the
 * process abort the running action.
 */
export async function runCli(argv: readonly string[], io: CliIo, options: { handleSignals?: boolean } = {}): Promise<RunCliResult> {
  let exitCode = 0;
  let debug = argv.includes('--debug');
  const run: Runner = (load) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const opts = rootOf(cmd).opts();
      debug ||= Boolean(opts.debug);
      const teardowns: TeardownFn[] = [];
      const controller = new AbortController();
      const urgent = new AbortController();
      let holds = 0;
      let interrupted: 'SIGINT' | 'SIGTERM' | null = null;
      const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
        if (interrupted) {
          // A second Ctrl-C: an action that must still reach a cluster (chaos stop) gets it as a
          // hurry-up; otherwise, and on a third, leave now. The process helper's 'exit' hook
          // (src/exec/process.ts) kills every tool still running, synchronously, on the way out.
          if (holds > 0 && !urgent.signal.aborted) {
            urgent.abort(signal);
            return;
          }
          process.exit(signal === 'SIGINT' ? 130 : 143);
        }
        interrupted = signal;
        controller.abort(signal);
      };
      const onInt = () => onSignal('SIGINT');
      const onTerm = () => onSignal('SIGTERM');
      if (options.handleSignals !== false) {
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      }
      let progress: ReturnType<typeof import('./progress.js').createProgress> | undefined;
      try {
        const globals = await resolveGlobals(io, opts);
        const { createProgress } = await import('./progress.js');
        progress = createProgress(io.stderr, globals);
        const ctx: CommandContext = {
          io,
          globals,
          progress,
          signal: controller.signal,
          interruptedBy: () => interrupted,
          urgentSignal: urgent.signal,
          holdExit: () => {
            holds++;
            let released = false;
            return () => {
              if (!released) holds--;
              released = true;
            };
          },
          onTeardown: (fn) => void teardowns.push(fn),
          out: (text) => void io.stdout.write(`${text}\n`),
          err: (text) => {
            progress?.stop();
            io.stderr.write(`${text}\n`);
          },
        };
        const action = (await load()) as ActionFn<unknown[]>;
        // commander passes (...positionals, options, command)
        exitCode = await action(ctx, ...args.slice(0, -1));
      } catch (error) {
        progress?.stop();
        exitCode = await reportError(io, error, debug, Boolean(opts.json));
      } finally {
        progress?.stop();
        for (const fn of teardowns.reverse()) {
          try {
            await fn();
          } catch (error) {
            if (debug) io.stderr.write(`shopfds-test: teardown failed: ${(error as Error).message}\n`);
          }
        }
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      }
      if (interrupted && exitCode !== 130 && exitCode !== 143) exitCode = interrupted === 'SIGINT' ? 130 : 143;
    };
  const [{ CommanderError }, { createProgram }] = await Promise.all([import('./commander.js'), import('./program.js')]);
  const program = await createProgram(io, run, argv);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return { exitCode: 0 };
      // Commander already printed its one-line message.
      return { exitCode: 2 };
    }
    exitCode = await reportError(io, error, debug, argv.includes('--json'));
  }
  return { exitCode };
}

/**
 * The top-level help rendered at build time (help-snapshot.ts), or null to render it with commander:
 * when there is none, when it is older than the program (or the run commands) it was rendered from, or on a terminal
 * narrower than the 80 columns it was wrapped to.
 */
function precomputedHelp(): string | null {
  const out = process.stdout;
  if (out.isTTY && (out.columns ?? 80) < 80) return null;
  try {
    const snapshot = new URL('./help.txt', import.meta.url);
    const rendered = statSync(snapshot).mtimeMs;
    for (const source of ['./program.js', './run-commands.js']) if (rendered < statSync(new URL(source, import.meta.url)).mtimeMs) return null;
    return readFileSync(snapshot, 'utf8');
  } catch {
    return null;
  }
}

/** Entry point of the bin shim. The only place that sets the process's exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  // A closed pipe (`shopfds-test runs list | head`) is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    // The common CI probe: answer without loading commander and every command's options.
    process.stdout.write(`${JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version}\n`);
    return;
  }
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    const help = precomputedHelp();
    if (help !== null) {
      process.stdout.write(help);
      return;
    }
  }
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  const { exitCode } = await runCli(args, io);
  process.exitCode = exitCode;
}
