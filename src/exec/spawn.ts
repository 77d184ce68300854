import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** A process to start for a tool. */
export interface ToolCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** Added to `env`. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** What a spawned tool left behind. */
export interface ProcessCapture {
  /** null when the process died from a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** True when the abort signal stopped it. */
  readonly cancelled: boolean;
  /** Tails of the output. */
  readonly stdout: string;
  readonly stderr: string;
  /** Why it could not be started at all, or null. */
  readonly spawnError: string | null;
  readonly wallMs: number;
}

export interface SpawnToolOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  /** How long the tool gets after SIGINT before it is killed. */
  readonly graceMs?: number;
  /** Each line the tool prints on stdout. */
  readonly onLine?: (line: string) => void;
  readonly echo?: (chunk: string) => void;
}

const TAIL = 64 * 1024;

function tail(text: string): string {
  return text.length > TAIL ? text.slice(text.length - TAIL) : text;
}

/**
 * Runs a tool to its end in its own process group. The abort signal sends SIGINT once, as a
 * terminal would, then SIGKILL after `graceMs`. Output is streamed line by line to `onLine`.
 */
export async function spawnTool(command: ToolCommand, options: SpawnToolOptions): Promise<ProcessCapture> {
  const { execa } = await import('execa');
  const started = Date.now();
  const child = execa(command.file, [...command.args], {
    cwd: command.cwd,
    env: { ...(options.env as Record<string, string>), ...command.env },
    extendEnv: false,
    stdin: 'ignore',
    detached: true,
    reject: false,
    buffer: true,
    maxBuffer: 64 * 1024 * 1024,
    cancelSignal: options.signal,
    killSignal: 'SIGINT',
    forceKillAfterDelay: options.graceMs ?? 15_000,
  });
  if (options.onLine && child.stdout) {
    createInterface({ input: child.stdout as Readable, crlfDelay: Infinity }).on('line', (line) => options.onLine!(line));
  }
  if (options.echo) echoOutput(child, options.echo);
  return captureOf(await child, options.signal, started, 'could not start');
}

/** The fields of an execa result a capture reads. */
interface FinishedChild {
  readonly failed: boolean;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly isCanceled?: boolean;
  readonly shortMessage?: string;
  readonly stdout?: unknown;
  readonly stderr?: unknown;
}

/** Mirrors a child's output (for --debug). */
export function echoOutput(child: { stdout?: NodeJS.ReadableStream | null; stderr?: NodeJS.ReadableStream | null }, echo: (chunk: string) => void): void {
  child.stdout?.on('data', (d: Buffer) => echo(d.toString()));
  child.stderr?.on('data', (d: Buffer) => echo(d.toString()));
}

/** What a finished tool process left behind: exit, signal, whether we cancelled it, output tails, why it did not start. */
export function captureOf(result: FinishedChild, signal: AbortSignal | undefined, startedAt: number, notStarted: string): ProcessCapture {
  const cause = (result as { cause?: NodeJS.ErrnoException }).cause;
  const spawnError = result.failed && result.exitCode === undefined && !result.signal && !result.isCanceled ? (cause?.code ?? result.shortMessage ?? notStarted) : null;
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    cancelled: Boolean(result.isCanceled) || Boolean(signal?.aborted),
    stdout: tail(String(result.stdout ?? '')),
    stderr: tail(String(result.stderr ?? '')),
    spawnError,
    wallMs: Date.now() - startedAt,
  };
}
