import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ToolError } from '../model/index.js';
import { runProcess, startProcess } from './process.js';

/*
 * A long-running tool the adapter drives itself (k6, Locust): found by an explicit path or on PATH,
 * asked for its version, then started through the one process helper and stopped the way Ctrl-C
 * stops it, so that it still writes its results.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** The command to start (the adapter's invocation). */
export interface LoadToolCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** Added to the given environment. */
  readonly env: Readonly<Record<string, string>>;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where an executable may be named: an environment variable, then a config key, then PATH. */
export interface ExecutableLookup {
  /** The executable's name on PATH (`k6`). */
  readonly name: string;
  /** The environment variable that names it (`SHOPFDS_K6_PATH`). */
  readonly envVar: string;
  /** The config key that names it (`perf.k6Path`), for the message. */
  readonly configKey: string;
}

/** The explicit path (environment, then config), else `name` on PATH. `path` is null when there is none; `from` says where it was looked for. */
export function findExecutable(lookup: ExecutableLookup, env: Env, cwd: string, configured?: string): { path: string | null; from: string } {
  const explicit = env[lookup.envVar] || configured;
  if (explicit) {
    const file = isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
    return { path: isExecutable(file) ? file : null, from: env[lookup.envVar] ? `${lookup.envVar}=${explicit}` : `${lookup.configKey} ${explicit}` };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, lookup.name);
    if (isExecutable(file)) return { path: file, from: 'PATH' };
  }
  return { path: null, from: 'PATH' };
}

/**
 * Runs a version command (`k6 version`, `locust --version`). Returns its output (stdout, then
 * stderr), or why it could not run; the caller turns that into a ToolError with install instructions.
 */
export async function runVersionCommand(file: string, args: readonly string[], env: Env, cwd: string, timeoutMs = 20_000): Promise<{ stdout: string } | { problem: string }> {
  const result = await runProcess({ file, args, env, cwd, timeoutMs, termAfterMs: 2_000, killAfterMs: 2_000 });
  if (result.spawnError || result.exitCode !== 0) {
    const why = result.spawnError?.code ?? (result.timedOut ? 'timed out' : result.exitCode === null ? `killed by ${result.signal}` : `exit code ${result.exitCode}`);
    const last = result.stderr.trim().split('\n').pop();
    return { problem: `could not run "${[file, ...args].join(' ')}" (${why})${last ? `: ${last}` : ''}` };
  }
  return { stdout: result.stderr ? `${result.stdout}\n${result.stderr}` : result.stdout };
}

export interface LoadToolExit {
  /** null when the tool died from a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The last 64 KiB of what the tool printed. */
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
}

export interface LoadToolProcess {
  readonly pid: number | undefined;
  /** Asks the tool to stop the way Ctrl-C does: it ends the test and still writes its results. */
  interrupt(): void;
  /** Kills the tool outright. */
  kill(): void;
  /** Rejects with a ToolError (and `installHint`) when the tool could not be started. */
  readonly exited: Promise<LoadToolExit>;
  running(): boolean;
}

/**
 * Starts the tool in its own process group, so a terminal Ctrl-C reaches only us: k6 and Locust
 * stop at the first SIGINT and still write their results (k6 aborts without a summary at a second
 * one), so exactly one is forwarded. `graceMs` after an interrupt the tool gets SIGTERM, then SIGKILL.
 * It is killed whenever the CLI exits.
 */
export function startLoadTool(
  label: string,
  invocation: LoadToolCommand,
  options: { cwd: string; env: Env; graceMs?: number; installHint?: string },
): LoadToolProcess {
  const child = startProcess({
    file: invocation.file,
    args: invocation.args,
    cwd: options.cwd,
    env: { ...options.env, ...invocation.env },
    stopSignal: 'SIGINT',
    termAfterMs: options.graceMs ?? 60_000,
    killAfterMs: 5_000,
  });
  const exited = child.exited.then((result) => {
    const cause = result.spawnError;
    if (cause) throw new ToolError(`could not start ${label} "${invocation.file}" (${cause.code ?? cause.message})`, { hint: options.installHint, cause });
    return { exitCode: result.exitCode, signal: result.signal, stdout: result.stdout, stderr: result.stderr, wallMs: result.wallMs } satisfies LoadToolExit;
  });
  return { pid: child.pid, interrupt: () => child.stop(), kill: () => child.kill(), exited, running: () => child.running() };
}
