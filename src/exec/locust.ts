import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ToolError } from '../model/index.js';

/** The command to start (the adapter's buildLocustInvocation result). */
export interface LocustCommand {
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

/** `SHOPFDS_LOCUST_PATH` (or the config's perf.locustPath), else `locust` on PATH. Null when there is none. */
export function findLocust(env: Readonly<Record<string, string | undefined>>, cwd: string, configured?: string): { path: string | null; from: string } {
  const explicit = env.SHOPFDS_LOCUST_PATH || configured;
  if (explicit) {
    const file = isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
    return { path: isExecutable(file) ? file : null, from: env.SHOPFDS_LOCUST_PATH ? `SHOPFDS_LOCUST_PATH=${explicit}` : `perf.locustPath ${explicit}` };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, 'locust');
    if (isExecutable(file)) return { path: file, from: 'PATH' };
  }
  return { path: null, from: 'PATH' };
}

/**
 * Runs `<locust> --version`, and when it names no version (Debian's python3-locust 2.12 prints
 * "locust "), `dpkg-query` for the python3-locust package. Returns the outputs, or why Locust
 * could not run.
 */
export async function runLocustVersion(file: string, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<{ stdout: string; dpkg: string | null } | { problem: string }> {
  const { execa } = await import('execa');
  const result = await execa(file, ['--version'], { reject: false, timeout: 30_000, stdin: 'ignore', env: env as Record<string, string>, extendEnv: false, cwd });
  if (result.failed || result.exitCode !== 0) {
    const why = (result as { cause?: NodeJS.ErrnoException }).cause?.code ?? `exit code ${result.exitCode}`;
    const last = String(result.stderr ?? '').trim().split('\n').pop();
    return { problem: `could not run "${file} --version" (${why})${last ? `: ${last}` : ''}` };
  }
  const stdout = `${String(result.stdout)}\n${String(result.stderr)}`;
  if (/\blocust\s+v?\d/i.test(stdout)) return { stdout, dpkg: null };
  const dpkg = await execa('dpkg-query', ['-W', '-f', '${Version}', 'python3-locust'], { reject: false, timeout: 10_000, stdin: 'ignore', env: env as Record<string, string>, extendEnv: false, cwd });
  return { stdout, dpkg: !dpkg.failed && dpkg.exitCode === 0 ? String(dpkg.stdout) : null };
}

export interface LocustExit {
  /** null when Locust died from a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The last 64 KiB of what Locust printed. */
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
}

export interface LocustProcess {
  readonly pid: number | undefined;
  /** Asks Locust to stop the way Ctrl-C does: it ends the test and still writes its summary. */
  interrupt(): void;
  /** Kills Locust outright. */
  kill(): void;
  readonly exited: Promise<LocustExit>;
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
 * Starts Locust in its own process group, so a terminal Ctrl-C reaches only us: Locust stops at
 * SIGINT (KeyboardInterrupt) and still writes its statistics; we forward exactly one.
 * `graceMs` after an interrupt, the group is killed.
 */
export async function startLocust(
  invocation: LocustCommand,
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; graceMs?: number; installHint?: string },
): Promise<LocustProcess> {
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
  // A second Ctrl-C makes the CLI exit at once; do not leave Locust running behind it.
  const onExit = () => {
    if (!done && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
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
      throw new ToolError(`could not start Locust "${invocation.file}" (${cause.code})`, { hint: options.installHint, cause });
    }
    return {
      exitCode: typeof result.exitCode === 'number' ? result.exitCode : null,
      signal: result.signal ?? null,
      stdout: out.value(),
      stderr: err.value(),
      wallMs: Date.now() - started,
    } satisfies LocustExit;
  });
  const signalChild = (signal: NodeJS.Signals) => {
    if (done || !child.pid) return;
    try {
      process.kill(-child.pid, signal);
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
