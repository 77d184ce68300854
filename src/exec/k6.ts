import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ToolError } from '../model/index.js';
import { runProcess, startProcess } from './process.js';

/** The command to start (the adapter's buildK6Invocation result). */
export interface K6Command {
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

/** `SHOPFDS_K6_PATH` (or the config's perf.k6Path), else `k6` on PATH. Null when there is none. */
export function findK6(env: Readonly<Record<string, string | undefined>>, cwd: string, configured?: string): { path: string | null; from: string } {
  const explicit = env.SHOPFDS_K6_PATH || configured;
  if (explicit) {
    const file = isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
    return { path: isExecutable(file) ? file : null, from: env.SHOPFDS_K6_PATH ? `SHOPFDS_K6_PATH=${explicit}` : `perf.k6Path ${explicit}` };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, 'k6');
    if (isExecutable(file)) return { path: file, from: 'PATH' };
  }
  return { path: null, from: 'PATH' };
}

/**
 * Runs `<k6> version`. Returns its output, or why it could not run (the caller turns that into a
 * ToolError with install instructions).
 */
export async function runK6Version(file: string, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<{ stdout: string } | { problem: string }> {
  const result = await runProcess({ file, args: ['version'], env, cwd, timeoutMs: 20_000, termAfterMs: 2_000, killAfterMs: 2_000 });
  if (result.spawnError || result.exitCode !== 0) {
    const why = result.spawnError?.code ?? (result.timedOut ? 'timed out' : result.exitCode === null ? `killed by ${result.signal}` : `exit code ${result.exitCode}`);
    const last = result.stderr.trim().split('\n').pop();
    return { problem: `could not run "${file} version" (${why})${last ? `: ${last}` : ''}` };
  }
  return { stdout: result.stdout };
}

export interface K6Exit {
  /** null when k6 died from a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The last 64 KiB of what k6 printed. */
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
}

export interface K6Process {
  readonly pid: number | undefined;
  /** Asks k6 to stop the way Ctrl-C does: it ends the test and still writes its summary. */
  interrupt(): void;
  /** Kills k6 outright. */
  kill(): void;
  readonly exited: Promise<K6Exit>;
  running(): boolean;
}

/**
 * Starts k6. It runs in its own process group so a terminal Ctrl-C reaches only us: k6 stops at
 * the first SIGINT but aborts without a summary at the second, so we forward exactly one.
 * `graceMs` after an interrupt, k6 gets SIGTERM, then SIGKILL. It is killed whenever the CLI exits.
 */
export async function startK6(
  invocation: K6Command,
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; graceMs?: number; installHint?: string },
): Promise<K6Process> {
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
    if (cause) {
      throw new ToolError(`could not start k6 "${invocation.file}" (${cause.code ?? cause.message})`, { hint: options.installHint, cause });
    }
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: result.stdout,
      stderr: result.stderr,
      wallMs: result.wallMs,
    } satisfies K6Exit;
  });
  return {
    pid: child.pid,
    interrupt: () => child.stop(),
    kill: () => child.kill(),
    exited,
    running: () => child.running(),
  };
}
