import { runProcess, type ProcessExit } from './process.js';

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
  /** How long the tool gets after SIGINT before SIGTERM (and SIGKILL 5 s later) follow. */
  readonly graceMs?: number;
  /** Each line the tool prints on stdout. */
  readonly onLine?: (line: string) => void;
  readonly echo?: (chunk: string) => void;
}

/**
 * Runs a tool to its end through the one process helper (own process group; SIGINT, then SIGTERM,
 * then SIGKILL on abort; killed when the CLI exits). Output is streamed line by line to `onLine`.
 */
export async function spawnTool(command: ToolCommand, options: SpawnToolOptions): Promise<ProcessCapture> {
  const result = await runProcess({
    file: command.file,
    args: command.args,
    cwd: command.cwd,
    env: { ...options.env, ...command.env },
    signal: options.signal,
    stopSignal: 'SIGINT',
    termAfterMs: options.graceMs ?? 15_000,
    killAfterMs: 5_000,
    onLine: options.onLine ? (line, stream) => (stream === 'stdout' ? options.onLine!(line) : undefined) : undefined,
    onData: options.echo ? (chunk) => options.echo!(chunk) : undefined,
  });
  return captureOfExit(result, options.signal, 'could not start');
}

/** A finished process as a capture: exit, signal, whether we cancelled it, output tails, why it did not start. */
export function captureOfExit(result: ProcessExit, signal: AbortSignal | undefined, notStarted: string): ProcessCapture {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    cancelled: result.cancelled || Boolean(signal?.aborted),
    stdout: result.stdout,
    stderr: result.stderr,
    spawnError: result.spawnError ? `${notStarted}: ${result.spawnError.code ?? result.spawnError.message}` : null,
    wallMs: result.wallMs,
  };
}
