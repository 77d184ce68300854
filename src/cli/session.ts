import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  ExitCode,
  ShopfdsError,
  StoreError,
  UsageError,
  ENVIRONMENTS,
  validateRun,
  redactRunSecrets,
  type Environment,
  type Run,
  type RunInput,
  type RunKind,
  type RunStart,
} from '../model/index.js';
import type { RunStore } from '../store/types.js';
import type { CommandContext } from './context.js';

export type { RunStart } from '../model/index.js';

/** Checks an `--env` value. */
export function parseEnvironment(value: string | undefined, fallback: Environment): Environment {
  if (value === undefined) return fallback;
  if (!(ENVIRONMENTS as readonly string[]).includes(value)) {
    throw new UsageError(`--env must be one of ${ENVIRONMENTS.join(', ')} (got "${value}")`);
  }
  return value as Environment;
}

/** Starts a run: id, start time, who, where, CI metadata. */
export function startRun(ctx: CommandContext, kind: RunKind, options: { env?: string; runGroup?: string | null } = {}): RunStart {
  const { globals } = ctx;
  return {
    id: randomUUID(),
    kind,
    startedAt: new Date().toISOString(),
    environment: parseEnvironment(options.env, globals.defaultEnvironment),
    trigger: globals.ci ? 'ci' : 'manual',
    executedBy: globals.executedBy,
    ci: globals.ci,
    runGroup: options.runGroup ?? globals.ci?.buildId ?? null,
  };
}

/** Opens the configured store and closes it when the action ends. */
export async function openContextStore(ctx: CommandContext): Promise<RunStore> {
  const { openStore } = await import('../store/open.js');
  const store = await openStore(ctx.globals.db);
  ctx.onTeardown(() => store.close());
  return store;
}

export { addRunOutputOptions } from './options.js';

export interface FinishOptions {
  readonly junit?: string;
  readonly markdown?: string;
}

/** The exit code a run's verdict maps to. */
export function exitCodeFor(run: Pick<Run, 'status'>, interruptedBy: 'SIGINT' | 'SIGTERM' | null): number {
  switch (run.status) {
    case 'passed':
      return ExitCode.ok;
    case 'failed':
      return ExitCode.failed;
    case 'error':
      return ExitCode.tool;
    case 'interrupted':
      return interruptedBy === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint;
  }
}

/** Saves a run, or spools it when the store fails. Returns the spool file when it was spooled. */
export async function saveOrSpool(ctx: CommandContext, run: Run): Promise<{ spooled: string | null; error: string | null }> {
  let store: RunStore | undefined;
  try {
    const { openStore } = await import('../store/open.js');
    store = await openStore(ctx.globals.db);
    await store.saveRun(run);
    return { spooled: null, error: null };
  } catch (error) {
    // A refused database (newer schema) is still a store failure: keep the run.
    const { spoolRun } = await import('../store/spool.js');
    const file = spoolRun(ctx.globals.stateDir, run);
    const message = error instanceof ShopfdsError ? error.message : `the result store failed: ${(error as Error).message}`;
    return { spooled: file, error: message };
  } finally {
    await store?.close().catch(() => {});
  }
}

/**
 * Ends a run-producing command: validates the run, saves it (spooling it when the store fails),
 * prints the summary (or JSON), writes report files, and returns the exit code.
 */
export async function finishRun(ctx: CommandContext, input: RunInput, options: FinishOptions = {}): Promise<number> {
  const checked = validateRun(redactRunSecrets(input));
  if (!checked.ok) {
    throw new Error(`the ${input.kind} run failed validation:\n  ${checked.issues.join('\n  ')}`);
  }
  const run = checked.run;
  let exitCode = exitCodeFor(run, ctx.interruptedBy());

  const saved = await saveOrSpool(ctx, run);
  const { getRenderer } = await import('../report/index.js');
  const renderOptions = { color: ctx.globals.color, width: ctx.io.stdout.columns };
  const main = await getRenderer(ctx.globals.json ? 'json' : 'table');
  ctx.io.stdout.write(main.render(run, renderOptions));

  for (const [format, file] of [
    ['junit', options.junit],
    ['markdown', options.markdown],
  ] as const) {
    if (!file) continue;
    try {
      const renderer = await getRenderer(format);
      const target = resolve(ctx.io.cwd, file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, renderer.render(run, { color: false }), format === 'markdown' ? { flag: 'a' } : undefined);
    } catch (error) {
      ctx.err(`shopfds-test: could not write the ${format} report to ${file}: ${(error as Error).message}`);
      if (exitCode === ExitCode.ok) exitCode = ExitCode.tool;
    }
  }

  if (saved.spooled) {
    ctx.err(`shopfds-test: ${saved.error}`);
    ctx.err(`  The run was kept in ${saved.spooled}; push it with "shopfds-test db sync" once the store is back.`);
    if (exitCode === ExitCode.ok) exitCode = ExitCode.store;
  }
  return exitCode;
}

/** Turns a thrown store error from a read command into a StoreError with a hint. */
export function asStoreError(error: unknown): never {
  if (error instanceof ShopfdsError) throw error;
  throw new StoreError(`the result store failed: ${(error as Error).message}`, { cause: error });
}
