import { runProcess } from './process.js';
import { captureOfExit, type ProcessCapture } from './spawn.js';

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
 * Playwright stops its workers and still writes its reporters' output; SIGTERM and then SIGKILL follow
 * if it has not exited `graceMs` later. Playwright runs in its own process group so a terminal Ctrl-C
 * reaches it only through us (a second SIGINT would make it exit without a report), and it is killed
 * whenever the CLI exits.
 */
export async function runPlaywright(invocation: PlaywrightInvocation, options: RunPlaywrightOptions = {}): Promise<PlaywrightCapture> {
  const result = await runProcess({
    file: process.execPath,
    args: [invocation.cliPath, ...invocation.args],
    cwd: invocation.cwd,
    env: { ...process.env, ...invocation.env, SHOPFDS_PROGRESS_FD: String(PROGRESS_FD) },
    extraPipes: [PROGRESS_FD],
    tailChars: 16_000,
    signal: options.signal,
    stopSignal: 'SIGINT',
    termAfterMs: options.graceMs ?? 15_000,
    killAfterMs: 5_000,
    onLine: (line, stream) => {
      if (stream !== PROGRESS_FD || !line.trim()) return;
      try {
        options.onProgress?.(JSON.parse(line) as ProgressEvent);
      } catch {
        // Not ours; progress is best effort.
      }
    },
    onData: options.echo ? (chunk) => options.echo!(chunk) : undefined,
  });
  return captureOfExit(result, options.signal, 'could not start Playwright');
}
