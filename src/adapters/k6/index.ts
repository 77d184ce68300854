import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolError, UsageError, formatDurationText, parseDuration, type Artifact } from '../../model/index.js';
import { parseDurationMs } from '../kube/duration.js';
import type { ExecuteIo, Invocation, ToolAdapter, ToolEnv, ToolEvent, ToolFound } from '../types.js';
import { buildK6Invocation, K6_INSTALL_HINT, parseK6Version, shellQuote, type K6Invocation } from './invocation.js';
import { buildK6Outcome, PERF_TYPES, type PerfType } from './run.js';
import { perfRunIdentity, targetTpsNote } from '../perf-run.js';
import type { K6JsonStream } from './stream.js';
import type { K6Summary } from './summary.js';

/** What `perf` (and `demo`) asks for, after normalizing flags, environment and config. Flag values arrive as strings. */
export interface K6Request {
  /** A script path, or a name resolved to `<scriptsDir>/<name>.js` (then the bundled scripts). */
  readonly script: string;
  /** load | spike | soak | stress; default from the script name, else load. */
  readonly type?: string;
  readonly targetTps?: number | string;
  readonly failUnderTarget?: boolean;
  readonly vus?: number | string;
  /** k6 duration (`30s`, `5m`, `1h30m`). */
  readonly duration?: string;
  /** `KEY=VALUE` script variables (k6 -e). */
  readonly scriptEnv?: readonly string[];
  /** Series bucket (`1s`, `500ms`); config perf.intervalSec; default 1 s. */
  readonly interval?: string;
  /** Directory of named scripts (config perf.scripts; default `k6`). */
  readonly scriptsDir?: string;
  /** The k6 binary (config perf.k6Path); SHOPFDS_K6_PATH wins, else PATH. */
  readonly k6Path?: string;
  /** The run name given with --name. */
  readonly name?: string;
}

export interface K6Plan {
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
  readonly k6Path: string | undefined;
}

interface K6RunInvocation extends Invocation {
  readonly k6: K6Invocation;
  readonly cwd: string;
}

interface K6Capture {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly wallMs: number;
  readonly interrupted: boolean;
  readonly summary: K6Summary | null;
  readonly summaryProblem: string | null;
  readonly stream: K6JsonStream;
  readonly artifacts: readonly Artifact[];
}

const K6_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/**
 * `--duration` for k6: the one duration grammar (a bare number is seconds). What k6 reads as is goes
 * to it unchanged; days, weeks and bare numbers are spelt out in hours, minutes and seconds.
 */
export function k6Duration(value: string): string {
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) throw new UsageError(`--duration must be a k6 duration such as 30s, 5m or 1h30m (got "${value}")`);
  return K6_DURATION.test(value.trim()) ? value.trim() : formatDurationText(ms);
}

function bundledScriptsDir(): string {
  // dist/adapters/k6/index.js -> <package>/k6
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

/** `--interval`: `500ms`, `1s`, `1m`, or a number of seconds (the one duration grammar). */
export function parseInterval(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === null) throw new UsageError(`--interval must be a duration such as 500ms, 1s or 1m (got "${value}")`);
  if (!(ms >= 10)) throw new UsageError(`--interval must be at least 10ms (got "${value}")`);
  return ms;
}

function resolveScript(cwd: string, given: string, scriptsDir: string | undefined): string {
  const looksLikePath = /[\\/]/.test(given) || /\.(js|mjs|cjs|ts|tar)$/.test(given);
  if (looksLikePath) {
    const file = resolve(cwd, given);
    if (!existsSync(file)) throw new UsageError(`k6 script not found: ${given}`);
    if (!statSync(file).isFile()) throw new UsageError(`k6 script is not a file: ${given}`);
    return file;
  }
  const dirs = [resolve(cwd, scriptsDir ?? 'k6'), bundledScriptsDir()];
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

/** Checks every option and finds the script. Throws UsageError (exit 2) before anything runs. */
export function resolveK6Plan(request: K6Request, cwd: string): K6Plan {
  if (request.type !== undefined && !(PERF_TYPES as readonly string[]).includes(request.type)) {
    throw new UsageError(`--type must be one of ${PERF_TYPES.join(', ')} (got "${request.type}")`);
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
  const intervalMs = parseInterval(request.interval ?? '1s');
  const script = resolveScript(cwd, request.script, request.scriptsDir);
  const scenario = basename(script).replace(/\.(js|mjs|cjs|ts|tar)$/, '');
  const lower = scenario.toLowerCase();
  const type = (request.type as PerfType | undefined) ?? PERF_TYPES.find((t) => lower.includes(t)) ?? 'load';
  return {
    script,
    scriptShown: shown(cwd, script),
    scenario,
    type,
    targetTps,
    failUnderTarget: Boolean(request.failUnderTarget),
    vus,
    duration,
    scriptEnv,
    intervalMs,
    k6Path: request.k6Path,
  };
}

/**
 * Finds k6 (SHOPFDS_K6_PATH, config perf.k6Path, or PATH) and its version (`k6 version`), or throws
 * a ToolError (E_TOOL_MISSING, exit 3) that says how to install it.
 */
export async function detectK6(at: ToolEnv, k6Path: string | undefined): Promise<ToolFound> {
  const { findExecutable, runVersionCommand } = await import('../../exec/load-tool.js');
  const found = findExecutable({ name: 'k6', envVar: 'SHOPFDS_K6_PATH', configKey: 'perf.k6Path' }, at.env, at.cwd, k6Path);
  if (!found.path) {
    throw new ToolError(found.from === 'PATH' ? 'k6 is not installed (no "k6" on PATH)' : `k6 not found: ${found.from} is not an executable file`, {
      hint: K6_INSTALL_HINT,
      code: 'E_TOOL_MISSING',
    });
  }
  const version = await runVersionCommand(found.path, ['version'], at.env, at.cwd);
  if ('problem' in version) throw new ToolError(version.problem, { hint: K6_INSTALL_HINT, code: 'E_TOOL_MISSING' });
  return { name: 'k6', path: found.path, version: parseK6Version(version.stdout) };
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
  const { parseLenientJson, readK6Summary } = await import('./summary.js');
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
 * Runs k6 to its end, following its JSON output for the live figures. Ctrl-C stops k6 with one
 * SIGINT (k6 still writes its summary); the run comes back as interrupted.
 */
async function executeK6(inv: K6RunInvocation, io: ExecuteIo, plan: K6Plan): Promise<K6Capture> {
  const [{ startLoadTool }, { superviseLoadTool }, { K6JsonStream }] = await Promise.all([import('../../exec/load-tool.js'), import('../load-tool.js'), import('./stream.js')]);
  const stream = new K6JsonStream({ intervalMs: plan.intervalMs });
  const tail = new OutputTail(inv.k6.files.points, stream);
  const proc = startLoadTool('k6', inv.k6, { cwd: inv.cwd, env: io.env, installHint: K6_INSTALL_HINT });
  try {
    const { exit: result, interrupted } = await superviseLoadTool(proc, io, {
      beginLabel: `k6 ${plan.scenario}: starting`,
      stopNote: 'stopping k6 (it writes its summary first)...',
      sample: async () => {
        await tail.drain();
        const s = stream.live();
        return { vus: s.vus, rps: s.rps, p95: s.p95, requests: s.requests, failed: s.failed };
      },
    });
    await tail.drain();
    stream.end();
    const read = await readSummary(inv.k6.files.summary);
    const artifacts: Artifact[] = [];
    if (existsSync(inv.k6.files.summary)) artifacts.push({ name: 'summary.json', kind: 'report', contentType: 'application/json', path: shown(inv.cwd, inv.k6.files.summary), attempt: null });
    if (existsSync(inv.k6.files.points)) artifacts.push({ name: 'points.ndjson', kind: 'log', contentType: 'application/x-ndjson', path: shown(inv.cwd, inv.k6.files.points), attempt: null });
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      stderr: result.stderr,
      wallMs: result.wallMs,
      interrupted,
      summary: read.summary,
      summaryProblem: read.problem,
      stream,
      artifacts,
    };
  } finally {
    await tail.close();
  }
}

function fmt(n: number | null | undefined, digits = 0): string {
  return n === null || n === undefined ? '-' : n.toFixed(digits);
}

function describeK6(event: ToolEvent): string | null {
  switch (event.type) {
    case 'begin':
      return event.label;
    case 'sample': {
      const v = event.values;
      const requests = v.requests ?? 0;
      const failed = v.failed ?? 0;
      const errPct = requests ? (failed / requests) * 100 : 0;
      return `k6 ${Math.round(event.elapsedMs / 1000)}s  VUs ${fmt(v.vus)}  ${fmt(v.rps, 1)} req/s  p95 ${fmt(v.p95)} ms  requests ${requests}  errors ${failed} (${errPct.toFixed(1)}%)`;
    }
    case 'note':
      return event.text;
    case 'phase':
      return `k6: ${event.phase}${event.detail ? ` ${event.detail}` : ''}`;
    default:
      return null;
  }
}

/** k6 (https://k6.io): spawned through src/exec/load-tool.ts, read from its summary export and JSON output. */
export const adapter: ToolAdapter<K6Request, K6Plan, K6RunInvocation, K6Capture> = {
  name: 'k6',
  kind: 'perf',
  // The summary and JSON output are the run's artifacts: the work dir stays.
  keepsWorkDir: true,
  resolve: (request, at) => resolveK6Plan(request, at.cwd),
  detect: (at, plan) => detectK6(at, plan.k6Path),
  // An explicit -e BASE_URL= names the target; otherwise --base-url, config baseUrl or the demo shop.
  target: (plan, given) => (plan.scriptEnv.some(([k]) => k === 'BASE_URL') ? { mode: 'none' } : { mode: 'resolve', baseUrl: given.baseUrl }),
  buildInvocation(plan, at) {
    const scriptEnv = [...plan.scriptEnv];
    if (at.baseUrl !== null && !scriptEnv.some(([k]) => k === 'BASE_URL')) scriptEnv.unshift(['BASE_URL', at.baseUrl]);
    const k6 = buildK6Invocation({ k6Path: at.tool.path!, script: plan.script, workDir: at.workDir, vus: plan.vus, duration: plan.duration, scriptEnv });
    return { k6, cwd: at.cwd, commandLine: ['k6', ...k6.args].map(shellQuote).join(' ') };
  },
  execute: executeK6,
  describe: describeK6,
  parse(capture, plan, at) {
    const outcome = buildK6Outcome(
      {
        ...perfRunIdentity(at, at.requestedName ?? plan.scenario, at.tool.version),
        testType: plan.type,
        scenarioName: plan.scenario,
        scriptPath: plan.scriptShown,
        targetTps: plan.targetTps,
        failUnderTarget: plan.failUnderTarget,
        vus: plan.vus ?? null,
        artifacts: capture.artifacts,
      },
      { ...capture, interrupted: capture.interrupted || at.interrupted },
    );
    const tps = outcome.details.kind === 'perf' ? outcome.details.perf.test.actual_tps : null;
    const note = targetTpsNote(tps, plan.targetTps, plan.failUnderTarget);
    const notes = note ? [note] : [];
    return {
      type: 'run',
      outcome: {
        ...outcome,
        name: at.requestedName ?? plan.scenario,
        artifacts: capture.artifacts,
        interrupted: capture.interrupted || at.interrupted,
        notes,
      },
    };
  },
};
