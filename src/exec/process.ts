import { spawn, type StdioOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/*
 * The one way shopfds-test starts a tool (Playwright's runner, k6, kubectl, ...). Every tool:
 * - runs in its own process group (and session), so a terminal Ctrl-C reaches only the CLI, which
 *   decides what the tool gets: many tools (k6, Playwright) stop cleanly at the first SIGINT and
 *   abort without a report at the second;
 * - is stopped by escalation: SIGINT to the group, then SIGTERM, then SIGKILL, each after a grace period;
 * - has its output streamed line by line to a callback while the last part of it is kept;
 * - is killed, with its whole group and every process it started, whenever the CLI exits: a normal
 *   exit, an uncaught error, a second Ctrl-C (`process.exit` from the signal handler) or SIGHUP.
 * node:child_process is used directly rather than execa: execa signals only the child's pid, and the
 * whole group has to be signalled.
 */

/** Which output a line came from: stdout, stderr or an extra pipe (its file descriptor). */
export type OutputStream = 'stdout' | 'stderr' | number;

export interface ProcessSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string | undefined;
  /** The child's whole environment (nothing is inherited beyond it). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  readonly input?: string | undefined;
  /** Extra pipes the child writes to, as file descriptors >= 3 (Playwright's progress reporter). */
  readonly extraPipes?: readonly number[];
  /** Every complete line of every output, as it arrives (a last line without a newline included). */
  readonly onLine?: ((line: string, stream: OutputStream) => void) | undefined;
  /** Raw stdout/stderr chunks as they arrive (to mirror the tool's output). */
  readonly onData?: ((chunk: string, stream: 'stdout' | 'stderr') => void) | undefined;
  /** How much of stdout and of stderr is kept, in characters (the last part). Default 64 KiB. */
  readonly tailChars?: number;
  /** Aborting stops the tool (see stop()). */
  readonly signal?: AbortSignal | undefined;
  /** After this long the tool is stopped and the exit says timedOut. */
  readonly timeoutMs?: number | undefined;
  /** The first signal of stop(). Default SIGINT (what a terminal's Ctrl-C sends). */
  readonly stopSignal?: NodeJS.Signals;
  /** How long after the first signal SIGTERM follows. Default 15 s. */
  readonly termAfterMs?: number;
  /** How long after SIGTERM SIGKILL follows. Default 5 s. */
  readonly killAfterMs?: number;
}

export interface ProcessExit {
  /** null when the tool died from a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last `tailChars` of stdout and stderr. */
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** Set when the tool could not be started at all (ENOENT, EACCES, ...). */
  readonly spawnError: NodeJS.ErrnoException | null;
  /** stop() was called (or the signal aborted) before the tool exited. */
  readonly cancelled: boolean;
  readonly timedOut: boolean;
}

export interface ToolProcess {
  readonly pid: number | undefined;
  /** Stops the tool: the stop signal to its group, then SIGTERM, then SIGKILL. Idempotent. */
  stop(): void;
  /** Kills the tool's group outright. */
  kill(): void;
  readonly exited: Promise<ProcessExit>;
  running(): boolean;
}

// ---- Every live tool, killed when the CLI exits --------------------------------------------------

const live = new Set<number>();
let hooked = false;

/**
 * Every tool is started with this in its environment, which its own children inherit: it finds
 * the processes a tool left outside its tree (a daemon that forked twice, as Chromium's crash
 * handler does) when the CLI exits.
 */
const OWNER_VAR = 'SHOPFDS_TOOL_OWNER';
const owner = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/** Pid -> parent pid of every process, from /proc (Linux); empty elsewhere. Marks the ones started by our tools. */
function processTable(): { parents: Map<number, number>; owned: number[] } {
  const table = new Map<number, number>();
  const owned: number[] = [];
  const needle = `${OWNER_VAR}=${owner}`;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return { parents: table, owned };
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), Number(fields[1]));
      if (Number(entry) !== process.pid && readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(needle)) owned.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return { parents: table, owned };
}

/** Every process descended from `root` (not including it), and every process our tools started wherever it went. */
function toolProcesses(root: number): number[] {
  const { parents: table, owned } = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of table) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const found: number[] = [...owned];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Kills every live tool now, synchronously: each tool's process group, and every other process the
 * CLI's children started (a tool may start helpers in groups of their own, as Playwright does with
 * browsers, or daemons that leave the tree). Safe to call from a process 'exit' handler.
 */
export function killAllToolsSync(): void {
  if (live.size === 0) return;
  // Freeze first so no one starts new processes while the tree is read.
  for (const pgid of live) signalGroup(pgid, 'SIGSTOP');
  const others = toolProcesses(process.pid);
  for (const pgid of live) signalGroup(pgid, 'SIGKILL');
  for (const pid of others) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  live.clear();
}

function onHangup(): void {
  killAllToolsSync();
  process.exit(129);
}

function track(pgid: number): void {
  live.add(pgid);
  if (!hooked) {
    hooked = true;
    process.on('exit', killAllToolsSync);
  }
  // A closed terminal (SIGHUP) would end the CLI without an 'exit' event; tools would outlive it.
  if (live.size === 1 && process.listenerCount('SIGHUP') === 0) process.on('SIGHUP', onHangup);
}

function untrack(pgid: number): void {
  live.delete(pgid);
  if (live.size === 0) process.off('SIGHUP', onHangup);
}

/** How many tools are running (for tests and diagnostics). */
export function liveToolCount(): number {
  return live.size;
}

// ---- Starting one tool ---------------------------------------------------------------------------

function tailKeeper(max: number) {
  let text = '';
  return {
    add(chunk: string) {
      text += chunk;
      if (text.length > max * 2) text = text.slice(-max);
    },
    value: () => (text.length > max ? text.slice(-max) : text),
  };
}

function streamLines(stream: Readable, name: OutputStream, onLine: (line: string, stream: OutputStream) => void): Promise<void> {
  return new Promise((resolveDone) => {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      try {
        onLine(line, name);
      } catch {
        // A consumer's mistake must not break the capture.
      }
    });
    lines.on('close', () => resolveDone());
  });
}

/** Starts a tool in its own process group. Never throws: a failed start is in `exited`. */
export function startProcess(spec: ProcessSpec): ToolProcess {
  const started = Date.now();
  const extra = spec.extraPipes ?? [];
  const stdio: StdioOptions = [spec.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
  for (const fd of extra) {
    while (stdio.length < fd) stdio.push('ignore');
    stdio[fd] = 'pipe';
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.env)) if (value !== undefined) env[key] = value;
  env[OWNER_VAR] = owner;
  const child = spawn(spec.file, [...spec.args], { cwd: spec.cwd, env, stdio, detached: true, windowsHide: true });
  const pgid = child.pid;
  if (pgid !== undefined) track(pgid);

  const tailChars = spec.tailChars ?? 64 * 1024;
  const out = tailKeeper(tailChars);
  const err = tailKeeper(tailChars);
  const drained: Promise<void>[] = [];
  for (const [stream, name, keep] of [
    [child.stdout, 'stdout', out],
    [child.stderr, 'stderr', err],
  ] as const) {
    if (!stream) continue;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      keep.add(chunk);
      spec.onData?.(chunk, name);
    });
    if (spec.onLine) drained.push(streamLines(stream, name, spec.onLine));
    else drained.push(new Promise((r) => stream.once('close', () => r())));
  }
  for (const fd of extra) {
    const stream = child.stdio[fd] as Readable | null | undefined;
    if (!stream) continue;
    stream.setEncoding('utf8');
    if (spec.onLine) drained.push(streamLines(stream, fd, spec.onLine));
    else {
      stream.resume();
      drained.push(new Promise((r) => stream.once('close', () => r())));
    }
  }
  if (child.stdin && spec.input !== undefined) {
    child.stdin.on('error', () => {});
    child.stdin.end(spec.input);
  }

  let done = false;
  let cancelled = false;
  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(fn, ms);
    t.unref();
    timers.push(t);
  };
  const send = (signal: NodeJS.Signals) => {
    if (!done && pgid !== undefined) signalGroup(pgid, signal);
  };
  const stop = () => {
    if (done || cancelled) return;
    cancelled = true;
    send(spec.stopSignal ?? 'SIGINT');
    later(spec.termAfterMs ?? 15_000, () => {
      send('SIGTERM');
      later(spec.killAfterMs ?? 5_000, () => send('SIGKILL'));
    });
  };
  const onAbort = () => stop();
  if (spec.signal?.aborted) queueMicrotask(stop);
  else spec.signal?.addEventListener('abort', onAbort, { once: true });
  if (spec.timeoutMs !== undefined) {
    later(spec.timeoutMs, () => {
      if (done) return;
      timedOut = true;
      stop();
    });
  }

  const exited = new Promise<ProcessExit>((resolveExit) => {
    let spawnError: NodeJS.ErrnoException | null = null;
    const finish = async (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      spec.signal?.removeEventListener('abort', onAbort);
      if (pgid !== undefined) {
        // Whatever the tool left behind in its group goes with it.
        signalGroup(pgid, 'SIGKILL');
        untrack(pgid);
      }
      // Let the last lines arrive; a grandchild elsewhere holding a pipe open must not hang us.
      let giveUp: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(drained), new Promise<void>((r) => (giveUp = setTimeout(r, 2_000)))]);
      if (giveUp) clearTimeout(giveUp);
      for (const stream of child.stdio) (stream as Readable | null)?.destroy();
      resolveExit({
        exitCode,
        signal,
        stdout: out.value(),
        stderr: err.value(),
        wallMs: Date.now() - started,
        spawnError,
        cancelled,
        timedOut,
      });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only a failed start ends the process here; a failed kill() of a live child does not.
      if (child.pid === undefined) {
        spawnError = error;
        void finish(null, null);
      }
    });
    child.once('exit', (code, signal) => void finish(code, signal));
  });

  return {
    pid: pgid,
    stop,
    kill: () => send('SIGKILL'),
    exited,
    running: () => !done,
  };
}

/** Starts a tool and waits for it to exit. */
export function runProcess(spec: ProcessSpec): Promise<ProcessExit> {
  return startProcess(spec).exited;
}
