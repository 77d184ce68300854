import { hostname } from 'node:os';
import type { RunStore } from '../store/types.js';
import type { CommandContext } from './context.js';
import type { RunStart } from './session.js';

/** How often a live run refreshes its heartbeat. Runs whose heartbeat is older than 60 s read as abandoned. */
export const HEARTBEAT_INTERVAL_MS = Number(process.env.SHOPFDS_HEARTBEAT_MS ?? 10_000);

/**
 * How long a run must have been going before it is recorded (default 3 s): a command that fails at
 * once (a usage error, a missing tool) never touches the store.
 */
export const LIVE_RUN_DELAY_MS = Number(process.env.SHOPFDS_LIVE_DELAY_MS ?? 3_000);

/** A started live run's record in the store. */
export interface LiveRunHandle {
  readonly id: string;
  /**
   * Stops the heartbeat and removes the live record (saving the run removes it as well), then
   * closes the store connection. Safe to call more than once; never throws.
   */
  end(): Promise<void>;
}

/**
 * Records in the store that a live run started and keeps its heartbeat fresh until {@link LiveRunHandle.end}.
 * After a hard kill the heartbeat stops and `db status` shows the run as abandoned. Uses its own
 * store connection; when the store is unreachable nothing is recorded (the run itself will spool).
 *
 * Usage: `const live = beginLiveRun(ctx, start); ctx.onTeardown(() => live.end());`
 * ({@link trackLiveRun} does both).
 */
export function beginLiveRun(ctx: CommandContext, start: RunStart, details: { name?: string; commandLine?: string | null } = {}): LiveRunHandle {
  let store: RunStore | null = null;
  let timer: NodeJS.Timeout | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  let delay: NodeJS.Timeout | null = null;
  const begun = (async () => {
    if (LIVE_RUN_DELAY_MS > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        delay = setTimeout(resolve, LIVE_RUN_DELAY_MS);
        delay.unref();
      });
      if (ended) return;
    }
    try {
      const { openStore } = await import('../store/open.js');
      store = await openStore(ctx.globals.db);
      if (ended) return;
      await store.beginLiveRun({
        id: start.id,
        kind: start.kind,
        name: details.name ?? `${start.kind} run`,
        environment: start.environment,
        executedBy: start.executedBy,
        startedAt: start.startedAt,
        host: hostname(),
        pid: process.pid,
        commandLine: details.commandLine ?? null,
      });
      if (ended) return;
      timer = setInterval(() => {
        store?.heartbeatLiveRun(start.id).catch(() => {});
      }, HEARTBEAT_INTERVAL_MS);
      timer.unref();
    } catch {
      // The store is down or refused: the run itself is spooled at the end; nothing to track.
    }
  })();
  return {
    id: start.id,
    async end() {
      if (ended) return;
      ended = true;
      if (delay) clearTimeout(delay);
      (wake as (() => void) | null)?.();
      await begun;
      if (timer) clearInterval(timer);
      const s = store as RunStore | null;
      if (!s) return;
      await s.endLiveRun(start.id).catch(() => {});
      await s.close().catch(() => {});
    },
  };
}

/** {@link beginLiveRun} plus a teardown that ends it when the command ends (also after Ctrl-C). */
export function trackLiveRun(ctx: CommandContext, start: RunStart, details?: { name?: string; commandLine?: string | null }): LiveRunHandle {
  const handle = beginLiveRun(ctx, start, details);
  tracked.set(start.id, handle);
  ctx.onTeardown(async () => {
    tracked.delete(start.id);
    await handle.end();
  });
  return handle;
}

const tracked = new Map<string, LiveRunHandle>();

/**
 * Ends a tracked live run's record and closes its store connection before the run is saved. With
 * SQLite both connections live in this one thread, and a save that waited for the live connection's
 * lock (its first migration, a heartbeat) would block the very event loop that connection needs to
 * finish: the live connection must be closed first.
 */
export async function endTrackedLiveRun(id: string): Promise<void> {
  const handle = tracked.get(id);
  if (!handle) return;
  tracked.delete(id);
  await handle.end();
}
