import type { LoadToolExit, LoadToolProcess } from '../exec/load-tool.js';
import type { ToolEvent } from './types.js';

/*
 * How an adapter drives a long-running load tool (k6, Locust) once it is started: Ctrl-C becomes one
 * interrupt (the tool still writes its results), the live figures are read once a second, and the
 * tool never outlives the run.
 */

export interface SuperviseIo {
  readonly signal: AbortSignal;
  emit(event: Extract<ToolEvent, { type: 'begin' | 'sample' | 'note' }>): void;
}

export interface SuperviseOptions {
  /** The `begin` line (`k6 load: starting`). */
  readonly beginLabel: string;
  /** Said when Ctrl-C stops the tool. */
  readonly stopNote: string;
  /** Once a second while the tool runs: its live figures, read from the files it writes. */
  readonly sample: () => Promise<Readonly<Record<string, number | null>>> | Readonly<Record<string, number | null>>;
}

/**
 * Waits for the tool to end, emitting a sample a second. Returns its exit and whether we stopped
 * it; rejects as `proc.exited` does when the tool could not be started.
 */
export async function superviseLoadTool(proc: LoadToolProcess, io: SuperviseIo, options: SuperviseOptions): Promise<{ exit: LoadToolExit; interrupted: boolean }> {
  let interrupted = false;
  const onAbort = () => {
    interrupted = true;
    io.emit({ type: 'note', text: options.stopNote });
    proc.interrupt();
  };
  if (io.signal.aborted) onAbort();
  else io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const begun = Date.now();
    io.emit({ type: 'begin', total: null, label: options.beginLabel });
    let exited = false;
    const exit = proc.exited.finally(() => {
      exited = true;
    });
    exit.catch(() => {});
    while (!exited) {
      await Promise.race([exit.catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
      if (exited) break;
      io.emit({ type: 'sample', elapsedMs: Date.now() - begun, values: await options.sample() });
    }
    const result = await exit;
    return { exit: result, interrupted: interrupted || io.signal.aborted };
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    if (proc.running()) proc.kill();
  }
}
