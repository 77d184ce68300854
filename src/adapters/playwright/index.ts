import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { BROWSERS, PRIORITIES, SCENARIO_TEST_TYPES, ToolError, UsageError, makeCase, type E2eTestRun, type E2eTestScenario, type RunStart } from '../../model/index.js';
import type { PlaywrightCapture, ProgressEvent } from '../../exec/playwright.js';
import type { ExecuteIo, Invocation, ToolAdapter, ToolEvent } from '../types.js';
import { assembleOutcome } from './assemble.js';
import type { Browser } from './browsers.js';
import type { ParsedCase, ParsedPlaywrightRun, ScenarioRef } from './parse.js';
import type { LoadedScenario } from './scenario.js';

/** What `e2e` (and `demo`) asks for, after normalizing flags, environment and config. Flag values arrive as strings. */
export interface PlaywrightRequest {
  /** Scenario files or directories, or Playwright spec files (or, with a Playwright config, its file filters). */
  readonly paths?: readonly string[];
  /** A Playwright config to run as is (--config; config e2e.playwrightConfig when no paths are given). */
  readonly config?: string;
  readonly configFromFile?: string;
  /** Scenario directory when no paths are given (config e2e.scenarios; default `scenarios`). */
  readonly scenariosDir?: string;
  readonly tag?: readonly string[];
  readonly type?: readonly string[];
  readonly priority?: readonly string[];
  readonly browser?: readonly string[];
  /** The browser spec files run in when --browser is not given (config e2e.browser; default chromium). */
  readonly defaultBrowser?: string;
  readonly grep?: string;
  readonly retries?: number | string;
  readonly workers?: number | string;
  /** Config file e2e.retries / e2e.workers: used when no flag is given and a Playwright config leaves them unset. */
  readonly configRetries?: number | string;
  readonly configWorkers?: number | string;
  /** `i/n`. */
  readonly shard?: string;
  readonly name?: string;
}

type Mode =
  | { readonly kind: 'scenarios'; readonly scenarioPaths: string[] }
  | { readonly kind: 'specs'; readonly specFiles: string[] }
  | { readonly kind: 'config'; readonly configFile: string; readonly filters: string[] };

export interface PlaywrightPlan {
  readonly mode: Mode;
  readonly tags: readonly string[];
  readonly types: readonly string[];
  readonly priorities: readonly string[];
  readonly browsers: readonly string[];
  readonly grep: string | undefined;
  readonly retries: number | undefined;
  readonly workers: number | undefined;
  /** Whether `retries` / `workers` came from a flag (they then override a Playwright config's own). */
  readonly retriesFromFlag: boolean;
  readonly workersFromFlag: boolean;
  readonly shard: { readonly current: number; readonly total: number } | null;
  /** Scenarios Playwright runs, and drafts reported as skipped (CI). */
  readonly toRun: readonly LoadedScenario[];
  readonly drafts: readonly LoadedScenario[];
  readonly scenarioRecords: readonly E2eTestScenario[];
  /** Browsers to launch. */
  readonly wanted: readonly Browser[];
  readonly defaultName: string;
  readonly metadata: Readonly<Record<string, string>>;
}

interface PlaywrightRunInvocation extends Invocation {
  readonly cliPath: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly jsonReport: string;
  readonly scenarioRefs: ReadonlyMap<string, ScenarioRef>;
  readonly metadata: Readonly<Record<string, string>>;
  /** Nothing for Playwright to run (only drafts selected in CI). */
  readonly empty: boolean;
  /** The wrapper config written next to the user's Playwright config, removed after the run. */
  readonly wrapperFile: string | null;
}

interface PlaywrightRunCapture {
  readonly process: PlaywrightCapture | null;
  readonly jsonReport: string;
  /** The report as read, undefined when there is none or it is not JSON. */
  readonly report: unknown;
  readonly reportProblem: string | null;
  readonly scenarioRefs: ReadonlyMap<string, ScenarioRef>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly commandLine: string | null;
}

function intOption(name: string, value: number | string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${text}")`);
  return Number(text);
}

function checkList(name: string, values: readonly string[] | undefined, allowed: readonly string[]): void {
  for (const v of values ?? []) {
    if (!allowed.includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

function commonDir(files: readonly string[]): string {
  let dir = dirname(files[0]!);
  while (!files.every((f) => f.startsWith(dir + sep))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dir;
}

async function resolveMode(cwd: string, request: PlaywrightRequest): Promise<Mode> {
  const { isScenarioFile, isSpecFile } = await import('./load-scenarios.js');
  const paths = [...(request.paths ?? [])];
  const configFile = request.config ?? (paths.length === 0 ? request.configFromFile : undefined);
  if (configFile !== undefined) {
    const abs = resolve(cwd, configFile);
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new UsageError(`--config ${configFile}: no such file`);
    return { kind: 'config', configFile: abs, filters: paths };
  }
  if (paths.length === 0) return { kind: 'scenarios', scenarioPaths: [request.scenariosDir ?? 'scenarios'] };
  const specs: string[] = [];
  const scenarios: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new UsageError(`${p}: no such file or directory`);
    if (statSync(abs).isDirectory()) scenarios.push(p);
    else if (isSpecFile(p)) specs.push(abs);
    else if (isScenarioFile(p)) scenarios.push(p);
    else throw new UsageError(`${p}: neither a scenario file (.yaml, .yml, .json) nor a Playwright spec (*.spec.ts, *.test.js, ...)`);
  }
  if (specs.length && scenarios.length) throw new UsageError('run scenario files and Playwright spec files in separate invocations');
  return specs.length ? { kind: 'specs', specFiles: specs } : { kind: 'scenarios', scenarioPaths: scenarios };
}

/** Scenario selection: tags (any of), types, priorities, browsers, grep on the title and tags. */
function selectScenarios(all: readonly LoadedScenario[], plan: Pick<PlaywrightPlan, 'tags' | 'types' | 'priorities' | 'browsers' | 'grep'>): LoadedScenario[] {
  const grep = plan.grep !== undefined ? new RegExp(plan.grep) : null;
  return all.filter(({ scenario: s }) => {
    if (plan.tags.length && !s.tags.some((t) => plan.tags.includes(t))) return false;
    if (plan.types.length && !plan.types.includes(s.test_type)) return false;
    if (plan.priorities.length && !plan.priorities.includes(s.priority)) return false;
    if (plan.browsers.length && !plan.browsers.includes(s.browser)) return false;
    if (grep && !grep.test([s.name, ...s.tags.map((t) => `@${t}`)].join(' '))) return false;
    return true;
  });
}

/** A grep for spec runs that combines --grep and --tag (Playwright matches tags as `@tag` in the title). */
function specGrep(plan: Pick<PlaywrightPlan, 'tags' | 'grep'>): string | undefined {
  const parts: string[] = [];
  if (plan.grep !== undefined) parts.push(`(?=.*(?:${plan.grep}))`);
  if (plan.tags.length) parts.push(`(?=.*(?:${plan.tags.map((t) => `@${escapeRegExp(t.replace(/^@/, ''))}`).join('|')})(?![\\w-]))`);
  if (parts.length === 0) return undefined;
  return parts.length === 1 && plan.grep !== undefined && !plan.tags.length ? plan.grep : `^${parts.join('')}`;
}

/** Checks every option and loads the scenarios; every problem is a usage or config error (exit 2). */
export async function resolvePlaywrightPlan(request: PlaywrightRequest, at: { cwd: string; ci: boolean; executedBy: string }): Promise<PlaywrightPlan> {
  let shard: PlaywrightPlan['shard'] = null;
  if (request.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(request.shard);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be i/n with 1 <= i <= n (got "${request.shard}")`);
    shard = { current: Number(m[1]), total: Number(m[2]) };
  }
  if (request.grep !== undefined) {
    try {
      new RegExp(request.grep);
    } catch (error) {
      throw new UsageError(`--grep is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  checkList('type', request.type, SCENARIO_TEST_TYPES);
  checkList('priority', request.priority, PRIORITIES);
  checkList('browser', request.browser, BROWSERS);
  if (request.defaultBrowser !== undefined) checkList('browser', [request.defaultBrowser], BROWSERS);
  const base = {
    tags: request.tag ?? [],
    types: request.type ?? [],
    priorities: request.priority ?? [],
    browsers: request.browser ?? [],
    grep: request.grep,
    retries: intOption('retries', request.retries ?? request.configRetries, 0, 5),
    workers: intOption('workers', request.workers ?? request.configWorkers, 1, 64),
    retriesFromFlag: request.retries !== undefined,
    workersFromFlag: request.workers !== undefined,
  };
  const mode = await resolveMode(at.cwd, request);

  let toRun: LoadedScenario[] = [];
  let drafts: LoadedScenario[] = [];
  let scenarioRecords: E2eTestScenario[] = [];
  if (mode.kind === 'scenarios') {
    const [{ loadScenarioSet }, { toScenarioRecord }] = await Promise.all([import('./load-scenarios.js'), import('./scenario.js')]);
    const { scenarios } = loadScenarioSet(at.cwd, mode.scenarioPaths, { createdBy: at.executedBy });
    const selected = selectScenarios(scenarios, base).filter((s) => s.scenario.status !== 'archived');
    if (selected.length === 0) throw new UsageError(`no scenario in ${mode.scenarioPaths.join(', ')} matches the selection`);
    if (at.ci) {
      drafts = selected.filter((s) => s.scenario.status === 'draft');
      toRun = selected.filter((s) => s.scenario.status !== 'draft');
    } else toRun = selected;
    scenarioRecords = selected.map((s) => toScenarioRecord(s.scenario));
  } else if (base.types.length || base.priorities.length) {
    throw new UsageError('--type and --priority select scenarios; they do not apply to Playwright spec files');
  }
  const defaultBrowser = (request.defaultBrowser ?? 'chromium') as Browser;
  const wanted: Browser[] =
    mode.kind === 'scenarios' ? toRun.map((s) => s.scenario.browser) : mode.kind === 'specs' ? (base.browsers.length ? (base.browsers as Browser[]) : [defaultBrowser]) : [];

  const defaultName =
    mode.kind === 'config'
      ? toPosix(relative(at.cwd, mode.configFile))
      : mode.kind === 'specs'
        ? mode.specFiles.map((f) => toPosix(relative(at.cwd, f))).join(' ')
        : mode.scenarioPaths.join(' ');
  const metadata: Record<string, string> = { mode: mode.kind };
  for (const [key, value] of Object.entries({ tags: base.tags, types: base.types, priorities: base.priorities, browsers: request.browser })) {
    if (value?.length) metadata[`select.${key}`] = value.join(',');
  }
  if (mode.kind === 'specs' && !base.browsers.length && request.defaultBrowser !== undefined) metadata['select.browsers'] = defaultBrowser;
  if (base.grep) metadata['select.grep'] = base.grep;
  if (base.retries !== undefined) metadata.retries = String(base.retries);
  if (base.workers !== undefined) metadata.workers = String(base.workers);
  return { ...base, mode, shard, toRun, drafts, scenarioRecords, wanted, defaultName, metadata };
}

/** Writes the generated files that are missing or differ; identical files are left untouched. */
function writeProject(dir: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of files) {
    const path = join(dir, file);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    // Another run may be reading this project: replace files atomically.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
  const now = new Date();
  utimesSync(dir, now, now);
}

/** Removes generated projects nobody has used for a week. */
function pruneProjects(workRoot: string): void {
  const cutoff = Date.now() - 7 * 24 * 3600 * 1000;
  try {
    for (const name of readdirSync(workRoot)) {
      if (!name.startsWith('project-')) continue;
      const path = join(workRoot, name);
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
    }
  } catch {
    // Best effort.
  }
}

function draftCase(ordinal: number, loaded: LoadedScenario, start: RunStart, reason: string): { kase: ParsedCase; testRun: E2eTestRun } {
  const s = loaded.scenario;
  return {
    kase: makeCase({
      ordinal,
      suitePath: [loaded.file],
      name: s.name,
      file: loaded.file,
      project: s.browser,
      status: 'skipped',
      attempts: [],
      tags: s.tags,
      properties: { skip_reason: reason, scenario: s.name, scenario_status: s.status },
    }) as ParsedCase,
    testRun: {
      case_ordinal: ordinal,
      scenario_name: s.name,
      run_id: `${start.id}:${ordinal}`,
      status: 'skipped',
      started_at: start.startedAt,
      completed_at: null,
      duration_ms: null,
      browser: s.browser,
      viewport: { ...s.viewport },
      screenshots: [],
      video_url: null,
      error_logs: null,
      ci_build_id: start.ci?.buildId?.slice(0, 100) ?? null,
      ci_commit_sha: start.ci?.commitSha?.slice(0, 40) ?? null,
      environment: start.environment,
      executed_by: start.executedBy.slice(0, 100),
      steps: [],
    },
  };
}

/** Adds the drafts CI skipped as skipped cases: once per logical run (shard 1 only). */
function withDrafts(parsed: ParsedPlaywrightRun | null, plan: PlaywrightPlan, start: RunStart, toolVersion: string | null): ParsedPlaywrightRun | null {
  const drafts = plan.shard && plan.shard.current !== 1 ? [] : plan.drafts;
  if (drafts.length === 0) return parsed;
  const cases = [...(parsed?.cases ?? [])];
  const testRuns = [...(parsed?.testRuns ?? [])];
  for (const d of drafts) {
    const { kase, testRun } = draftCase(cases.length, d, start, 'draft scenario: not run in CI');
    cases.push(kase);
    testRuns.push(testRun);
  }
  return {
    toolVersion: parsed?.toolVersion ?? toolVersion,
    startedAt: parsed?.startedAt ?? start.startedAt,
    durationMs: parsed?.durationMs ?? 0,
    cases,
    testRuns,
    globalErrors: parsed?.globalErrors ?? [],
    sawInterrupted: parsed?.sawInterrupted ?? false,
    configFile: parsed?.configFile ?? null,
    rootDir: parsed?.rootDir ?? null,
  };
}

/** Playwright's progress reporter lines as the pipeline's events. */
function toolEventOf(event: ProgressEvent): ToolEvent | null {
  switch (event.type) {
    case 'begin':
      return { type: 'begin', total: event.total, label: `running ${event.total} test${event.total === 1 ? '' : 's'} with Playwright` };
    case 'test-begin':
      return { type: 'case-begin', name: event.title, group: event.project, retry: event.retry };
    case 'test-end': {
      if (!event.final) return { type: 'case-end', name: event.title, group: event.project, outcome: 'retrying', durationMs: event.durationMs, detail: event.status };
      const outcome =
        event.status === 'interrupted'
          ? 'interrupted'
          : event.outcome === 'expected'
            ? 'passed'
            : event.outcome === 'flaky'
              ? 'flaky'
              : event.outcome === 'skipped'
                ? 'skipped'
                : event.status === 'timedOut'
                  ? 'timed_out'
                  : 'failed';
      return { type: 'case-end', name: event.title, group: event.project, outcome, durationMs: event.durationMs, detail: null };
    }
    case 'error':
      return { type: 'phase', phase: 'error', detail: event.message.split('\n')[0] ?? '' };
    case 'end':
      return null;
  }
}

const WORDS: Readonly<Record<string, string>> = { passed: 'passed', flaky: 'flaky', skipped: 'skipped', interrupted: 'interrupted', timed_out: 'timed out', failed: 'failed' };

function describePlaywright(event: ToolEvent): string | null {
  const label = (e: { name: string; group: string | null }) => `${e.group ? `[${e.group}] ` : ''}${e.name}`;
  switch (event.type) {
    case 'begin':
      return event.label;
    case 'case-begin':
      return `${label(event)}${event.retry ? ` (retry ${event.retry})` : ''}`;
    case 'case-end':
      if (event.outcome === 'retrying') return `${label(event)}: ${event.detail}, retrying`;
      return `${label(event)} (${WORDS[event.outcome]}, ${Math.round(event.durationMs ?? 0)} ms)`;
    case 'phase':
      return `  playwright: ${event.detail ?? event.phase}`;
    case 'note':
      return event.text;
    default:
      return null;
  }
}

/** Runs `playwright test` through src/exec/playwright.ts and reads the JSON report it wrote. */
async function executePlaywright(inv: PlaywrightRunInvocation, io: ExecuteIo): Promise<PlaywrightRunCapture> {
  const base = { jsonReport: inv.jsonReport, scenarioRefs: inv.scenarioRefs, metadata: inv.metadata, commandLine: inv.commandLine };
  if (inv.empty) return { ...base, process: null, report: undefined, reportProblem: null };
  const { runPlaywright } = await import('../../exec/playwright.js');
  // Load what the end of the run needs while the browsers work, so the tail after Playwright
  // exits is only parsing and saving.
  const warm = Promise.all([import('./parse.js'), import('./artifacts.js'), import('../../model/validate.js')]).catch(() => {});
  let capture;
  try {
    capture = await runPlaywright(
      { cliPath: inv.cliPath, args: inv.args, cwd: inv.cwd, env: inv.env },
      {
        signal: io.signal,
        onProgress: (event) => {
          const e = toolEventOf(event);
          if (e) io.emit(e);
        },
        echo: io.debug ? io.echo : undefined,
      },
    );
  } finally {
    if (inv.wrapperFile) rmSync(inv.wrapperFile, { force: true });
  }
  await warm;
  if (capture.spawnError) throw new ToolError(`could not start Playwright: ${capture.spawnError}`);
  let report: unknown;
  let reportProblem: string | null = null;
  if (existsSync(inv.jsonReport)) {
    try {
      report = JSON.parse(readFileSync(inv.jsonReport, 'utf8'));
    } catch (error) {
      reportProblem = (error as Error).message;
    }
  }
  return { ...base, process: capture, report, reportProblem };
}

/** Playwright Test: scenario files become a generated project; spec files and configs run as they are. */
export const adapter: ToolAdapter<PlaywrightRequest, PlaywrightPlan, PlaywrightRunInvocation, PlaywrightRunCapture> = {
  name: 'playwright',
  kind: 'e2e',
  resolve: (request, at) => resolvePlaywrightPlan(request, at),
  async detect(at, plan) {
    const { detectPlaywright, resolveBrowsers } = await import('./browsers.js');
    const playwright = detectPlaywright();
    resolveBrowsers(plan.wanted, at.env);
    return { name: 'playwright', version: playwright.version, path: playwright.cliPath, extra: { testEntryUrl: playwright.testEntryUrl } };
  },
  // A Playwright config names its own target unless --base-url is given; nothing to run needs none.
  target(plan, given) {
    if (plan.mode.kind === 'scenarios' && plan.toRun.length === 0) return { mode: 'none' };
    if (plan.mode.kind === 'config' && given.baseUrl === undefined) return { mode: 'none' };
    // An unreachable system under test would fail every test after its timeouts: check it first.
    return { mode: 'resolve', baseUrl: given.baseUrl, check: true };
  },
  async buildInvocation(plan, at) {
    const [{ resolveBrowsers }, { generateProject, generateSpecProject, PROGRESS_REPORTER_SOURCE }] = await Promise.all([import('./browsers.js'), import('./generate.js')]);
    const metadata: Record<string, string> = { ...plan.metadata, playwright: at.tool.version ?? 'unknown' };
    if (at.baseUrl !== null) metadata.base_url = at.baseUrl;
    const workRoot = join(at.stateDir, 'work');
    pruneProjects(workRoot);
    const jsonReport = join(at.workDir, 'report.json');
    const args: string[] = ['test'];
    const scenarioRefs = new Map<string, ScenarioRef>();
    const env: Record<string, string> = { PLAYWRIGHT_JSON_OUTPUT_FILE: jsonReport, PLAYWRIGHT_JSON_OUTPUT_NAME: jsonReport, FORCE_COLOR: '0' };
    if (at.baseUrl !== null) env.SHOPFDS_BASE_URL = at.baseUrl;
    const empty = plan.mode.kind === 'scenarios' && plan.toRun.length === 0;
    let cwd = at.cwd;
    let wrapperFile: string | null = null;
    const launches = empty ? [] : resolveBrowsers(plan.wanted, at.env);
    const testEntryUrl = at.tool.extra?.testEntryUrl ?? '@playwright/test';
    const mode = plan.mode;
    if (mode.kind === 'scenarios') {
      const project = generateProject(plan.toRun, { playwrightTestUrl: testEntryUrl, launches, retries: plan.retries, workers: plan.workers, jsonReportFile: 'report.json', progressReporterFile: 'progress-reporter.mjs' });
      // The project lives at a path named by its content and is kept between runs: Playwright caches
      // its Babel transform per file path and content, and a fresh directory per run would cost a
      // full transform (and loading Babel) every time. Per-run paths come from the environment.
      const projectDir = join(workRoot, `project-${project.digest}`);
      if (!empty) writeProject(projectDir, project.files);
      env.SHOPFDS_JSON_REPORT = jsonReport;
      env.SHOPFDS_OUTPUT_DIR = join(at.workDir, 'test-results');
      for (const spec of project.specs) {
        const s = spec.scenario.scenario;
        scenarioRefs.set(spec.file, { name: s.name, file: spec.scenario.file, browser: s.browser, viewport: s.viewport, tags: s.tags, stepTitles: spec.stepTitles, stepLines: spec.stepLines });
      }
      args.push('--config', join(projectDir, project.configFile));
      cwd = projectDir;
    } else {
      if (mode.kind === 'specs') {
        const testDir = commonDir(mode.specFiles);
        const project = generateSpecProject({ playwrightTestUrl: testEntryUrl, launches, testDir, retries: plan.retries, workers: plan.workers });
        const projectDir = join(workRoot, `project-${project.digest}`);
        writeProject(projectDir, project.files);
        env.SHOPFDS_JSON_REPORT = jsonReport;
        env.SHOPFDS_OUTPUT_DIR = join(at.workDir, 'test-results');
        args.push('--config', join(projectDir, project.configFile), ...mode.specFiles.map((f) => escapeRegExp(toPosix(relative(testDir, f)))));
        cwd = testDir;
      } else {
        const reporterFile = join(workRoot, 'progress-reporter.mjs');
        writeProject(workRoot, new Map([['progress-reporter.mjs', PROGRESS_REPORTER_SOURCE]]));
        // The user's reporters stay; ours are appended by a wrapper config next to theirs (removed
        // after the run by the adapter's execute).
        const { wrapperConfig } = await import('./wrap-config.js');
        const wrapper = wrapperConfig(mode.configFile, at.run.id);
        writeFileSync(wrapper.file, wrapper.source);
        wrapperFile = wrapper.file;
        env.SHOPFDS_JSON_REPORT = jsonReport;
        env.SHOPFDS_PROGRESS_REPORTER = reporterFile;
        env.PW_TEST_HTML_REPORT_OPEN = 'never';
        args.push('--config', wrapper.file, ...mode.filters);
        // A flag overrides the Playwright config; the shopfds config only fills what it leaves unset.
        if (plan.retries !== undefined) {
          if (plan.retriesFromFlag) args.push(`--retries=${plan.retries}`);
          else env.SHOPFDS_DEFAULT_RETRIES = String(plan.retries);
        }
        if (plan.workers !== undefined) {
          if (plan.workersFromFlag) args.push(`--workers=${plan.workers}`);
          else env.SHOPFDS_DEFAULT_WORKERS = String(plan.workers);
        }
        for (const b of plan.browsers) args.push(`--project=${b}`);
        cwd = dirname(mode.configFile);
        metadata.playwright_config = toPosix(relative(at.cwd, mode.configFile));
      }
      const grep = specGrep(plan);
      if (grep !== undefined) args.push(`--grep=${grep}`);
    }
    if (plan.shard) args.push(`--shard=${plan.shard.current}/${plan.shard.total}`);
    const commandLine = empty ? null : `playwright ${args.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
    return { cliPath: at.tool.path!, args, cwd, env, jsonReport, scenarioRefs, metadata, empty, commandLine, wrapperFile };
  },
  execute: (inv, io) => executePlaywright(inv, io),
  describe: describePlaywright,
  async parse(capture, plan, at) {
    const version = at.tool.version ?? 'unknown';
    const name = at.requestedName ?? plan.defaultName;
    const common = { name, metadata: capture.metadata, shard: plan.shard, commandLine: capture.commandLine, scenarios: plan.scenarioRecords };
    const finish = (
      parsed: ParsedPlaywrightRun | null,
      options: { interrupted?: boolean; completedAt?: string; artifacts?: ReturnType<typeof assembleOutcome>['artifacts']; infrastructureError?: string | null },
    ) => {
      const outcome = assembleOutcome(withDrafts(parsed, plan, at.run, at.tool.version), { scenarios: common.scenarios, startedAt: at.run.startedAt, shard: plan.shard, ...options });
      return {
        type: 'run' as const,
        outcome: { ...outcome, name, metadata: common.metadata, shard: common.shard, commandLine: common.commandLine, toolVersion: outcome.toolVersion },
      };
    };
    if (capture.process === null) return finish(null, { completedAt: at.run.startedAt });
    const cancelled = capture.process.cancelled || at.interrupted;
    if (capture.reportProblem !== null && !cancelled) {
      return { type: 'error', error: new ToolError(`Playwright ${version} wrote a JSON report that cannot be read: ${capture.reportProblem}`) };
    }
    let parsed: ParsedPlaywrightRun | null = null;
    const runArtifacts: ReturnType<typeof assembleOutcome>['artifacts'][number][] = [];
    if (capture.report !== undefined) {
      const [{ parsePlaywrightReport }, { copyArtifacts }] = await Promise.all([import('./parse.js'), import('./artifacts.js')]);
      const result = parsePlaywrightReport(capture.report, {
        scenarios: capture.scenarioRefs,
        runId: at.run.id,
        environment: at.run.environment,
        executedBy: at.run.executedBy,
        ciBuildId: at.run.ci?.buildId ?? null,
        ciCommitSha: at.run.ci?.commitSha ?? null,
        fallbackStartedAt: at.run.startedAt,
      });
      if (!result.ok) return { type: 'error', error: new ToolError(`${result.message} (Playwright ${version})`) };
      parsed = result.run;
      copyArtifacts(parsed.cases, parsed.testRuns, { artifactsDir: at.artifactsDir, runId: at.run.id, cwd: at.cwd });
      // Keep Playwright's own report next to the copied attachments.
      const runDir = join(at.artifactsDir, at.run.id);
      mkdirSync(runDir, { recursive: true });
      copyFileSync(capture.jsonReport, join(runDir, 'playwright-report.json'));
      const shown = toPosix(relative(at.cwd, join(runDir, 'playwright-report.json')));
      runArtifacts.push({ name: 'playwright-report.json', kind: 'report', contentType: 'application/json', path: shown.startsWith('..') ? join(runDir, 'playwright-report.json') : shown, attempt: null });
    }
    if (cancelled) return finish(parsed, { interrupted: true, completedAt: new Date().toISOString(), artifacts: runArtifacts });
    // A project of the user's config whose browser is missing fails every test with "Executable
    // doesn't exist": a missing tool, not a test failure. The run is still stored (the other projects
    // ran), those tests carry the install command, and the verdict is exit 3.
    let infrastructureError: string | null = null;
    if (parsed) {
      const { markMissingBrowsers } = await import('./missing-browser.js');
      const marked = markMissingBrowsers(parsed);
      parsed = marked.parsed;
      infrastructureError = marked.message;
    }
    if (!parsed) {
      const p = capture.process;
      const output = `${p.stderr}\n${p.stdout}`.trim().split('\n').slice(-15).join('\n');
      return { type: 'error', error: new ToolError(`Playwright ${version} exited with ${p.exitCode ?? p.signal} without writing its JSON report${output ? `:\n${output}` : ''}`) };
    }
    const completedAt = new Date().toISOString();
    return finish(parsed, { completedAt: Date.parse(completedAt) >= Date.parse(parsed.startedAt) ? undefined : completedAt, artifacts: runArtifacts, infrastructureError });
  },
};
