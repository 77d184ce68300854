import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, ShopfdsError, UsageError, type Run, type RunInput } from '../../model/index.js';
import { formatColumns } from '../columns.js';
import type { CommandContext } from '../context.js';
import { storeRun } from '../session.js';
import { runTool } from '../run-tool.js';

/** The package root: the example suites ship beside `dist/`. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function demoServeAction(ctx: CommandContext, options: { port?: string; host?: string }): Promise<number> {
  let port: number | undefined;
  if (options.port !== undefined) {
    if (!/^\d+$/.test(options.port) || Number(options.port) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535 (got "${options.port}")`);
    port = Number(options.port);
  }
  const { serveDemo } = await import('../../demo/serve.js');
  let shop;
  try {
    shop = await serveDemo({ port, host: options.host, stdout: ctx.io.stdout as NodeJS.WritableStream });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port ?? 3000} is already in use`, { hint: 'Pick another with --port, or --port 0 for a free one.' });
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new UsageError(`cannot listen on ${options.host ?? '127.0.0.1'}:${port ?? 3000}: ${code}`);
    throw error;
  }
  ctx.onTeardown(() => shop.close());
  // Serve until Ctrl-C or SIGTERM.
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  ctx.err('stopping the demo shop');
  return 0;
}

type SuiteName = 'e2e' | 'api' | 'perf';
const SUITES: readonly SuiteName[] = ['e2e', 'api', 'perf'];

/** One line of the demo summary. */
interface SuiteOutcome {
  readonly item: string;
  readonly result: Run['status'] | 'not run' | 'skipped';
  readonly notes: string;
  readonly runId: string | null;
  readonly exitCode: number;
}

/** The example suite folder in the working directory, else the one shipped with the package. */
function exampleDir(ctx: CommandContext, name: string): string {
  const local = join(ctx.io.cwd, name);
  return existsSync(local) ? local : join(PACKAGE_ROOT, name);
}

function shown(ctx: CommandContext, path: string): string {
  const rel = relative(ctx.io.cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function countsNote(run: Run): string {
  const t = run.totals;
  const parts = [`${t.passed} passed`];
  if (t.failed) parts.push(`${t.failed} failed`);
  if (t.flaky) parts.push(`${t.flaky} flaky`);
  if (t.skipped) parts.push(`${t.skipped} skipped`);
  return `${t.total} cases: ${parts.join(', ')}`;
}

function perfNote(run: Run): string {
  const p = run.perf?.test;
  if (!p) return countsNote(run);
  const fmt = (v: number | null, unit: string) => (v === null ? '-' : `${v}${unit}`);
  return `${fmt(p.actual_tps, ' req/s')}, p95 ${fmt(p.p95_response_time, ' ms')}, p99 ${fmt(p.p99_response_time, ' ms')}, errors ${fmt(p.error_rate, '%')}; ${countsNote(run)}`;
}

function firstFailure(run: Run): string | null {
  if (run.errorMessage) return run.errorMessage.split('\n')[0]!;
  const failed = run.cases.find((c) => c.status === 'failed' || c.status === 'timed_out' || c.status === 'interrupted');
  if (!failed) return null;
  return `${failed.name}${failed.errorMessage ? `: ${failed.errorMessage.split('\n')[0]}` : ''}`;
}

function parseSkip(value: string | undefined): Set<SuiteName> {
  const skip = new Set<SuiteName>();
  if (value === undefined) return skip;
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(SUITES as readonly string[]).includes(part)) throw new UsageError(`--skip takes a comma-separated list of ${SUITES.join(', ')} (got "${part}")`);
    skip.add(part as SuiteName);
  }
  return skip;
}

/**
 * `shopfds-test demo`: starts the demo shop, runs every example suite whose tool is available, stores
 * every run, prints one summary (item, result, notes) and exits with the combined verdict.
 */
export async function demoRunAction(ctx: CommandContext, options: { skip?: string; markdown?: string }): Promise<number> {
  const skip = parseSkip(options.skip);
  if (skip.size === SUITES.length) throw new UsageError(`--skip leaves no suite to run (it names all of ${SUITES.join(', ')})`);
  const { startDemoShop } = await import('../target.js');
  const shop = await startDemoShop(ctx);

  const outcomes: SuiteOutcome[] = [];
  const runs: Run[] = [];

  const record = async (item: string, input: RunInput, note: (run: Run) => string): Promise<void> => {
    const stored = await storeRun(ctx, input);
    if (!stored.ok) throw stored.error;
    const run = stored.run;
    let notes = note(run);
    const failure = run.status === 'passed' ? null : firstFailure(run);
    if (failure) notes += `; ${failure}`;
    if (stored.spooled) notes += '; kept in the spool (store unavailable)';
    runs.push(run);
    outcomes.push({ item, result: run.status, notes, runId: run.id, exitCode: stored.exitCode });
  };

  const attempt = async (item: string, fn: () => Promise<void>): Promise<void> => {
    if (ctx.signal.aborted) {
      outcomes.push({ item, result: 'not run', notes: 'interrupted before it started', runId: null, exitCode: ExitCode.ok });
      return;
    }
    ctx.progress.line(`running ${item}`);
    try {
      await fn();
    } catch (error) {
      if (!(error instanceof ShopfdsError)) throw error;
      outcomes.push({
        item,
        result: 'error',
        notes: `${error.message}${error.hint ? ` (${error.hint})` : ''}`,
        runId: null,
        exitCode: error.exitCode,
      });
    }
  };

  if (skip.has('e2e')) outcomes.push({ item: 'E2E scenarios (Playwright)', result: 'skipped', notes: 'left out with --skip', runId: null, exitCode: 0 });
  else {
    const item = 'E2E scenarios (Playwright)';
    const { resolveBrowsers } = await import('../../adapters/playwright/browsers.js');
    let browserProblem: ShopfdsError | null = null;
    try {
      resolveBrowsers(['chromium'], ctx.io.env);
    } catch (error) {
      if (!(error instanceof ShopfdsError)) throw error;
      browserProblem = error;
    }
    if (browserProblem) {
      outcomes.push({ item, result: 'not run', notes: `${browserProblem.message}${browserProblem.hint ? ` (${browserProblem.hint})` : ''}`, runId: null, exitCode: 0 });
    } else {
      const dir = exampleDir(ctx, 'scenarios');
      await attempt(item, async () => {
        const run = await runTool(ctx, 'playwright', await toolRequest(ctx, 'e2e', { paths: [dir] }), { baseUrl: shop.url, name: 'demo e2e' });
        await record(item, run, (r) => `${shown(ctx, dir)}: ${countsNote(r)}`);
      });
    }
  }

  if (skip.has('api')) outcomes.push({ item: 'API collection (Newman)', result: 'skipped', notes: 'left out with --skip', runId: null, exitCode: 0 });
  else {
    const item = 'API collection (Newman)';
    const collection = join(exampleDir(ctx, 'collections'), 'shopfds-api.postman_collection.json');
    const environment = join(exampleDir(ctx, 'collections'), 'shopfds-local.postman_environment.json');
    await attempt(item, async () => {
      const run = await runTool(ctx, 'newman', await toolRequest(ctx, 'api', { collections: [collection], environment: existsSync(environment) ? environment : undefined }), { baseUrl: shop.url, name: 'demo api' });
      await record(item, run, (r) => {
        const requests = r.api?.suites.reduce((n, s) => n + s.results.length, 0) ?? 0;
        return `${requests} requests, ${countsNote(r)}`;
      });
    });
  }

  if (skip.has('perf')) outcomes.push({ item: 'Load test (k6, Locust)', result: 'skipped', notes: 'left out with --skip', runId: null, exitCode: 0 });
  else {
    // k6 when it is installed, Locust when it is installed, both when both; a missing one is "not run".
    const k6Problem = await toolProblem(ctx, 'k6', await toolRequest(ctx, 'perf', {}));
    const locustProblem = await toolProblem(ctx, 'locust', await toolRequest(ctx, 'perf', {}));
    if (!k6Problem) {
      const item = 'Load test (k6)';
      const script = join(exampleDir(ctx, 'k6'), 'load.js');
      await attempt(item, async () => {
        const run = await runTool(ctx, 'k6', await toolRequest(ctx, 'perf', { script, type: 'load' }), { baseUrl: shop.url, name: 'demo perf' });
        await record(item, run, perfNote);
      });
    }
    if (!locustProblem) {
      const item = 'Load test (Locust)';
      const script = join(exampleDir(ctx, 'locust'), 'shop.py');
      await attempt(item, async () => {
        const run = await runTool(ctx, 'locust', await toolRequest(ctx, 'perf', { script, type: 'load', users: 5, spawnRate: 5, duration: '10s' }), { baseUrl: shop.url, name: 'demo perf (locust)' });
        await record(item, run, perfNote);
      });
    }
    if (k6Problem) outcomes.push({ item: 'Load test (k6)', result: 'not run', notes: `${k6Problem.message}${k6Problem.hint ? `; ${k6Problem.hint}` : ''}`, runId: null, exitCode: 0 });
    if (locustProblem) outcomes.push({ item: 'Load test (Locust)', result: 'not run', notes: `${locustProblem.message}${locustProblem.hint ? `; ${locustProblem.hint}` : ''}`, runId: null, exitCode: 0 });
  }

  ctx.progress.stop();
  if (options.markdown) {
    const { appendFileSync, mkdirSync } = await import('node:fs');
    const { dirname, resolve } = await import('node:path');
    const { getRenderer } = await import('../../report/index.js');
    const md = await getRenderer('markdown');
    const target = resolve(ctx.io.cwd, options.markdown);
    mkdirSync(dirname(target), { recursive: true });
    for (const run of runs) appendFileSync(target, md.render(run, { color: false }));
  }

  // A suite ran when one of its items produced a run or a tool error; "passed" needs one that ran.
  const considered = SUITES.filter((s) => !skip.has(s));
  const ran = considered.filter((s) => outcomes.some((o) => suiteOf(o.item) === s && o.result !== 'not run' && o.result !== 'skipped'));
  const notRun = outcomes.filter((o) => o.result === 'not run' && !ran.includes(suiteOf(o.item)));
  let exitCode = combinedExitCode(outcomes);
  if (ran.length === 0 && (exitCode === ExitCode.ok || exitCode === ExitCode.store)) exitCode = ExitCode.tool;
  const partly = ran.length < considered.length ? ` (${ran.length} of ${considered.length} suites ran)` : '';
  const verdict =
    ran.length === 0
      ? 'did not run: no suite could run (install a missing tool, see NOTES)'
      : exitCode === 0
        ? `passed${partly}`
        : exitCode === ExitCode.store
          ? `passed (store unavailable)${partly}`
          : `failed${partly}`;
  if (ran.length === 0) {
    for (const o of notRun) ctx.err(`shopfds-test: ${o.item} not run: ${o.notes}`);
  }
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ shop: shop.url, verdict, exitCode, suites: outcomes.map(({ exitCode: _e, ...o }) => o) }, null, 2));
  } else {
    ctx.out('');
    ctx.out(
      formatColumns(
        ['ITEM', 'RESULT', 'NOTES'],
        outcomes.map((o) => [o.item, o.result === 'passed' ? 'passed' : o.result, o.notes + (o.runId ? ` (run ${o.runId.slice(0, 8)})` : '')]),
      ),
    );
    if (notRun.length) {
      ctx.out('');
      ctx.out(`Not run: ${notRun.map((o) => `${o.item} (${o.notes.split(/[;(]/)[0]!.trim()})`).join(', ')}.`);
    }
    ctx.out('');
    ctx.out(`demo ${verdict}. See a run with "shopfds-test runs show <id>", all runs with "shopfds-test runs list".`);
  }
  return exitCode;
}

/** The suite a summary item belongs to. */
function suiteOf(item: string): SuiteName {
  return item.startsWith('E2E') ? 'e2e' : item.startsWith('API') ? 'api' : 'perf';
}

/** The worst of the suites' exit codes: interrupted, then tool errors, then failures, then store problems. */
function combinedExitCode(outcomes: readonly SuiteOutcome[]): number {
  const codes = outcomes.map((o) => o.exitCode);
  for (const code of [ExitCode.sigint, ExitCode.sigterm, ExitCode.failed, ExitCode.tool, ExitCode.usage, ExitCode.store]) {
    if (codes.includes(code)) return code;
  }
  return ExitCode.ok;
}

/** Whether a tool can run here: null, or the tool-missing error that says how to install it. */
async function toolProblem(ctx: CommandContext, name: string, plan: unknown): Promise<ShopfdsError | null> {
  const { getAdapter } = await import('../../adapters/registry.js');
  const adapter = await getAdapter(name);
  try {
    await adapter.detect({ cwd: ctx.io.cwd, env: ctx.io.env }, plan);
    return null;
  } catch (error) {
    if (error instanceof ShopfdsError) return error;
    throw error;
  }
}

/** A suite's request: the given values over the command's config keys (the same option table as the command). */
async function toolRequest(ctx: CommandContext, command: 'e2e' | 'api' | 'perf', given: Record<string, unknown>): Promise<Record<string, unknown>> {
  const [{ normalizeOptions }, { runCommandSpec }] = await Promise.all([import('../run-options.js'), import('../run-commands.js')]);
  const table = runCommandSpec(command)!.table;
  return { ...given, ...normalizeOptions([table], given, { env: ctx.io.env, config: ctx.globals.config }) };
}
