import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { captureOf, echoOutput, type ProcessCapture } from './spawn.js';

/** One line the generated progress reporter wrote (see adapters/playwright/generate.ts). */
export type ProgressEvent =
  | { type: 'begin'; total: number; workers?: number }
  | { type: 'test-begin'; title: string; project: string | null; retry: number }
  | {
      type: 'test-end';
      title: string;
      project: string | null;
      retry: number;
      status: string;
      outcome: 'expected' | 'unexpected' | 'flaky' | 'skipped';
      final: boolean;
      durationMs: number;
    }
  | { type: 'error'; message: string }
  | { type: 'end'; status: string };

/** The Playwright test runner as it will be invoked. */
export interface PlaywrightInvocation {
  /** `@playwright/test/cli.js`, run with the current Node. */
  readonly cliPath: string;
  /** Arguments after `cli.js` (starting with `test`). */
  readonly args: readonly string[];
  readonly cwd: string;
  /** Added to the inherited environment. */
  readonly env: Readonly<Record<string, string>>;
}

/** What `playwright test` left behind. */
export type PlaywrightCapture = ProcessCapture;

export interface RunPlaywrightOptions {
  readonly signal?: AbortSignal;
  /** How long Playwright gets after SIGINT to stop workers and write its report. */
  readonly graceMs?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Mirror Playwright's own stdout/stderr (for --debug). */
  readonly echo?: (chunk: string) => void;
}

/** The file descriptor the progress reporter writes to. */
export const PROGRESS_FD = 3;


/**
 * Runs `playwright test`. Ctrl-C (the abort signal) sends SIGINT once, as a terminal would, so
 * Playwright stops its workers and still writes its reporters' output; it is killed after
 * `graceMs` if it has not exited. Playwright runs in its own process group so a terminal Ctrl-C
 * reaches it only through us (a second SIGINT would make it exit without a report).
 */
export async function runPlaywright(invocation: PlaywrightInvocation, options: RunPlaywrightOptions = {}): Promise<PlaywrightCapture> {
  const started = Date.now();
  const child = execa(process.execPath, [invocation.cliPath, ...invocation.args], {
    cwd: invocation.cwd,
    env: { ...invocation.env, SHOPFDS_PROGRESS_FD: String(PROGRESS_FD) },
    extendEnv: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
    reject: false,
    buffer: true,
    maxBuffer: 64 * 1024 * 1024,
    stripFinalNewline: false,
    cancelSignal: options.signal,
    killSignal: 'SIGINT',
    forceKillAfterDelay: options.graceMs ?? 15_000,
  });
  const progress = child.stdio[PROGRESS_FD] as Readable | undefined;
  if (progress) {
    const lines = createInterface({ input: progress, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (!line.trim()) return;
      try {
        options.onProgress?.(JSON.parse(line) as ProgressEvent);
      } catch {
        // Not ours; progress is best effort.
      }
    });
  }
  if (options.echo) echoOutput(child, options.echo);
  return captureOf(await child, options.signal, started, 'could not start Playwright');
}
