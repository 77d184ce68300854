import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  BROWSERS,
  PRIORITIES,
  SCENARIO_TEST_TYPES,
  ToolError,
  UsageError,
  redactSecrets,
  type E2eTestRun,
  type E2eTestScenario,
  type RunInput,
} from '../../model/index.js';
import type { Browser } from '../../adapters/playwright/browsers.js';
import type { ParsedCase, ParsedPlaywrightRun, ScenarioRef } from '../../adapters/playwright/parse.js';
import type { LoadedScenario } from '../../adapters/playwright/scenario.js';
import type { ProgressEvent } from '../../exec/playwright.js';
import type { CommandContext } from '../context.js';
import { finishRun, startRun, type RunStart } from '../session.js';

/** What `runE2eSuite` runs. Everything is optional: by default the scenarios in `scenarios/` against the demo shop. */
export interface E2eSuiteRequest {
  /** Scenario files or directories, or Playwright spec files (or, with `playwrightConfig`, Playwright file filters). */
  readonly paths?: readonly string[];
  /** A Playwright config to run as is. */
  readonly playwrightConfig?: string;
  readonly tags?: readonly string[];
  readonly types?: readonly string[];
  readonly priorities?: readonly string[];
  readonly browsers?: readonly string[];
  readonly grep?: string;
  readonly retries?: number;
  readonly workers?: number;
  /** The system under test; without it the bundled demo shop is started. */
  readonly baseUrl?: string;
  readonly env?: string;
  readonly shard?: { readonly current: number; readonly total: number };
  readonly runGroup?: string;
  readonly name?: string;
}

interface E2eOptions {
  config?: string;
  tag?: string[];
  type?: string[];
  priority?: string[];
  browser?: string[];
  grep?: string;
  retries?: string;
  workers?: string;
  baseUrl?: string;
  env?: string;
  shard?: string;
  runGroup?: string;
  name?: string;
  junit?: string;
  markdown?: string;
}

function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${value}")`);
  return Number(value);
}

function checkList(name: string, values: readonly string[] | undefined, allowed: readonly string[]): void {
  for (const v of values ?? []) {
    if (!allowed.includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  }
}

/** Turns the command's flags into a request; every problem is a usage error (exit 2). */
export function resolveE2eRequest(paths: readonly string[], options: E2eOptions): E2eSuiteRequest {
  let shard: E2eSuiteRequest['shard'];
  if (options.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(options.shard);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be i/n with 1 <= i <= n (got "${options.shard}")`);
    shard = { current: Number(m[1]), total: Number(m[2]) };
  }
  if (options.grep !== undefined) {
    try {
      new RegExp(options.grep);
    } catch (error) {
      throw new UsageError(`--grep is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  checkList('type', options.type, SCENARIO_TEST_TYPES);
  checkList('priority', options.priority, PRIORITIES);
  checkList('browser', options.browser, BROWSERS);
  return {
    paths,
    playwrightConfig: options.config,
    tags: options.tag,
    types: options.type,
    priorities: options.priority,
    browsers: options.browser,
    grep: options.grep,
    retries: intOption('retries', options.retries, 0, 5),
    workers: intOption('workers', options.workers, 1, 64),
    baseUrl: options.baseUrl,
    env: options.env,
    shard,
    runGroup: options.runGroup,
    name: options.name,
  };
}

/** `shopfds-test e2e [paths...]` */
export async function e2eAction(ctx: CommandContext, paths: string[], options: E2eOptions): Promise<number> {
  const request = resolveE2eRequest(paths, options);
  const run = await runE2eSuite(ctx, request);
  return finishRun(ctx, run, { junit: options.junit, markdown: options.markdown });
}

type Mode =
  | { kind: 'scenarios'; scenarioPaths: string[] }
  | { kind: 'specs'; specFiles: string[] }
  | { kind: 'config'; configFile: string; filters: string[] };

async function resolveMode(ctx: CommandContext, request: E2eSuiteRequest): Promise<Mode> {
  const { isScenarioFile, isSpecFile } = await import('../../adapters/playwright/load-scenarios.js');
  const cfg = ctx.globals.config.e2e ?? {};
  const paths = [...(request.paths ?? [])];
  const configFile = request.playwrightConfig ?? (paths.length === 0 ? cfg.playwrightConfig : undefined);
  if (configFile !== undefined) {
    const abs = resolve(ctx.io.cwd, configFile);
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new UsageError(`--config ${configFile}: no such file`);
    return { kind: 'config', configFile: abs, filters: paths };
  }
  if (paths.length === 0) return { kind: 'scenarios', scenarioPaths: [cfg.scenarios ?? 'scenarios'] };
  const specs: string[] = [];
  const scenarios: string[] = [];
  for (const p of paths) {
    const abs = resolve(ctx.io.cwd, p);
    if (!existsSync(abs)) throw new UsageError(`${p}: no such file or directory`);
    if (statSync(abs).isDirectory()) scenarios.push(p);
    else if (isSpecFile(p)) specs.push(abs);
    else if (isScenarioFile(p)) scenarios.push(p);
    else throw new UsageError(`${p}: neither a scenario file (.yaml, .yml, .json) nor a Playwright spec (*.spec.ts, *.test.js, ...)`);
  }
  if (specs.length && scenarios.length) throw new UsageError('run scenario files and Playwright spec files in separate invocations');
  return specs.length ? { kind: 'specs', specFiles: specs } : { kind: 'scenarios', scenarioPaths: scenarios };
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Scenario selection: tags (any of), types, priorities, browsers, grep on the title and tags. */
function selectScenarios(all: readonly LoadedScenario[], request: E2eSuiteRequest): LoadedScenario[] {
  const grep = request.grep !== undefined ? new RegExp(request.grep) : null;
  return all.filter(({ scenario: s }) => {
    if (request.tags?.length && !s.tags.some((t) => request.tags!.includes(t))) return false;
    if (request.types?.length && !request.types.includes(s.test_type)) return false;
    if (request.priorities?.length && !request.priorities.includes(s.priority)) return false;
    if (request.browsers?.length && !request.browsers.includes(s.browser)) return false;
    if (grep && !grep.test([s.name, ...s.tags.map((t) => `@${t}`)].join(' '))) return false;
    return true;
  });
}

/** A grep for spec runs that combines --grep and --tag (Playwright matches tags as `@tag` in the title). */
function specGrep(request: E2eSuiteRequest): string | undefined {
  const parts: string[] = [];
  if (request.grep !== undefined) parts.push(`(?=.*(?:${request.grep}))`);
  if (request.tags?.length) parts.push(`(?=.*(?:${request.tags.map((t) => `@${escapeRegExp(t.replace(/^@/, ''))}`).join('|')})(?![\\w-]))`);
  if (parts.length === 0) return undefined;
  return parts.length === 1 && request.grep !== undefined && !request.tags?.length ? request.grep : `^${parts.join('')}`;
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

interface Counts {
  passed: number;
  failed: number;
  flaky: number;
  skipped: number;
}

/** Live progress: a status line on a TTY, one plain line per finished test elsewhere. */
function progressHandler(ctx: CommandContext): (event: ProgressEvent) => void {
  const counts: Counts = { passed: 0, failed: 0, flaky: 0, skipped: 0 };
  let total = 0;
  let current = '';
  const quiet = ctx.globals.json;
  const status = () =>
    `${counts.passed + counts.failed + counts.skipped}/${total || '?'} ✓ ${counts.passed} ✗ ${counts.failed} ~ ${counts.flaky} flaky${current ? ` · ${current}` : ''}`;
  return (event) => {
    switch (event.type) {
      case 'begin':
        total = event.total;
        ctx.progress.update(status());
        if (!ctx.globals.interactive && !quiet) ctx.progress.line(`running ${event.total} test${event.total === 1 ? '' : 's'} with Playwright`);
        break;
      case 'test-begin':
        current = `${event.project ? `[${event.project}] ` : ''}${event.title}${event.retry ? ` (retry ${event.retry})` : ''}`;
        ctx.progress.update(status());
        break;
      case 'test-end': {
        const label = `${event.project ? `[${event.project}] ` : ''}${event.title}`;
        if (!event.final) {
          if (!quiet) ctx.progress.line(`  ↻ ${label}: ${event.status}, retrying`);
          break;
        }
        let word: string;
        if (event.status === 'interrupted') word = 'interrupted';
        else if (event.outcome === 'expected') (counts.passed++, (word = 'passed'));
        else if (event.outcome === 'flaky') (counts.passed++, counts.flaky++, (word = 'flaky'));
        else if (event.outcome === 'skipped') (counts.skipped++, (word = 'skipped'));
        else (counts.failed++, (word = event.status === 'timedOut' ? 'timed out' : 'failed'));
        const mark = word === 'passed' ? '✓' : word === 'flaky' ? '~' : word === 'skipped' ? '-' : '✗';
        if (!quiet && (!ctx.globals.interactive || mark === '✗' || mark === '~')) ctx.progress.line(`  ${mark} ${label} (${word}, ${Math.round(event.durationMs)} ms)`);
        current = '';
        ctx.progress.update(status());
        break;
      }
      case 'error':
        if (!quiet) ctx.progress.line(`  playwright: ${event.message.split('\n')[0]}`);
        break;
      case 'end':
        break;
    }
  };
}

function draftCase(ordinal: number, loaded: LoadedScenario, start: RunStart, reason: string): { kase: ParsedCase; testRun: E2eTestRun } {
  const s = loaded.scenario;
  return {
    kase: {
      ordinal,
      suitePath: [loaded.file],
      name: s.name,
      file: loaded.file,
      line: null,
      column: null,
      project: s.browser,
      status: 'skipped',
      durationMs: 0,
      attempts: [],
      errorMessage: null,
      errorStack: null,
      artifacts: [],
      tags: [...s.tags],
      properties: { skip_reason: reason, scenario: s.name, scenario_status: s.status },
      stdout: null,
      stderr: null,
    },
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

/**
 * Runs E2E tests with the real Playwright test runner and returns the finished run (not yet saved).
 * Scenario files become a generated Playwright project under `.shopfds/work/<run-id>/`; spec files
 * and Playwright configs run as they are, with the JSON reporter added.
 */
export async function runE2eSuite(ctx: CommandContext, request: E2eSuiteRequest): Promise<RunInput> {
  const mode = await resolveMode(ctx, request);
  const cfg = ctx.globals.config.e2e ?? {};
  const retries = request.retries ?? cfg.retries;
  const workers = request.workers ?? cfg.workers;

  // 1. Everything that can be refused is checked before anything starts.
  let toRun: LoadedScenario[] = [];
  let drafts: LoadedScenario[] = [];
  let scenarioRecords: E2eTestScenario[] = [];
  if (mode.kind === 'scenarios') {
    const { loadScenarioFiles } = await import('./scenarios.js');
    const { toScenarioRecord } = await import('../../adapters/playwright/scenario.js');
    const { scenarios } = await loadScenarioFiles(ctx, mode.scenarioPaths);
    const selected = selectScenarios(scenarios, request).filter((s) => s.scenario.status !== 'archived');
    if (selected.length === 0) throw new UsageError(`no scenario in ${mode.scenarioPaths.join(', ')} matches the selection`);
    if (ctx.globals.ci) {
      drafts = selected.filter((s) => s.scenario.status === 'draft');
      toRun = selected.filter((s) => s.scenario.status !== 'draft');
    } else toRun = selected;
    scenarioRecords = selected.map((s) => toScenarioRecord(s.scenario));
  } else if (request.types?.length || request.priorities?.length) {
    throw new UsageError('--type and --priority select scenarios; they do not apply to Playwright spec files');
  }

  const { detectPlaywright, resolveBrowsers } = await import('../../adapters/playwright/browsers.js');
  const playwright = detectPlaywright();
  const wanted: Browser[] =
    mode.kind === 'scenarios' ? toRun.map((s) => s.scenario.browser) : mode.kind === 'specs' ? ((request.browsers as Browser[] | undefined) ?? ['chromium']) : [];
  const launches = resolveBrowsers(wanted, ctx.io.env);

  const start = startRun(ctx, 'e2e', { env: request.env, runGroup: request.runGroup ?? null });
  const shard = request.shard ?? null;
  const name =
    request.name ??
    (mode.kind === 'config'
      ? toPosix(relative(ctx.io.cwd, mode.configFile))
      : mode.kind === 'specs'
        ? mode.specFiles.map((f) => toPosix(relative(ctx.io.cwd, f))).join(' ')
        : mode.scenarioPaths.join(' '));
  const metadata: Record<string, string> = { mode: mode.kind, playwright: playwright.version };
  for (const [key, value] of Object.entries({ tags: request.tags, types: request.types, priorities: request.priorities, browsers: request.browsers })) {
    if (value?.length) metadata[`select.${key}`] = value.join(',');
  }
  if (request.grep) metadata['select.grep'] = request.grep;
  if (retries !== undefined) metadata.retries = String(retries);
  if (workers !== undefined) metadata.workers = String(workers);

  // Drafts are reported once per logical run: by shard 1 only.
  const draftCases = shard && shard.current !== 1 ? [] : drafts;

  const { assembleRun } = await import('../../adapters/playwright/assemble.js');
  const base = {
    id: start.id,
    name,
    environment: start.environment,
    trigger: start.trigger,
    executedBy: start.executedBy,
    ci: start.ci,
    runGroup: start.runGroup,
    shard,
    commandLine: null as string | null,
    metadata,
  };
  const withDrafts = (parsed: ParsedPlaywrightRun | null): ParsedPlaywrightRun | null => {
    if (draftCases.length === 0) return parsed;
    const cases = [...(parsed?.cases ?? [])];
    const testRuns = [...(parsed?.testRuns ?? [])];
    for (const d of draftCases) {
      const { kase, testRun } = draftCase(cases.length, d, start, 'draft scenario: not run in CI');
      cases.push(kase);
      testRuns.push(testRun);
    }
    return {
      toolVersion: parsed?.toolVersion ?? playwright.version,
      startedAt: parsed?.startedAt ?? start.startedAt,
      durationMs: parsed?.durationMs ?? 0,
      cases,
      testRuns,
      globalErrors: parsed?.globalErrors ?? [],
      sawInterrupted: parsed?.sawInterrupted ?? false,
      configFile: parsed?.configFile ?? null,
      rootDir: parsed?.rootDir ?? null,
    };
  };
  const interruptedRun = (parsed: ParsedPlaywrightRun | null, artifacts: RunInput['artifacts'] = []) =>
    assembleRun(base, withDrafts(parsed), { scenarios: scenarioRecords, interrupted: true, startedAt: start.startedAt, completedAt: new Date().toISOString(), artifacts });

  if (mode.kind === 'scenarios' && toRun.length === 0) {
    // Only drafts were selected and CI skips them: nothing for Playwright to do.
    return assembleRun(base, withDrafts(null), { scenarios: scenarioRecords, startedAt: start.startedAt, completedAt: start.startedAt });
  }
  if (ctx.signal.aborted) return interruptedRun(null);

  // 2. The system under test and the project Playwright runs.
  const workDir = join(ctx.globals.stateDir, 'work', start.id);
  ctx.onTeardown(() => {
    if (!ctx.globals.debug) rmSync(workDir, { recursive: true, force: true });
  });
  mkdirSync(workDir, { recursive: true });
  pruneProjects(dirname(workDir));
  const needsTarget = mode.kind !== 'config' || request.baseUrl !== undefined;
  let baseUrl: string | undefined;
  if (needsTarget) {
    const { resolveTarget } = await import('../target.js');
    baseUrl = (await resolveTarget(ctx, request.baseUrl)).baseUrl;
    metadata.base_url = baseUrl;
  }
  if (ctx.signal.aborted) return interruptedRun(null);

  const jsonReport = join(workDir, 'report.json');
  const { generateProject, PROGRESS_REPORTER_SOURCE } = await import('../../adapters/playwright/generate.js');
  const args: string[] = ['test'];
  const scenarioRefs = new Map<string, ScenarioRef>();
  const env: Record<string, string> = { PLAYWRIGHT_JSON_OUTPUT_FILE: jsonReport, PLAYWRIGHT_JSON_OUTPUT_NAME: jsonReport, FORCE_COLOR: '0' };
  if (baseUrl) env.SHOPFDS_BASE_URL = baseUrl;
  let cwd = ctx.io.cwd;

  if (mode.kind === 'scenarios') {
    const project = generateProject(toRun, {
      playwrightTestUrl: playwright.testEntryUrl,
      launches,
      retries,
      workers,
      jsonReportFile: 'report.json',
      progressReporterFile: 'progress-reporter.mjs',
    });
    // The project lives at a path named by its content and is kept between runs: Playwright caches
    // its Babel transform per file path and content, and a fresh directory per run would cost a
    // full transform (and loading Babel) every time. Per-run paths come from the environment.
    const projectDir = join(ctx.globals.stateDir, 'work', `project-${project.digest}`);
    writeProject(projectDir, project.files);
    env.SHOPFDS_JSON_REPORT = jsonReport;
    env.SHOPFDS_OUTPUT_DIR = join(workDir, 'test-results');
    for (const spec of project.specs) {
      const s = spec.scenario.scenario;
      scenarioRefs.set(spec.file, { name: s.name, file: spec.scenario.file, browser: s.browser, viewport: s.viewport, tags: s.tags, stepTitles: spec.stepTitles });
    }
    args.push('--config', join(projectDir, project.configFile));
    cwd = projectDir;
  } else {
    if (mode.kind === 'specs') {
      const testDir = commonDir(mode.specFiles);
      const launch = launches.map((l) => {
        const launchOptions = l.executablePath ? { executablePath: l.executablePath, args: l.args } : l.args.length ? { args: l.args } : undefined;
        return `    { name: ${JSON.stringify(l.browser)}, use: ${JSON.stringify({ browserName: l.browser, ...(launchOptions ? { launchOptions } : {}) })} },`;
      });
      // Stable content and path (see writeProject): per-run paths come from the environment.
      const config = `// Generated by shopfds-test for spec files run without a Playwright config.
import { defineConfig } from ${JSON.stringify(playwright.testEntryUrl)};

const env = process.env;

export default defineConfig({
  testDir: ${JSON.stringify(testDir)},
  outputDir: env.SHOPFDS_OUTPUT_DIR || 'test-results',
${retries === undefined ? '' : `  retries: ${retries},\n`}${workers === undefined ? '' : `  workers: ${workers},\n`}  reporter: [['json', { outputFile: env.SHOPFDS_JSON_REPORT || 'report.json' }], ['./progress-reporter.mjs']],
  use: { baseURL: env.SHOPFDS_BASE_URL || 'http://127.0.0.1:3000', headless: true, screenshot: 'only-on-failure', trace: 'retain-on-failure' },
  projects: [
${launch.join('\n')}
  ],
});
`;
      const files = new Map([
        ['playwright.config.mjs', config],
        ['progress-reporter.mjs', PROGRESS_REPORTER_SOURCE],
      ]);
      const projectDir = join(ctx.globals.stateDir, 'work', `project-${createHash('sha1').update(config).digest('hex').slice(0, 16)}`);
      writeProject(projectDir, files);
      env.SHOPFDS_JSON_REPORT = jsonReport;
      env.SHOPFDS_OUTPUT_DIR = join(workDir, 'test-results');
      args.push('--config', join(projectDir, 'playwright.config.mjs'), ...mode.specFiles.map((f) => escapeRegExp(toPosix(relative(testDir, f)))));
      cwd = testDir;
    } else {
      const reporterFile = join(dirname(workDir), 'progress-reporter.mjs');
      writeProject(dirname(reporterFile), new Map([['progress-reporter.mjs', PROGRESS_REPORTER_SOURCE]]));
      args.push('--config', mode.configFile, `--reporter=json,${reporterFile}`, ...mode.filters);
      if (retries !== undefined) args.push(`--retries=${retries}`);
      if (workers !== undefined) args.push(`--workers=${workers}`);
      for (const b of request.browsers ?? []) args.push(`--project=${b}`);
      cwd = dirname(mode.configFile);
      metadata.playwright_config = toPosix(relative(ctx.io.cwd, mode.configFile));
    }
    const grep = specGrep(request);
    if (grep !== undefined) args.push(`--grep=${grep}`);
  }
  if (shard) args.push(`--shard=${shard.current}/${shard.total}`);
  base.commandLine = `playwright ${args.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
  if (ctx.globals.debug) ctx.err(`shopfds-test: running ${redactSecrets(base.commandLine)} (in ${cwd})`);

  // 3. Run Playwright.
  const { runPlaywright } = await import('../../exec/playwright.js');
  // Load what the end of the run needs while the browsers work, so the tail after Playwright
  // exits is only parsing and saving.
  const warm = Promise.all([
    import('../../adapters/playwright/parse.js'),
    import('../../adapters/playwright/artifacts.js'),
    import('../../store/open.js').then((m): Promise<unknown> => (m.isPostgresUrl(ctx.globals.db) ? import('../../store/postgres/postgres-store.js') : import('../../store/sqlite/sqlite-store.js'))),
    import('../../report/index.js').then((m) => Promise.all([m.getRenderer(ctx.globals.json ? 'json' : 'table'), m.getRenderer('junit')])),
    import('../../model/validate.js'),
  ]).catch(() => {});
  ctx.progress.update(`starting Playwright ${playwright.version}…`);
  const capture = await runPlaywright(
    { cliPath: playwright.cliPath, args, cwd, env },
    { signal: ctx.signal, onProgress: progressHandler(ctx), echo: ctx.globals.debug ? (chunk) => void ctx.io.stderr.write(chunk) : undefined },
  );
  ctx.progress.stop();
  await warm;
  if (capture.spawnError) throw new ToolError(`could not start Playwright: ${capture.spawnError}`);

  // 4. Read what it wrote.
  const { parsePlaywrightReport } = await import('../../adapters/playwright/parse.js');
  const { copyArtifacts } = await import('../../adapters/playwright/artifacts.js');
  let parsed: ParsedPlaywrightRun | null = null;
  const runArtifacts: NonNullable<RunInput['artifacts']> = [];
  if (existsSync(jsonReport)) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(jsonReport, 'utf8'));
    } catch (error) {
      if (!capture.cancelled) throw new ToolError(`Playwright ${playwright.version} wrote a JSON report that cannot be read: ${(error as Error).message}`);
    }
    if (data !== undefined) {
      const result = parsePlaywrightReport(data, {
        scenarios: scenarioRefs,
        runId: start.id,
        environment: start.environment,
        executedBy: start.executedBy,
        ciBuildId: start.ci?.buildId ?? null,
        ciCommitSha: start.ci?.commitSha ?? null,
        fallbackStartedAt: start.startedAt,
      });
      if (!result.ok) throw new ToolError(`${result.message} (Playwright ${playwright.version})`);
      parsed = result.run;
      copyArtifacts(parsed.cases, parsed.testRuns, { artifactsDir: ctx.globals.artifactsDir, runId: start.id, cwd: ctx.io.cwd });
      // Keep Playwright's own report next to the copied attachments.
      const runDir = join(ctx.globals.artifactsDir, start.id);
      mkdirSync(runDir, { recursive: true });
      copyFileSync(jsonReport, join(runDir, 'playwright-report.json'));
      const shown = toPosix(relative(ctx.io.cwd, join(runDir, 'playwright-report.json')));
      runArtifacts.push({ name: 'playwright-report.json', kind: 'report', contentType: 'application/json', path: shown.startsWith('..') ? join(runDir, 'playwright-report.json') : shown, attempt: null });
    }
  }
  if (capture.cancelled || ctx.signal.aborted) return interruptedRun(parsed, runArtifacts);
  // A project of the user's config that needs a browser Playwright has not downloaded fails every
  // test with "Executable doesn't exist": that is a missing tool, not a test failure.
  const missing = parsed?.cases.find((c) => c.errorMessage && /Executable doesn't exist at/.test(c.errorMessage));
  if (missing) {
    const browser = /firefox/i.test(missing.errorMessage!) ? 'firefox' : /webkit/i.test(missing.errorMessage!) ? 'webkit' : 'chromium';
    throw new ToolError(`${browser} is not installed for Playwright (project ${missing.project ?? browser})`, {
      hint: `Install it with: npx playwright install ${browser}${browser === 'chromium' ? ', or point the project at a system Chromium (launchOptions.executablePath)' : ''}`,
    });
  }
  if (!parsed) {
    const output = `${capture.stderr}\n${capture.stdout}`.trim().split('\n').slice(-15).join('\n');
    throw new ToolError(`Playwright ${playwright.version} exited with ${capture.exitCode ?? capture.signal} without writing its JSON report${output ? `:\n${output}` : ''}`);
  }
  const completedAt = new Date().toISOString();
  return assembleRun(base, withDrafts(parsed), {
    scenarios: scenarioRecords,
    startedAt: start.startedAt,
    completedAt: Date.parse(completedAt) >= Date.parse(parsed.startedAt) ? undefined : completedAt,
    artifacts: runArtifacts,
  });
}
