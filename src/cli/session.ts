import { randomUUID } from 'node:crypto';
import {
  ExitCode,
  ShopfdsError,
  StoreError,
  ToolError,
  UsageError,
  ERROR_CODES,
  errorLine,
  ENVIRONMENTS,
  validateRun,
  redactRunSecrets,
  quarantineClearsRun,
  type Environment,
  type Run,
  type RunInput,
  type RunKind,
  type RunStart,
} from '../model/index.js';
import type { RunStore } from '../store/types.js';
import type { CommandContext } from './context.js';
import { endTrackedLiveRun, trackLiveRun } from './live-run.js';

export type { RunStart } from '../model/index.js';

/** Checks an `--env` value. */
export function parseEnvironment(value: string | undefined, fallback: Environment): Environment {
  if (value === undefined) return fallback;
  if (!(ENVIRONMENTS as readonly string[]).includes(value)) {
    throw new UsageError(`--env must be one of ${ENVIRONMENTS.join(', ')} (got "${value}")`);
  }
  return value as Environment;
}

/**
 * Starts a run: id, start time, who, where, CI metadata. Also records the run as live in the store,
 * with a heartbeat, until the command ends (see live-run.ts).
 */
export function startRun(ctx: CommandContext, kind: RunKind, options: { env?: string; runGroup?: string | null } = {}): RunStart {
  const { globals } = ctx;
  const start: RunStart = {
    id: randomUUID(),
    kind,
    startedAt: new Date().toISOString(),
    environment: parseEnvironment(options.env, globals.defaultEnvironment),
    trigger: globals.ci ? 'ci' : 'manual',
    executedBy: globals.executedBy,
    ci: globals.ci,
    runGroup: options.runGroup ?? globals.ci?.buildId ?? null,
  };
  trackLiveRun(ctx, start);
  return start;
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
  readonly html?: string;
}

/** The exit code a run's verdict maps to. */
export function exitCodeFor(run: Pick<Run, 'status'> & Partial<Pick<Run, 'cases' | 'errorMessage'>>, interruptedBy: 'SIGINT' | 'SIGTERM' | null): number {
  switch (run.status) {
    case 'passed':
      return ExitCode.ok;
    case 'failed':
      // Every failure quarantined: stored and reported, but CI is not failed by known-flaky cases.
      return 'cases' in run && quarantineClearsRun(run as Run) ? ExitCode.ok : ExitCode.failed;
    case 'error':
      return ExitCode.tool;
    case 'interrupted':
      return interruptedBy === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint;
  }
}

/** Saves a run, or spools it when the store fails. Returns the spool file when it was spooled. */
export async function saveOrSpool(ctx: CommandContext, given: Run): Promise<{ spooled: string | null; error: string | null }> {
  let store: RunStore | undefined;
  // A plan step's run is a child of the plan run.
  const run: Run = ctx.planStep ? { ...given, parentRunId: ctx.planStep.parentRunId } : given;
  await endTrackedLiveRun(run.id);
  try {
    const { openStore } = await import('../store/open.js');
    store = await openStore(ctx.globals.db);
    await store.saveRun(run);
    ctx.planStep?.stored(run, false);
    return { spooled: null, error: null };
  } catch (error) {
    // A refused database (newer schema) is still a store failure: keep the run.
    const { spoolRun } = await import('../store/spool.js');
    const file = spoolRun(ctx.globals.stateDir, run);
    const message = error instanceof ShopfdsError ? error.message : `the result store failed: ${(error as Error).message}`;
    ctx.planStep?.stored(run, true);
    return { spooled: file, error: message };
  } finally {
    await store?.close().catch(() => {});
  }
}

/** Staged cases up to this size are saved (or spooled) as one run in memory, as any run is; larger ones streamed. */
const STAGED_INLINE_BYTES = 4 * 1024 * 1024;

/**
 * Saves a run whose cases are in a staged file (an import), or spools it when the store fails. A run
 * of ordinary size is read back and goes through {@link saveOrSpool} like any run (one spool file);
 * a larger one is stored from the file in batches (RunStore.saveRunWithCases), or spooled with its
 * cases file apart. The staged file is gone afterwards either way.
 */
export async function saveOrSpoolStaged(ctx: CommandContext, given: Run, casesFile: string): Promise<{ spooled: string | null; error: string | null }> {
  const { readStagedCases } = await import('../store/staged-run.js');
  const { rmSync, statSync } = await import('node:fs');
  if (statSync(casesFile).size <= STAGED_INLINE_BYTES) {
    const cases = [];
    for await (const c of readStagedCases(casesFile)) cases.push(c);
    cases.sort((a, b) => a.ordinal - b.ordinal);
    rmSync(casesFile, { force: true });
    return saveOrSpool(ctx, { ...given, cases });
  }
  // A plan step's run is a child of the plan run (as saveOrSpool does for runs held in memory).
  const planStep = ctx.planStep;
  const run: Run = planStep ? { ...given, parentRunId: planStep.parentRunId } : given;
  let store: RunStore | undefined;
  await endTrackedLiveRun(run.id);
  try {
    const { openStore } = await import('../store/open.js');
    store = await openStore(ctx.globals.db);
    await store.saveRunWithCases(run, () => readStagedCases(casesFile));
    rmSync(casesFile, { force: true });
    planStep?.stored(run, false);
    return { spooled: null, error: null };
  } catch (error) {
    const { spoolStreamedRun } = await import('../store/spool.js');
    const file = spoolStreamedRun(ctx.globals.stateDir, run, casesFile);
    const message = error instanceof ShopfdsError ? error.message : `the result store failed: ${(error as Error).message}`;
    planStep?.stored(run, true);
    return { spooled: file, error: message };
  } finally {
    await store?.close().catch(() => {});
  }
}

/** A validated run and where it went, or why it could not be validated (it was spooled with the reason). */
export type StoredRun =
  | { readonly ok: true; readonly run: Run; readonly exitCode: number; readonly spooled: string | null; readonly storeError: string | null }
  | { readonly ok: false; readonly error: ShopfdsError; readonly file: string };

/**
 * Validates a run and saves it, spooling it when the store fails. A run that breaks the model's
 * rules is never thrown away: it is kept in the spool's `invalid/` folder with the reasons, and
 * comes back as an E_RUN_INVALID error (exit 3: the tool's output could not be made a valid run).
 */
export async function storeRun(ctx: CommandContext, input: RunInput): Promise<StoredRun> {
  const { quarantineRun, applyRetention } = await import('./history-hooks.js');
  const redacted = redactRunSecrets(await quarantineRun(ctx, input));
  const checked = validateRun(redacted);
  if (!checked.ok) {
    const { spoolInvalidRun } = await import('../store/spool.js');
    const file = spoolInvalidRun(ctx.globals.stateDir, redacted, checked.issues);
    const error = new ToolError(`the ${input.kind} run failed validation (${checked.issues.length} problem${checked.issues.length === 1 ? '' : 's'}: ${checked.issues[0]}); it was kept in ${file}`, {
      code: ERROR_CODES.invalidRun,
      hint: 'The reasons are in the file next to the run. This is a bug in shopfds-test or the tool adapter; please report it with that file.',
    });
    return { ok: false, error, file };
  }
  const run = checked.run;
  const saved = await saveOrSpool(ctx, run);
  if (!saved.spooled) await applyRetention(ctx);
  let exitCode = exitCodeFor(run, ctx.interruptedBy());
  if (saved.spooled) {
    ctx.err(errorLine(ERROR_CODES.store, saved.error ?? 'the result store failed'));
    ctx.err(`  The run was kept in ${saved.spooled}; push it with "shopfds-test db sync" once the store is back.`);
    if (exitCode === ExitCode.ok) exitCode = ExitCode.store;
  }
  if (ctx.globals.pushgateway) {
    // After the run is stored (or spooled): a Pushgateway that is down costs a warning, never the run.
    const { pushRunMetrics } = await import('./prometheus.js');
    const pushed = await pushRunMetrics(ctx.globals.pushgateway, run);
    if (pushed.problem) ctx.err(`shopfds-test: warning: ${pushed.problem} (the run is stored; its metrics were not pushed)`);
    else if (pushed.pushed > 0) ctx.progress.line(`pushed ${pushed.pushed} metric${pushed.pushed === 1 ? '' : 's'} to the Pushgateway`);
  }
  return { ok: true, run, exitCode, spooled: saved.spooled, storeError: saved.error };
}

/**
 * Ends a run-producing command: validates the run, saves it (spooling it when the store fails),
 * prints the summary (or JSON), writes report files, and returns the exit code.
 */
export async function finishRun(ctx: CommandContext, input: RunInput, options: FinishOptions = {}): Promise<number> {
  const stored = await storeRun(ctx, input);
  if (!stored.ok) throw stored.error;
  const run = stored.run;
  let exitCode = stored.exitCode;

  const { getRenderer } = await import('../report/index.js');
  // A plan step: the plan prints one summary for all its steps.
  if (!ctx.planStep) {
    const renderOptions = { color: ctx.globals.color, width: ctx.io.stdout.columns };
    const main = await getRenderer(ctx.globals.json ? 'json' : 'table');
    ctx.io.stdout.write(main.render(run, renderOptions));
  }
  await printGithubAnnotations(ctx, run);

  for (const [format, file] of [
    ['junit', options.junit],
    ['markdown', options.markdown],
  ] as const) {
    if (!file) continue;
    try {
      const renderer = await getRenderer(format);
      const { writeReportFile } = await import('./report-file.js');
      writeReportFile(ctx, file, renderer.render(run, { color: false }), { append: format === 'markdown', what: `${format} report` });
    } catch (error) {
      ctx.err(errorLine(ERROR_CODES.reportWrite, `could not write the ${format} report to ${file}: ${(error as Error).message}`));
      if (exitCode === ExitCode.ok) exitCode = ExitCode.tool;
    }
  }
  if (options.html) {
    try {
      const { checkReportTarget, writeReportFile } = await import('./report-file.js');
      const target = checkReportTarget(ctx, options.html, 'html report');
      const [{ renderRunHtml }, { fileArtifactLinks }] = await Promise.all([import('../report/html.js'), import('./html-links.js')]);
      writeReportFile(ctx, target, renderRunHtml(run, { artifacts: fileArtifactLinks(ctx.io.cwd, target) }), { what: 'html report' });
    } catch (error) {
      ctx.err(errorLine(ERROR_CODES.reportWrite, `could not write the html report to ${options.html}: ${(error as Error).message}`));
      if (exitCode === ExitCode.ok) exitCode = ExitCode.tool;
    }
  }
  return exitCode;
}

/**
 * On GitHub Actions, one `::error file=,line=::` annotation per failed case (to stderr with --json,
 * so stdout stays one JSON document; the runner reads workflow commands from both).
 */
export async function printGithubAnnotations(ctx: CommandContext, run: Run): Promise<void> {
  if (ctx.io.env.GITHUB_ACTIONS !== 'true') return;
  const { githubAnnotations } = await import('../report/github.js');
  const lines = githubAnnotations(run, { cwd: ctx.io.cwd });
  if (!lines.length) return;
  (ctx.globals.json ? ctx.io.stderr : ctx.io.stdout).write(`${lines.join('\n')}\n`);
}

/** Turns a thrown store error from a read command into a StoreError with a hint. */
export function asStoreError(error: unknown): never {
  if (error instanceof ShopfdsError) throw error;
  throw new StoreError(`the result store failed: ${(error as Error).message}`, { cause: error });
}
