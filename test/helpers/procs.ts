import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/*
 * Finding the processes a CLI run left behind. The CLI is started with a unique marker in its
 * environment; every process it starts, and every process those start, inherit it (Playwright passes
 * its environment to its workers and browsers, k6 and kubectl are started with it). After the CLI
 * has exited, any live process whose environment holds the marker survived it. Read from /proc
 * (Linux), so it finds processes wherever they were reparented and whatever group they are in.
 */

export interface Survivor {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly state: string;
  readonly cmdline: string;
  /** SIGKILL is pending or the process is already exiting: it was killed and is on its way out. */
  readonly killed: boolean;
}

export function newMarker(): { readonly name: string; readonly value: string } {
  return { name: 'SHOPFDS_TEST_PROCESS_MARK', value: randomUUID() };
}

/** Live (not zombie) processes whose environment holds NAME=VALUE. */
export function markedProcesses(marker: { name: string; value: string }): Survivor[] {
  const needle = `${marker.name}=${marker.value}`;
  const found: Survivor[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (!environ.split('\0').includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = fields[0]!;
      if (state === 'Z' || state === 'X') continue; // dead, waiting to be reaped
      // Field 9 of stat is the kernel's task flags; PF_EXITING (0x4) is set once the exit has begun.
      const exiting = (Number(fields[6]) & 0x4) !== 0;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const pending = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].some((m) => (BigInt(`0x${m[1]}`) & 0x100n) !== 0n);
      found.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        pgid: Number(fields[2]),
        state,
        cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 200),
        killed: exiting || pending,
      });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/**
 * Marked processes that were not killed by the time the CLI exited: alive, with no SIGKILL pending
 * and not exiting. Called right after the CLI's exit, this tells "killed on the way out" (the fix)
 * from "left to stop in its own time" (a survivor, however briefly), without measuring any time.
 */
export async function notKilled(marker: { name: string; value: string }): Promise<Survivor[]> {
  const first = markedProcesses(marker).filter((p) => !p.killed);
  if (!first.length) return [];
  // A killed process passes through a moment where its SIGKILL is taken but its exit not yet begun: look twice.
  await new Promise((r) => setTimeout(r, 50));
  const again = new Set(markedProcesses(marker).filter((p) => !p.killed).map((p) => p.pid));
  return first.filter((p) => again.has(p.pid));
}

/** Polls until no marked process is alive or `patienceMs` has passed; returns the survivors. */
export async function survivorsAfter(marker: { name: string; value: string }, patienceMs = 30_000): Promise<Survivor[]> {
  const until = Date.now() + patienceMs;
  let left = markedProcesses(marker);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    left = markedProcesses(marker);
  }
  return left;
}

/** Kills processes a failed test left behind, so they don't burden the rest of the suite. */
export function killSurvivors(survivors: readonly Survivor[]): void {
  for (const s of survivors) {
    try {
      process.kill(s.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export interface Watched {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly closed: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node <bin> ...args` and collects its output. */
export function startBin(bin: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Watched {
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const closed = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, closed };
}

/** Waits until `check` holds (polling), or throws with `what` after `patienceMs`. */
export async function waitFor(what: string, check: () => boolean, patienceMs = 120_000): Promise<void> {
  const until = Date.now() + patienceMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Two SIGINTs `gapMs` apart, as a user pressing Ctrl-C twice. */
export async function doubleCtrlC(child: ChildProcess, gapMs = 30): Promise<void> {
  child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, gapMs));
  child.kill('SIGINT');
}
