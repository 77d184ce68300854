import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, ToolError, UsageError, type Artifact, type RunInput } from '../../model/index.js';
import { parseDurationMs } from '../kube/duration.js';
import type { Invocation, ToolAdapter } from '../types.js';
import { buildLocustInvocation, LOCUST_DEFAULTS, LOCUST_INSTALL_HINT, LOCUST_RUN_TIME, parseDebianVersion, parseLocustVersion, type LocustInvocation } from './invocation.js';
import { buildLocustRun, type LocustCapture, type LocustCriteria, type LocustPerfType, type LocustRunContext } from './run.js';
import { LocustCsvError, LocustHistoryReader, parseLocustExceptions, parseLocustFailures, parseLocustStats } from './stats.js';
import { perfRunIdentity, targetTpsNote } from '../perf-run.js';

/*
 * Locust (https://locust.io) as a tool adapter, in the parts of the ToolAdapter contract
 * (STYLE.md section 2): resolve (pure but for finding the file), detect, buildInvocation (pure),
 * execute (spawns through src/exec/load-tool.ts), describe, parse (pure over the files Locust wrote).
 */

export type { LocustCapture, LocustCriteria, LocustRunContext } from './run.js';

/** What `perf --tool locust` (and `demo`) asks for. Flag values arrive as strings. */
export interface LocustRequest {
  /** A .py path, or a name resolved to `locust/<name>.py` (the working directory first, then the bundled ones). */
  readonly script: string;
  readonly type?: string | undefined;
  readonly users?: number | string | undefined;
  /** k6's word for users; accepted as the same. */
  readonly vus?: number | string | undefined;
  readonly spawnRate?: number | string | undefined;
  /** Locust --run-time (`20s`, `5m`, `1h30m`, or seconds). */
  readonly duration?: string | undefined;
  readonly host?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly exitCodeOnError?: number | string | undefined;
  readonly targetTps?: number | string | undefined;
  readonly failUnderTarget?: boolean | undefined;
  readonly maxErrorRate?: number | string | undefined;
  readonly maxP95?: number | string | undefined;
  readonly maxP99?: number | string | undefined;
  readonly maxAvg?: number | string | undefined;
  readonly scriptEnv?: readonly string[] | undefined;
  /** Series bucket in milliseconds (already parsed). */
  readonly intervalMs?: number | undefined;
  /** The Locust executable (config perf.locustPath); SHOPFDS_LOCUST_PATH wins, else PATH. */
  readonly locustPath?: string | undefined;
}

export interface LocustPlan {
  readonly locustfile: string;
  readonly locustfileShown: string;
  readonly scenario: string;
  readonly type: LocustPerfType;
  readonly users: number;
  readonly spawnRate: number;
  readonly runTime: string;
  /** --host / --base-url; undefined: the pipeline's target (config baseUrl or the demo shop). */
  readonly host: string | undefined;
  readonly exitCodeOnError: number;
  readonly criteria: LocustCriteria;
  readonly intervalMs: number;
  readonly locustPath: string | undefined;
}

export interface LocustFound {
  readonly name: 'locust';
  readonly path: string;
  readonly version: string | null;
}

export interface LocustRunInvocation {
  readonly locust: LocustInvocation;
  readonly cwd: string;
  readonly commandLine: string;
}

/** The process side of a Locust run: what execute hands to parse. */
export interface LocustProcessCapture {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly output: string;
  readonly wallMs: number;
  readonly interrupted: boolean;
  readonly files: LocustInvocation['files'];
}

/** Progress events, in the pipeline's vocabulary. */
export type LocustEvent =
  | { readonly type: 'begin'; readonly total: null; readonly label: string }
  | { readonly type: 'sample'; readonly elapsedMs: number; readonly values: Readonly<Record<string, number | null>> }
  | { readonly type: 'note'; readonly text: string };

export interface LocustExecuteIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  emit(event: LocustEvent): void;
}

const TYPES: readonly LocustPerfType[] = ['load', 'spike', 'soak', 'stress'];

function packageDir(): string {
  // dist/adapters/locust/index.js -> <package>
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
}

/** The plugin loaded next to every locustfile (locust/plugins/shopfds_final_csv.py). */
export function finalCsvPluginPath(): string {
  return join(packageDir(), 'locust', 'plugins', 'shopfds_final_csv.py');
}

function shown(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function wholeNumber(flag: string, value: number | string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${flag} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`} (got "${text}")`);
  return Number(text);
}

function positiveNumber(flag: string, value: number | string | undefined, allowZero = false): number | null {
  if (value === undefined) return null;
  const text = String(value);
  const n = Number(text);
  if (!/^\d+(?:\.\d+)?$/.test(text) || !(allowZero ? n >= 0 : n > 0)) throw new UsageError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} number (got "${text}")`);
  return n;
}

function resolveLocustfile(cwd: string, given: string): string {
  if (/[\\/]/.test(given) || /\.py$/i.test(given)) {
    const file = resolve(cwd, given);
    if (!existsSync(file)) throw new UsageError(`locustfile not found: ${given}`);
    if (!statSync(file).isFile()) throw new UsageError(`locustfile is not a file: ${given}`);
    return file;
  }
  const dirs = [resolve(cwd, 'locust'), join(packageDir(), 'locust')];
  for (const dir of dirs) {
    const file = join(dir, `${given}.py`);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  const names = new Set<string>();
  for (const dir of dirs) {
    try {
      for (const f of readdirSync(dir)) if (f.endsWith('.py') && !f.startsWith('_')) names.add(f.slice(0, -3));
    } catch {
      // no such directory
    }
  }
  throw new UsageError(`locustfile not found: "${given}" is neither a file nor a locustfile in locust/`, {
    hint: names.size ? `Available: ${[...names].sort().join(', ')}.` : 'Pass the path of a locustfile.',
  });
}

/** `--interval`: `500ms`, `1s`, `1m`, or a number of seconds (the one duration grammar). */
function parseIntervalMs(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === null) throw new UsageError(`--interval must be a duration such as 500ms, 1s or 1m (got "${value}")`);
  if (!(ms >= 10)) throw new UsageError(`--interval must be at least 10ms (got "${value}")`);
  return ms;
}

/** Checks every option and finds the locustfile. Throws UsageError (exit 2) before anything runs. */
export function resolveLocustPlan(request: LocustRequest, cwd: string): LocustPlan {
  if (request.type !== undefined && !TYPES.includes(request.type as LocustPerfType)) throw new UsageError(`--type must be one of ${TYPES.join(', ')} (got "${request.type}")`);
  if ((request.scriptEnv ?? []).length) throw new UsageError('-e/--script-env is a k6 option; a locustfile reads its own environment variables');
  const users = wholeNumber('--users', request.users, 1) ?? wholeNumber('--vus', request.vus, 1) ?? LOCUST_DEFAULTS.users;
  const spawnRate = positiveNumber('--spawn-rate', request.spawnRate) ?? LOCUST_DEFAULTS.spawnRate;
  const runTime = request.duration ?? LOCUST_DEFAULTS.runTime;
  if (runTime === '' || !LOCUST_RUN_TIME.test(runTime)) throw new UsageError(`--duration must be a Locust run time such as 20s, 5m or 1h30m (got "${runTime}")`);
  const exitCodeOnError = wholeNumber('--exit-code-on-error', request.exitCodeOnError, 0, 255) ?? 1;
  const targetTps = wholeNumber('--target-tps', request.targetTps, 1) ?? null;
  if (request.failUnderTarget && targetTps === null) throw new UsageError('--fail-under-target needs --target-tps');
  const maxErrorRate = positiveNumber('--max-error-rate', request.maxErrorRate, true);
  if (maxErrorRate !== null && maxErrorRate > 100) throw new UsageError(`--max-error-rate is a percentage from 0 to 100 (got "${request.maxErrorRate}")`);
  if (request.host !== undefined && request.baseUrl !== undefined && request.host !== request.baseUrl) throw new UsageError('give --host or --base-url, not both');
  const locustfile = resolveLocustfile(cwd, request.script);
  const scenario = basename(locustfile).replace(/\.py$/i, '');
  const lower = scenario.toLowerCase();
  return {
    locustfile,
    locustfileShown: shown(cwd, locustfile),
    scenario,
    type: (request.type as LocustPerfType | undefined) ?? TYPES.find((t) => lower.includes(t)) ?? 'load',
    users,
    spawnRate,
    runTime,
    host: request.host ?? request.baseUrl,
    exitCodeOnError,
    criteria: {
      maxErrorRate,
      maxP95Ms: positiveNumber('--max-p95', request.maxP95),
      maxP99Ms: positiveNumber('--max-p99', request.maxP99),
      maxAvgMs: positiveNumber('--max-avg', request.maxAvg),
      targetTps,
      failUnderTarget: Boolean(request.failUnderTarget),
    },
    intervalMs: request.intervalMs ?? 1000,
    locustPath: request.locustPath,
  };
}

type LocustEnv = { cwd: string; env: Readonly<Record<string, string | undefined>> };

/**
 * The version of the Locust at `path`: `locust --version`, and when that names no version (Debian's
 * python3-locust 2.12 prints "locust "), the python3-locust package's version from dpkg-query.
 */
async function locustVersion(at: LocustEnv, path: string): Promise<{ version: string | null } | { problem: string }> {
  const { runVersionCommand } = await import('../../exec/load-tool.js');
  const own = await runVersionCommand(path, ['--version'], at.env, at.cwd, 30_000);
  if ('problem' in own) return own;
  const version = parseLocustVersion(own.stdout);
  if (version !== null || /\blocust\s+v?\d/i.test(own.stdout)) return { version };
  const dpkg = await runVersionCommand('dpkg-query', ['-W', '-f', '${Version}', 'python3-locust'], at.env, at.cwd, 10_000);
  return { version: 'problem' in dpkg ? null : parseDebianVersion(dpkg.stdout) };
}

/** Finds Locust and its version, or throws a ToolError (exit 3) that says how to install it. */
export async function detectLocust(at: LocustEnv, locustPath: string | undefined): Promise<LocustFound> {
  const path = await findLocustPath(at, locustPath);
  const found = await locustVersion(at, path);
  if ('problem' in found) throw new ToolError(found.problem, { hint: LOCUST_INSTALL_HINT, code: ERROR_CODES.toolMissing });
  return { name: 'locust', path, version: found.version };
}

/**
 * Finds the Locust executable only (no process started), or throws the same ToolError as
 * detectLocust. With `probeLocustVersion` running beside the test, the Python start-up of
 * `locust --version` (about half a second) is not added to the run's wall time.
 */
export async function findLocustPath(at: LocustEnv, locustPath: string | undefined): Promise<string> {
  const { findExecutable } = await import('../../exec/load-tool.js');
  const found = findExecutable({ name: 'locust', envVar: 'SHOPFDS_LOCUST_PATH', configKey: 'perf.locustPath' }, at.env, at.cwd, locustPath);
  if (!found.path) {
    throw new ToolError(found.from === 'PATH' ? 'Locust is not installed (no "locust" on PATH)' : `Locust not found: ${found.from} is not an executable file`, { hint: LOCUST_INSTALL_HINT, code: ERROR_CODES.toolMissing });
  }
  return found.path;
}

/** The version of the Locust at `path`, or null when it cannot be told. Never throws. */
export async function probeLocustVersion(at: LocustEnv, path: string): Promise<string | null> {
  try {
    const found = await locustVersion(at, path);
    return 'problem' in found ? null : found.version;
  } catch {
    return null;
  }
}

/** Quotes one argument for a shown command line. */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The Locust command for a plan. Pure. */
export function buildLocustRunInvocation(plan: LocustPlan, at: { cwd: string; workDir: string; baseUrl: string; locustPath: string; plugin: string | null }): LocustRunInvocation {
  const locust = buildLocustInvocation({
    locustPath: at.locustPath,
    locustfile: plan.locustfile,
    finalCsvPlugin: at.plugin,
    workDir: at.workDir,
    users: plan.users,
    spawnRate: plan.spawnRate,
    runTime: plan.runTime,
    host: at.baseUrl,
    exitCodeOnError: plan.exitCodeOnError,
  });
  return { locust, cwd: at.cwd, commandLine: ['locust', ...locust.args].map(shellQuote).join(' ') };
}

function readIfThere(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Runs Locust to its end, reading its stats file once a second for the live figures. Ctrl-C (the
 * signal) stops Locust with one SIGINT; it still writes its statistics.
 */
export async function executeLocust(inv: LocustRunInvocation, io: LocustExecuteIo, plan: LocustPlan): Promise<LocustProcessCapture> {
  const [{ startLoadTool }, { superviseLoadTool }] = await Promise.all([import('../../exec/load-tool.js'), import('../load-tool.js')]);
  const proc = startLoadTool('Locust', inv.locust, { cwd: inv.cwd, env: io.env, installHint: LOCUST_INSTALL_HINT, graceMs: 30_000 });
  const { exit: result, interrupted } = await superviseLoadTool(proc, io, {
    beginLabel: `locust ${plan.scenario}: starting`,
    stopNote: 'stopping Locust (it writes its statistics first)...',
    sample: () => {
      // Locust rewrites PREFIX_stats.csv once a second; its Aggregated row is the live line.
      const live = readIfThere(inv.locust.files.stats);
      if (live) {
        try {
          const a = parseLocustStats(live).aggregated;
          if (a) return { rps: a.rps, avg: a.avgMs, requests: a.requests, failures: a.failures };
        } catch {
          // caught mid-write
        }
      }
      return { rps: null, avg: null, requests: null, failures: null };
    },
  });
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    output: `${result.stdout}\n${result.stderr}`,
    wallMs: result.wallMs,
    interrupted,
    files: inv.locust.files,
  };
}

function fmt(n: number | null | undefined, digits = 0): string {
  return n === null || n === undefined ? '-' : n.toFixed(digits);
}

/** Words a progress event. */
export function describeLocust(event: LocustEvent): string | null {
  switch (event.type) {
    case 'begin':
      return event.label;
    case 'sample': {
      const v = event.values;
      const head = `locust ${Math.round(event.elapsedMs / 1000)}s`;
      return v.requests === null || v.requests === undefined ? head : `${head}  ${fmt(v.rps, 1)} req/s  avg ${fmt(v.avg)} ms  requests ${v.requests}  failures ${fmt(v.failures)}`;
    }
    case 'note':
      return event.text;
  }
}

/** Reads the files Locust wrote into the capture the pure run builder takes. */
export async function readLocustCapture(p: LocustProcessCapture, toolVersion: string | null): Promise<LocustCapture> {
  const { readLocustHistoryFile } = await import('./read.js');
  const files = p.files;
  let stats: LocustCapture['stats'] = null;
  let statsProblem: string | null = null;
  let failures: LocustCapture['failures'] = [];
  let exceptions: LocustCapture['exceptions'] = [];
  const history = new LocustHistoryReader(basename(files.history));
  try {
    const text = readIfThere(files.stats);
    if (text === null) statsProblem = 'wrote no statistics (no _stats.csv)';
    else {
      stats = parseLocustStats(text, basename(files.stats));
      const f = readIfThere(files.failures);
      if (f) failures = parseLocustFailures(f, basename(files.failures));
      const x = readIfThere(files.exceptions);
      if (x) exceptions = parseLocustExceptions(x, basename(files.exceptions));
      if (existsSync(files.history)) await readLocustHistoryFile(files.history, history);
    }
  } catch (error) {
    if (!(error instanceof LocustCsvError)) throw error;
    stats = null;
    statsProblem = `wrote statistics this adapter cannot read (Locust ${toolVersion ?? 'of unknown version'}): ${error.message}`;
  }
  return {
    exitCode: p.exitCode,
    signal: p.signal,
    stderr: p.output,
    stats,
    statsProblem,
    failures,
    exceptions,
    history: history.points,
    interrupted: p.interrupted,
    wallMs: p.wallMs,
  };
}

/** The CSV files as run artifacts. */
export function locustArtifacts(files: LocustInvocation['files'], cwd: string): Artifact[] {
  const out: Artifact[] = [];
  for (const [name, file] of [
    ['locust_stats.csv', files.stats],
    ['locust_stats_history.csv', files.history],
    ['locust_failures.csv', files.failures],
    ['locust_exceptions.csv', files.exceptions],
  ] as const) {
    if (existsSync(file)) out.push({ name, kind: 'report', contentType: 'text/csv', path: shown(cwd, file), attempt: null });
  }
  return out;
}

/** The complete run from what Locust left behind. Pure. */
export function parseLocust(capture: LocustCapture, plan: LocustPlan, run: Omit<LocustRunContext, 'testType' | 'scenarioName' | 'locustfile' | 'users' | 'criteria' | 'exitCodeOnError' | 'intervalMs'>): RunInput {
  return buildLocustRun(
    {
      ...run,
      testType: plan.type,
      scenarioName: plan.scenario,
      locustfile: plan.locustfileShown,
      users: plan.users,
      criteria: plan.criteria,
      exitCodeOnError: plan.exitCodeOnError,
      intervalMs: plan.intervalMs,
    },
    capture,
  );
}

/** The version of the Locust at `path`: from `<stateDir>/cache/tool-versions.json` when it is known there, else null. */
function cachedLocustVersion(stateDir: string | undefined, path: string): { key: string | null; version: string | null; file: string | null } {
  if (!stateDir) return { key: null, version: null, file: null };
  const file = join(stateDir, 'cache', 'tool-versions.json');
  let key: string;
  try {
    const real = realpathSync(path);
    const st = statSync(real);
    key = `${real}:${st.size}:${st.mtimeMs}`;
  } catch {
    return { key: null, version: null, file: null };
  }
  try {
    const cache = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null>;
    return { key, version: typeof cache[key] === 'string' ? cache[key]! : null, file };
  } catch {
    return { key, version: null, file };
  }
}

function rememberLocustVersion(file: string, key: string, version: string): void {
  try {
    let cache: Record<string, string | null> = {};
    try {
      cache = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null>;
    } catch {
      // none yet
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...cache, [key]: version }));
  } catch {
    // a cache that cannot be written only costs the next probe
  }
}

/** The plan of a run through the pipeline: the request's plan plus where the version cache lives. */
export interface LocustPipelinePlan extends LocustPlan {
  readonly stateDir?: string;
}

/**
 * `locust --version` starts Python and imports Locust (half a second or more): detect finds the
 * executable only and, unless the version is cached (by executable path, size and modification
 * time), probes the version beside the test run; parse waits for it.
 */
const versionProbes = new WeakMap<object, Promise<string | null>>();

interface LocustToolInvocation extends Invocation {
  readonly run: LocustRunInvocation;
}

/** Locust (https://locust.io): spawned through src/exec/load-tool.ts, read from the CSV files it writes. */
export const adapter: ToolAdapter<LocustRequest & { readonly interval?: string | undefined }, LocustPipelinePlan, LocustToolInvocation, LocustProcessCapture> = {
  name: 'locust',
  kind: 'perf',
  // The CSV files are the run's artifacts: the work dir stays.
  keepsWorkDir: true,
  resolve(request, at) {
    // --base-url reaches the target as the shared option; --host is Locust's own word for it.
    const intervalMs = request.interval !== undefined ? parseIntervalMs(request.interval) : request.intervalMs;
    return { ...resolveLocustPlan({ ...request, baseUrl: undefined, intervalMs }, at.cwd), stateDir: at.stateDir };
  },
  async detect(at, plan) {
    const path = await findLocustPath(at, plan.locustPath);
    const cached = cachedLocustVersion(plan.stateDir, path);
    if (cached.version === null) {
      versionProbes.set(
        plan,
        probeLocustVersion(at, path).then((version) => {
          if (version !== null && cached.file !== null && cached.key !== null) rememberLocustVersion(cached.file, cached.key, version);
          return version;
        }),
      );
    }
    return { name: 'locust', path, version: cached.version };
  },
  target: (plan, given) => ({ mode: 'resolve', baseUrl: plan.host ?? given.baseUrl }),
  buildInvocation(plan, at) {
    const plugin = finalCsvPluginPath();
    const run = buildLocustRunInvocation(plan, { cwd: at.cwd, workDir: at.workDir, baseUrl: at.baseUrl!, locustPath: at.tool.path!, plugin: existsSync(plugin) ? plugin : null });
    return { run, commandLine: run.commandLine };
  },
  execute: (invocation, io, plan) => executeLocust(invocation.run, io, plan),
  describe: (event) => (event.type === 'begin' || event.type === 'sample' || event.type === 'note' ? describeLocust(event as LocustEvent) : null),
  async parse(processCapture, plan, at) {
    const toolVersion = at.tool.version ?? (await (versionProbes.get(plan) ?? Promise.resolve(null)));
    const capture = await readLocustCapture(processCapture, toolVersion);
    const run = parseLocust({ ...capture, interrupted: capture.interrupted || at.interrupted }, plan, {
      ...perfRunIdentity(at, at.requestedName ?? plan.scenario, toolVersion),
      artifacts: locustArtifacts(processCapture.files, at.cwd),
    });
    const note = targetTpsNote(run.perf?.test.actual_tps, plan.criteria.targetTps, plan.criteria.failUnderTarget);
    const notes = note ? [note] : [];
    return {
      type: 'run',
      outcome: {
        name: run.name,
        cases: run.cases,
        details: run.perf ? { kind: 'perf', perf: run.perf } : null,
        metrics: run.metrics,
        artifacts: run.artifacts,
        metadata: run.metadata,
        shard: null,
        status: run.status,
        completedAt: run.completedAt,
        durationMs: run.durationMs,
        toolError: run.status === 'error' ? run.errorMessage : null,
        errorMessage: run.errorMessage,
        interrupted: run.status === 'interrupted',
        toolVersion,
        notes,
      },
    };
  },
};
