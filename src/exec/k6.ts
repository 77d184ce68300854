import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ToolError } from '../model/index.js';

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
  const { execa } = await import('execa');
  const result = await execa(file, ['version'], { reject: false, timeout: 20_000, stdin: 'ignore', env: env as Record<string, string>, extendEnv: false, cwd });
  if (result.failed || result.exitCode !== 0) {
    const why = (result as { cause?: NodeJS.ErrnoException }).cause?.code ?? `exit code ${result.exitCode}`;
    const last = String(result.stderr ?? '').trim().split('\n').pop();
    return { problem: `could not run "${file} version" (${why})${last ? `: ${last}` : ''}` };
  }
  return { stdout: String(result.stdout) };
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

const TAIL = 64 * 1024;

function tailCollector() {
  let text = '';
  return {
    add(chunk: Buffer | string) {
      text += chunk.toString();
      if (text.length > TAIL * 2) text = text.slice(-TAIL);
    },
    value: () => (text.length > TAIL ? text.slice(-TAIL) : text),
  };
}

/**
 * Starts k6. It runs in its own process group so a terminal Ctrl-C reaches only us: k6 stops at
 * the first SIGINT but aborts without a summary at the second, so we forward exactly one.
 * `graceMs` after an interrupt, k6 is killed.
 */
export async function startK6(
  invocation: K6Command,
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; graceMs?: number; installHint?: string },
): Promise<K6Process> {
  const { execa } = await import('execa');
  const started = Date.now();
  const child = execa(invocation.file, [...invocation.args], {
    cwd: options.cwd,
    env: { ...(options.env as Record<string, string>), ...invocation.env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    buffer: false,
    detached: true,
  });
  const out = tailCollector();
  const err = tailCollector();
  child.stdout?.on('data', (c: Buffer) => out.add(c));
  child.stderr?.on('data', (c: Buffer) => err.add(c));
  let done = false;
  let killTimer: NodeJS.Timeout | undefined;
  // A second Ctrl-C makes the CLI exit at once; do not leave k6 running behind it.
  const onExit = () => {
    if (!done && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', onExit);
  const exited = child.then((result) => {
    done = true;
    if (killTimer) clearTimeout(killTimer);
    process.off('exit', onExit);
    const cause = (result as { cause?: NodeJS.ErrnoException }).cause;
    if (result.failed && cause && (cause.code === 'ENOENT' || cause.code === 'EACCES')) {
      throw new ToolError(`could not start k6 "${invocation.file}" (${cause.code})`, { hint: options.installHint, cause });
    }
    return {
      exitCode: typeof result.exitCode === 'number' ? result.exitCode : null,
      signal: result.signal ?? null,
      stdout: out.value(),
      stderr: err.value(),
      wallMs: Date.now() - started,
    } satisfies K6Exit;
  });
  const signalChild = (signal: NodeJS.Signals) => {
    if (done || !child.pid) return;
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    pid: child.pid,
    interrupt() {
      signalChild('SIGINT');
      if (!killTimer) {
        killTimer = setTimeout(() => signalChild('SIGKILL'), options.graceMs ?? 60_000);
        killTimer.unref();
      }
    },
    kill: () => signalChild('SIGKILL'),
    exited,
    running: () => !done,
  };
}
