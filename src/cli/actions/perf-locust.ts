import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InterruptedError, ShopfdsError, redactSecrets, type RunInput } from '../../model/index.js';
import type { CommandContext } from '../context.js';
import { startRun } from '../session.js';

/*
 * `perf --tool locust` until the run pipeline drives every adapter: the steps of the pipeline
 * (resolve, detect, start, target, work dir, invoke, progress, parse) over the Locust adapter.
 */

/** What `perf --tool locust` (and `demo`) asks for; flag values arrive as strings. */
export interface LocustPerfRequest extends Omit<import('../../adapters/locust/index.js').LocustRequest, 'intervalMs' | 'locustPath'> {
  /** Series bucket (`1s`, `500ms`); default config perf.intervalSec or 1 s. */
  readonly interval?: string | undefined;
  readonly env?: string | undefined;
  readonly name?: string | undefined;
  readonly runGroup?: string | null | undefined;
}

/** Whether Locust can run here; the demo uses it to decide whether its load test runs. */
export type LocustAvailability =
  | { readonly available: true; readonly path: string; readonly version: string | null }
  | { readonly available: false; readonly reason: string; readonly hint: string };

/** Finds Locust without throwing. */
export async function detectLocust(ctx: CommandContext): Promise<LocustAvailability> {
  const { detectLocust: detect } = await import('../../adapters/locust/index.js');
  try {
    const found = await detect(ctx.io, ctx.globals.config.perf?.locustPath);
    return { available: true, path: found.path, version: found.version };
  } catch (error) {
    if (error instanceof ShopfdsError) return { available: false, reason: error.message, hint: error.hint ?? '' };
    throw error;
  }
}

/**
 * The tool's version, remembered in `.shopfds/cache/tool-versions.json` by executable path, size
 * and modification time: `locust --version` starts Python and imports Locust (half a second or
 * more), which a run should not pay every time.
 */
async function cachedVersion(ctx: CommandContext, path: string, probe: () => Promise<string | null>): Promise<string | null> {
  const { readFileSync, realpathSync, statSync, writeFileSync } = await import('node:fs');
  const file = join(ctx.globals.stateDir, 'cache', 'tool-versions.json');
  let key: string;
  try {
    const real = realpathSync(path);
    const st = statSync(real);
    key = `${real}:${st.size}:${st.mtimeMs}`;
  } catch {
    return probe();
  }
  let cache: Record<string, string | null> = {};
  try {
    cache = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null>;
  } catch {
    // none yet, or unreadable: probe again
  }
  if (typeof cache[key] === 'string') return cache[key]!;
  const version = await probe();
  if (version !== null) {
    try {
      mkdirSync(join(ctx.globals.stateDir, 'cache'), { recursive: true });
      writeFileSync(file, JSON.stringify({ ...cache, [key]: version }));
    } catch {
      // a cache that cannot be written only costs the next probe
    }
  }
  return version;
}

/**
 * Runs one locustfile headless and returns the complete run (not yet saved). Ctrl-C stops Locust
 * with one SIGINT (it still writes its statistics) and returns the partial run as interrupted.
 */
export async function runLocustSuite(ctx: CommandContext, request: LocustPerfRequest): Promise<RunInput> {
  const { parseInterval } = await import('../../adapters/k6/index.js');
  const { adapter, finalCsvPluginPath, readLocustCapture, locustArtifacts, findLocustPath, probeLocustVersion } = await import('../../adapters/locust/index.js');
  const intervalMs = request.interval !== undefined ? parseInterval(request.interval) : (ctx.globals.config.perf?.intervalSec ?? 1) * 1000;
  const plan = adapter.resolve({ ...request, intervalMs, locustPath: ctx.globals.config.perf?.locustPath }, ctx.io);
  // detect in two halves: the executable now (a missing Locust fails before anything starts), the
  // version beside the test run.
  const locustPath = await findLocustPath(ctx.io, plan.locustPath);
  const versionProbe = cachedVersion(ctx, locustPath, () => probeLocustVersion(ctx.io, locustPath));
  ctx.onTeardown(() => versionProbe.then(() => undefined));
  const tool = { path: locustPath };
  const start = startRun(ctx, 'perf', { env: request.env, runGroup: request.runGroup });
  const { resolveTarget } = await import('../target.js');
  const target = await resolveTarget(ctx, adapter.target(plan, { baseUrl: undefined }).baseUrl);

  const workDir = join(ctx.globals.stateDir, 'work', start.id);
  mkdirSync(workDir, { recursive: true });
  const plugin = finalCsvPluginPath();
  const invocation = adapter.buildInvocation(plan, { cwd: ctx.io.cwd, workDir, baseUrl: target.baseUrl, locustPath: tool.path, plugin: existsSync(plugin) ? plugin : null });
  if (ctx.globals.debug) ctx.err(`shopfds-test: ${redactSecrets(invocation.commandLine)}`);
  if (ctx.signal.aborted) throw new InterruptedError(ctx.interruptedBy() ?? 'SIGINT');

  let lastLine = Date.now();
  const plain = !ctx.globals.interactive && !ctx.globals.json;
  const processCapture = await adapter.execute(
    invocation,
    {
      cwd: ctx.io.cwd,
      env: ctx.io.env,
      signal: ctx.signal,
      emit(event) {
        const text = adapter.describe(event);
        if (text === null) return;
        if (event.type === 'note') ctx.progress.line(text);
        else {
          ctx.progress.update(text);
          if (plain && event.type === 'sample' && Date.now() - lastLine >= 10_000) {
            ctx.progress.line(text);
            lastLine = Date.now();
          }
        }
      },
    },
    plan,
  );
  ctx.progress.stop();
  const toolVersion = await versionProbe;
  const capture = await readLocustCapture(processCapture, toolVersion);
  const run = adapter.parse({ ...capture, interrupted: capture.interrupted || ctx.signal.aborted }, plan, {
    id: start.id,
    name: request.name ?? plan.scenario,
    startedAt: start.startedAt,
    completedAt: new Date().toISOString(),
    environment: start.environment,
    trigger: start.trigger,
    executedBy: start.executedBy,
    ci: start.ci,
    runGroup: start.runGroup,
    toolVersion,
    commandLine: invocation.commandLine,
    artifacts: locustArtifacts(processCapture.files, ctx.io.cwd),
  });
  const tps = run.perf?.test.actual_tps;
  const targetTps = plan.criteria.targetTps;
  if (targetTps !== null && tps !== null && tps !== undefined && tps < targetTps) {
    ctx.progress.line(`shopfds-test: actual throughput ${tps} req/s is below --target-tps ${targetTps}${plan.criteria.failUnderTarget ? '' : ' (add --fail-under-target to fail the run)'}`);
  }
  return run;
}
