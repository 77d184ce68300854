import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, applyQuarantine, checkP95, parsePercent, withBaselineCase, type RunInput } from '../model/index.js';
import type { RunStore } from '../store/types.js';
import type { CommandContext } from './context.js';

/*
 * The history's hooks into the run path, one call each: quarantine before the verdict becomes an
 * exit code, retention after a run is saved, the performance baseline before a perf run is finished.
 */

async function withStore<T>(ctx: CommandContext, fn: (store: RunStore) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store/open.js');
  const store = await openStore(ctx.globals.db);
  try {
    return await fn(store);
  } finally {
    await store.close().catch(() => {});
  }
}

/**
 * Marks the run's failing cases that the store's quarantine list matches. When the store cannot
 * be read, nothing is quarantined (the failures count) and a warning says so.
 */
export async function quarantineRun(ctx: CommandContext, input: RunInput): Promise<RunInput> {
  if (!input.cases.some((c) => c.status === 'failed' || c.status === 'timed_out' || c.status === 'interrupted')) return input;
  try {
    const entries = await withStore(ctx, (store) => store.listQuarantine());
    return applyQuarantine(input, entries, new Date().toISOString());
  } catch (error) {
    ctx.err(`shopfds-test: could not read the quarantine list (${(error as Error).message}); every failure counts`);
    return input;
  }
}

/** Removes `<artifactsDir>/<run id>` and `<stateDir>/work/<run id>` of deleted runs. */
export function removeRunFolders(ctx: CommandContext, runIds: readonly string[]): number {
  let removed = 0;
  for (const id of runIds) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) continue;
    for (const dir of [join(ctx.globals.artifactsDir, id), join(ctx.globals.stateDir, 'work', id)]) {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
        removed++;
      } catch {
        // A folder that cannot be removed stays; db stats shows the disk use.
      }
    }
  }
  return removed;
}

/** Config `retention.days`: prunes the history after a run was saved. Failures only warn. */
export async function applyRetention(ctx: CommandContext): Promise<void> {
  const retention = ctx.globals.config.retention;
  if (!retention?.days) return;
  try {
    const before = new Date(Date.now() - retention.days * 86_400_000).toISOString();
    const result = await withStore(ctx, (store) =>
      store.prune({ before, keepLast: retention.keepLast, onBatch: (ids) => void removeRunFolders(ctx, ids) }),
    );
    if (result.runs) ctx.progress.line(`shopfds-test: retention (${retention.days} days): pruned ${result.runs} run(s) and ${result.cases} case(s)`);
  } catch (error) {
    ctx.err(`shopfds-test: retention could not prune the history: ${(error as Error).message}`);
  }
}

export interface BaselineOptions {
  /** A run id (or unique prefix), or `last-passed`: the newest passed perf run of the same name. */
  readonly baseline?: string;
  /** `10%` (default 10%). */
  readonly maxRegression?: string;
}

/**
 * `perf --baseline <run|last-passed> --max-regression 10%`: compares the run's p95 with the
 * baseline's and adds the result as a case, which fails the run on a regression.
 */
export async function checkPerfBaseline(ctx: CommandContext, input: RunInput, options: BaselineOptions): Promise<RunInput> {
  if (input.kind !== 'perf') return input;
  if (options.baseline === undefined) {
    if (options.maxRegression !== undefined) throw new UsageError('--max-regression needs --baseline <run-id|last-passed>');
    return input;
  }
  const max = parsePercent(options.maxRegression ?? '10%');
  if (max === null) throw new UsageError(`--max-regression must be a percentage such as 10% (got "${options.maxRegression}")`);
  const p95 = input.perf?.test.p95_response_time ?? null;
  if (p95 === null || p95 === undefined) {
    ctx.err('shopfds-test: the run has no p95 response time; the baseline was not checked');
    return input;
  }
  const found = await withStore(ctx, async (store) => {
    let runId: string | null = null;
    if (options.baseline === 'last-passed') {
      const [last] = await store.listRuns({ kind: 'perf', status: 'passed', name: input.name, before: input.startedAt, limit: 1 });
      runId = last?.id ?? null;
    } else {
      const run = await store.getRun(options.baseline!);
      if (run && run.kind !== 'perf') throw new UsageError(`--baseline ${options.baseline} is a ${run.kind} run, not a perf run`);
      runId = run?.id ?? null;
      if (!runId) throw new UsageError(`--baseline: no run with id "${options.baseline}" in ${store.location}`);
    }
    return runId ? { runId, figures: await store.perfFigures(runId) } : null;
  });
  if (!found) {
    ctx.err(`shopfds-test: no earlier passed perf run named "${input.name}"; this run becomes the first baseline`);
    return input;
  }
  if (found.figures?.p95 === null || found.figures?.p95 === undefined) {
    ctx.err(`shopfds-test: baseline run ${found.runId} has no p95; the baseline was not checked`);
    return input;
  }
  const check = checkP95(found.runId, found.figures.p95, p95, max);
  ctx.progress.line(
    `shopfds-test: p95 ${p95} ms vs baseline ${found.figures.p95} ms (run ${found.runId.slice(0, 8)}): ${check.regressed ? 'REGRESSION' : 'ok'}, allowed +${max}%`,
  );
  return withBaselineCase(input, check);
}
