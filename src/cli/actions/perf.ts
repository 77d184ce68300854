import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InterruptedError, ShopfdsError, ToolError, UsageError, formatDurationText, redactSecrets, type Artifact, type RunInput } from '../../model/index.js';
import type { K6JsonStream, LiveStats } from '../../adapters/k6/stream.js';
import type { K6Summary } from '../../adapters/k6/summary.js';
import type { PerfType } from '../../adapters/k6/run.js';
import type { CommandContext } from '../context.js';
import { finishRun, startRun } from '../session.js';
import { parseDurationOption } from '../parse.js';

/** What `shopfds-test perf` (and `shopfds-test demo`) asks for. Flag values arrive as strings. */
export interface PerfRequest {
  /** A script path, or a name resolved to `k6/<name>.js` (the working directory first, then the bundled scripts). */
  readonly script: string;
  /** load | spike | soak | stress; default from the script name, else load. */
  readonly type?: string | undefined;
  readonly targetTps?: number | string | undefined;
  readonly failUnderTarget?: boolean | undefined;
  readonly vus?: number | string | undefined;
  /** k6 duration (`30s`, `5m`, `1h30m`). */
  readonly duration?: string | undefined;
  /** `KEY=VALUE` script variables (k6 -e). */
  readonly scriptEnv?: readonly string[] | undefined;
  /** Passed as `-e BASE_URL=`; without it (and without config baseUrl or -e BASE_URL=) the demo shop is started. */
  readonly baseUrl?: string | undefined;
  /** Series bucket (`1s`, `500ms`); default config perf.intervalSec or 1 s. */
  readonly interval?: string | undefined;
  /** local | staging | production. */
  readonly env?: string | undefined;
  readonly name?: string | undefined;
  readonly runGroup?: string | null | undefined;
}

export interface PerfActionOptions extends Omit<PerfRequest, 'script'> {
  readonly junit?: string;
  readonly markdown?: string;
}

/** Whether k6 can run here; the demo uses it to decide whether perf runs. */
export type K6Availability =
  | { readonly available: true; readonly path: string; readonly version: string | null }
  | { readonly available: false; readonly reason: string; readonly hint: string };

/**
 * Finds k6 (SHOPFDS_K6_PATH, config perf.k6Path, or PATH) and its version (`k6 version`), or throws
 * a ToolError (exit 3) that says how to install it.
 */
export async function detectK6Binary(ctx: CommandContext): Promise<{ path: string; version: string | null }> {
  const [{ findK6, runK6Version }, { K6_INSTALL_HINT, parseK6Version }] = await Promise.all([import('../../exec/k6.js'), import('../../adapters/k6/invocation.js')]);
  const found = findK6(ctx.io.env, ctx.io.cwd, ctx.globals.config.perf?.k6Path);
  if (!found.path) {
    throw new ToolError(found.from === 'PATH' ? 'k6 is not installed (no "k6" on PATH)' : `k6 not found: ${found.from} is not an executable file`, { hint: K6_INSTALL_HINT });
  }
  const version = await runK6Version(found.path, ctx.io.env, ctx.io.cwd);
  if ('problem' in version) throw new ToolError(version.problem, { hint: K6_INSTALL_HINT });
  return { path: found.path, version: parseK6Version(version.stdout) };
}

/** Finds k6 without throwing; the demo uses it to decide whether perf runs. */
export async function detectK6(ctx: CommandContext): Promise<K6Availability> {
  try {
    const found = await detectK6Binary(ctx);
    return { available: true, path: found.path, version: found.version };
  } catch (error) {
    if (error instanceof ShopfdsError) return { available: false, reason: error.message, hint: error.hint ?? '' };
    throw error;
  }
}

interface ResolvedPerfRequest {
  readonly script: string;
  /** As shown and stored: relative to the working directory when inside it. */
  readonly scriptShown: string;
  readonly scenario: string;
  readonly type: PerfType;
  readonly targetTps: number | null;
  readonly failUnderTarget: boolean;
  readonly vus: number | undefined;
  readonly duration: string | undefined;
  readonly scriptEnv: ReadonlyArray<readonly [string, string]>;
  readonly intervalMs: number;
}

const TYPES: readonly PerfType[] = ['load', 'spike', 'soak', 'stress'];

function bundledScriptsDir(): string {
  // dist/cli/actions/perf.js -> <package>/k6
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../k6');
}

function shown(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function positiveInt(flag: string, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a positive whole number (got "${text}")`);
  return Number(text);
}

/** `--interval`: `500ms`, `1s`, `1m`, or a number of seconds. */
export function parseInterval(value: string): number {
  return parseDurationOption('--interval', value, { minMs: 10, example: '500ms, 1s or 1m' });
}

/**
 * `--duration` for k6: the one grammar (a bare number is seconds). What k6 reads as is goes to it
 * unchanged; days, weeks and bare numbers are spelt out in hours, minutes and seconds.
 */
export function k6Duration(value: string): string {
  const ms = parseDurationOption('--duration', value, { noun: 'a k6 duration', example: '30s, 5m or 1h30m' });
  return /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(value.trim()) ? value.trim() : formatDurationText(ms);
}

function resolveScript(ctx: CommandContext, given: string): string {
  const cwd = ctx.io.cwd;
  const looksLikePath = /[\\/]/.test(given) || /\.(js|mjs|cjs|ts|tar)$/.test(given);
  if (looksLikePath) {
    const file = resolve(cwd, given);
    if (!existsSync(file)) throw new UsageError(`k6 script not found: ${given}`);
    if (!statSync(file).isFile()) throw new UsageError(`k6 script is not a file: ${given}`);
    return file;
  }
  const dirs = [resolve(cwd, ctx.globals.config.perf?.scripts ?? 'k6'), bundledScriptsDir()];
  for (const dir of dirs) {
    const file = join(dir, `${given}.js`);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  const names = new Set<string>();
  for (const dir of dirs) {
    try {
      for (const f of readdirSync(dir)) if (f.endsWith('.js')) names.add(f.slice(0, -3));
    } catch {
      // no such directory
    }
  }
  throw new UsageError(`k6 script not found: "${given}" is neither a file nor a script in ${shown(cwd, dirs[0]!)}/`, {
    hint: names.size ? `Available: ${[...names].sort().join(', ')}.` : 'Pass the path of a k6 script.',
  });
}

/** Checks every flag and finds the script. Throws UsageError (exit 2) before anything runs. */
export function resolvePerfRequest(ctx: CommandContext, request: PerfRequest): ResolvedPerfRequest {
  if (request.type !== undefined && !TYPES.includes(request.type as PerfType)) {
    throw new UsageError(`--type must be one of ${TYPES.join(', ')} (got "${request.type}")`);
  }
  const targetTps = positiveInt('--target-tps', request.targetTps) ?? null;
  if (request.failUnderTarget && targetTps === null) throw new UsageError('--fail-under-target needs --target-tps');
  const vus = positiveInt('--vus', request.vus);
  const duration = request.duration === undefined ? undefined : k6Duration(request.duration);
  const scriptEnv: [string, string][] = [];
  for (const pair of request.scriptEnv ?? []) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (eq === -1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`-e must be KEY=VALUE with a variable name as KEY (got "${pair}")`);
    scriptEnv.push([key, pair.slice(eq + 1)]);
  }
  const intervalMs = request.interval !== undefined ? parseInterval(request.interval) : (ctx.globals.config.perf?.intervalSec ?? 1) * 1000;
  const script = resolveScript(ctx, request.script);
  const scenario = basename(script).replace(/\.(js|mjs|cjs|ts|tar)$/, '');
  const lower = scenario.toLowerCase();
  const type = (request.type as PerfType | undefined) ?? TYPES.find((t) => lower.includes(t)) ?? 'load';
  return {
    script,
    scriptShown: shown(ctx.io.cwd, script),
    scenario,
    type,
    targetTps,
    failUnderTarget: Boolean(request.failUnderTarget),
    vus,
    duration,
    scriptEnv,
    intervalMs,
  };
}

function fmt(n: number | null, digits = 0): string {
  return n === null ? '-' : n.toFixed(digits);
}

function liveLine(stats: LiveStats, elapsedMs: number): string {
  const errPct = stats.requests ? (stats.failed / stats.requests) * 100 : 0;
  return `k6 ${Math.round(elapsedMs / 1000)}s  VUs ${fmt(stats.vus)}  ${fmt(stats.rps, 1)} req/s  p95 ${fmt(stats.p95)} ms  requests ${stats.requests}  errors ${stats.failed} (${errPct.toFixed(1)}%)`;
}

/** Reads what k6 appended to its JSON output since the last call. */
class OutputTail {
  private handle: FileHandle | null = null;
  private position = 0;
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  constructor(
    private readonly file: string,
    private readonly stream: K6JsonStream,
  ) {}

  async drain(): Promise<void> {
    if (!this.handle) {
      try {
        this.handle = await open(this.file, 'r');
      } catch {
        return; // k6 has not created it yet
      }
    }
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      this.stream.push(this.buffer.subarray(0, bytesRead));
    }
  }

  async close(): Promise<void> {
    await this.handle?.close().catch(() => {});
    this.handle = null;
  }
}

async function readSummary(file: string): Promise<{ summary: K6Summary | null; problem: string | null }> {
  if (!existsSync(file)) return { summary: null, problem: `wrote no summary export (${file})` };
  const { parseLenientJson, readK6Summary } = await import('../../adapters/k6/summary.js');
  let doc: unknown;
  try {
    doc = parseLenientJson(readFileSync(file, 'utf8'));
  } catch (error) {
    return { summary: null, problem: `wrote a summary export that is not JSON (${(error as Error).message})` };
  }
  const summary = readK6Summary(doc);
  return summary ? { summary, problem: null } : { summary: null, problem: 'wrote a summary export in a shape k6 adapter does not know' };
}

/**
 * Runs one k6 script and returns the complete run (not yet saved): thresholds and checks as cases,
 * performance_tests with its time series. Ctrl-C stops k6 with one SIGINT (k6 still writes its
 * summary) and returns the partial run as interrupted.
 */
export async function runPerfSuite(ctx: CommandContext, request: PerfRequest): Promise<RunInput> {
  const resolved = resolvePerfRequest(ctx, request);
  const [{ startK6 }, { buildK6Invocation, shellQuote, K6_INSTALL_HINT }, { K6JsonStream }, { buildK6Run }] = await Promise.all([
    import('../../exec/k6.js'),
    import('../../adapters/k6/invocation.js'),
    import('../../adapters/k6/stream.js'),
    import('../../adapters/k6/run.js'),
  ]);
  const k6 = await detectK6Binary(ctx);
  const start = startRun(ctx, 'perf', { env: request.env, runGroup: request.runGroup });

  const scriptEnv = [...resolved.scriptEnv];
  if (!scriptEnv.some(([k]) => k === 'BASE_URL')) {
    const { resolveTarget } = await import('../target.js');
    const target = await resolveTarget(ctx, request.baseUrl);
    scriptEnv.unshift(['BASE_URL', target.baseUrl]);
  }

  const workDir = join(ctx.globals.stateDir, 'work', start.id);
  mkdirSync(workDir, { recursive: true });
  const invocation = buildK6Invocation({ k6Path: k6.path, script: resolved.script, workDir, vus: resolved.vus, duration: resolved.duration, scriptEnv });
  const commandLine = ['k6', ...invocation.args].map(shellQuote).join(' ');
  if (ctx.globals.debug) ctx.err(`shopfds-test: ${redactSecrets([invocation.file, ...invocation.args].map(shellQuote).join(' '))}`);

  const stream = new K6JsonStream({ intervalMs: resolved.intervalMs });
  const tail = new OutputTail(invocation.files.points, stream);
  let proc: Awaited<ReturnType<typeof startK6>> | null = null;
  ctx.onTeardown(async () => {
    if (proc?.running()) proc.kill();
    await tail.close();
  });
  if (ctx.signal.aborted) throw new InterruptedError(ctx.interruptedBy() ?? 'SIGINT');
  proc = await startK6(invocation, { cwd: ctx.io.cwd, env: ctx.io.env, installHint: K6_INSTALL_HINT });
  const running = proc;
  let interrupted = false;
  const onAbort = () => {
    interrupted = true;
    ctx.progress.line('stopping k6 (it writes its summary first)...');
    running.interrupt();
  };
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });

  const begun = Date.now();
  let lastLine = begun;
  const plain = !ctx.globals.interactive && !ctx.globals.json;
  ctx.progress.update(`k6 ${resolved.scenario}: starting`);
  let exited = false;
  const exit = running.exited.finally(() => {
    exited = true;
  });
  exit.catch(() => {});
  while (!exited) {
    await Promise.race([exit.catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    await tail.drain();
    const text = liveLine(stream.live(), Date.now() - begun);
    ctx.progress.update(text);
    if (plain && Date.now() - lastLine >= 10_000) {
      ctx.progress.line(text);
      lastLine = Date.now();
    }
  }
  ctx.signal.removeEventListener('abort', onAbort);
  const result = await exit; // throws a ToolError when k6 could not be started
  await tail.drain();
  await tail.close();
  stream.end();
  ctx.progress.stop();

  const read = await readSummary(invocation.files.summary);
  const artifacts: Artifact[] = [];
  if (existsSync(invocation.files.summary)) artifacts.push({ name: 'summary.json', kind: 'report', contentType: 'application/json', path: shown(ctx.io.cwd, invocation.files.summary), attempt: null });
  if (existsSync(invocation.files.points)) artifacts.push({ name: 'points.ndjson', kind: 'log', contentType: 'application/x-ndjson', path: shown(ctx.io.cwd, invocation.files.points), attempt: null });

  const run = buildK6Run(
    {
      id: start.id,
      name: request.name ?? resolved.scenario,
      startedAt: start.startedAt,
      completedAt: new Date().toISOString(),
      environment: start.environment,
      trigger: start.trigger,
      executedBy: start.executedBy,
      ci: start.ci,
      runGroup: start.runGroup,
      toolVersion: k6.version,
      commandLine,
      testType: resolved.type,
      scenarioName: resolved.scenario,
      scriptPath: resolved.scriptShown,
      targetTps: resolved.targetTps,
      failUnderTarget: resolved.failUnderTarget,
      vus: resolved.vus ?? null,
      artifacts,
    },
    {
      exitCode: result.exitCode,
      signal: result.signal,
      stderr: result.stderr,
      summary: read.summary,
      summaryProblem: read.problem,
      stream,
      interrupted: interrupted || ctx.signal.aborted,
      wallMs: result.wallMs,
    },
  );
  const tps = run.perf?.test.actual_tps;
  if (resolved.targetTps !== null && tps !== null && tps !== undefined && tps < resolved.targetTps) {
    ctx.progress.line(`shopfds-test: actual throughput ${tps} req/s is below --target-tps ${resolved.targetTps}${resolved.failUnderTarget ? '' : ' (add --fail-under-target to fail the run)'}`);
  }
  return run;
}

/** `shopfds-test perf <script>`. */
export async function perfAction(ctx: CommandContext, script: string, options: PerfActionOptions): Promise<number> {
  const run = await runPerfSuite(ctx, { ...options, script });
  return finishRun(ctx, run, { junit: options.junit, markdown: options.markdown });
}
