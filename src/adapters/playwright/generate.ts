import { createHash } from 'node:crypto';
import type { Browser } from './browsers.js';
import { expectedTitle, stepTitle, type ExpectedResult, type LoadedScenario, type ScenarioStep } from './scenario.js';

/*
 * Builds a Playwright test project from scenarios: one spec per scenario, each step a `test.step()`,
 * each expected result an `expect` inside a step. Pure: returns file names and contents; the
 * caller writes them. The project is a plain Playwright project, so `playwright test --config
 * <dir>/playwright.config.mjs` runs it the same way without shopfds-test.
 */

/** How to launch one browser: Playwright's own build (null) or a system executable. */
export interface BrowserLaunch {
  readonly browser: Browser;
  readonly executablePath: string | null;
  readonly args: readonly string[];
}

export interface GenerateOptions {
  /** `file://` URL of the `@playwright/test` entry the runner itself uses (one instance only). */
  readonly playwrightTestUrl: string;
  readonly launches: readonly BrowserLaunch[];
  /** Overrides every scenario's retry_count. */
  readonly retries?: number;
  readonly workers?: number;
  /** File name (in the project directory) the JSON reporter writes. */
  readonly jsonReportFile: string;
  readonly progressReporterFile: string;
}

export interface GeneratedSpec {
  /** File name inside the project directory. */
  readonly file: string;
  readonly scenario: LoadedScenario;
  /** Titles of the steps in order: scenario steps, then expected results. */
  readonly stepTitles: readonly string[];
  /** The scenario file's line of each of those steps (null where unknown). */
  readonly stepLines: readonly (number | null)[];
}

export interface GeneratedProject {
  readonly files: ReadonlyMap<string, string>;
  readonly specs: readonly GeneratedSpec[];
  readonly configFile: string;
  /** A digest of every file: the same scenarios and browsers give the same project. */
  readonly digest: string;
}

const lit = (value: unknown): string => JSON.stringify(value);

/** `shopfds-test demo serve`'s address, for running a generated project by hand. */
const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

/** A string literal, or `v("...")` when it holds `{{unique}}` and friends. */
function str(value: string): string {
  return value.includes('{{') ? `v(${lit(value)})` : lit(value);
}

function timeoutArg(ms: number | undefined, prefix = ''): string {
  return ms === undefined ? '' : `${prefix}{ timeout: ${ms} }`;
}

function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'scenario';
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function stepCode(step: ScenarioStep, n: number, title: string): string {
  const t = step.timeout_ms;
  const loc = (selector: string) => `page.locator(${str(selector)})`;
  switch (step.action) {
    case 'goto':
      return `await page.goto(${str(step.url)}${timeoutArg(t, ', ')});`;
    case 'click':
    case 'dblclick':
    case 'check':
    case 'uncheck':
    case 'hover':
      return `await ${loc(step.selector)}.${step.action}(${timeoutArg(t)});`;
    case 'fill':
      return `await ${loc(step.selector)}.fill(${str(step.value)}${timeoutArg(t, ', ')});`;
    case 'select': {
      const value = Array.isArray(step.value) ? `[${step.value.map(str).join(', ')}]` : str(step.value);
      return `await ${loc(step.selector)}.selectOption(${value}${timeoutArg(t, ', ')});`;
    }
    case 'press':
      return step.selector
        ? `await ${loc(step.selector)}.press(${lit(step.key)}${timeoutArg(t, ', ')});`
        : `await page.keyboard.press(${lit(step.key)});`;
    case 'wait_for': {
      const lines: string[] = [];
      if (step.url) lines.push(`await page.waitForURL(${urlMatcher(step.url)}${timeoutArg(t, ', ')});`);
      // `.first()`: waiting for "a matching element" must not trip strict mode when several match.
      if (step.selector) lines.push(`await ${loc(step.selector)}.first().waitFor({ state: ${lit(step.state ?? 'visible')}${t === undefined ? '' : `, timeout: ${t}`} });`);
      if (step.load_state || lines.length === 0) lines.push(`await page.waitForLoadState(${lit(step.load_state ?? 'load')}${timeoutArg(t, ', ')});`);
      return lines.join('\n    ');
    }
    case 'screenshot': {
      const target = step.selector ? loc(step.selector) : 'page';
      const opts = step.selector ? `{ path${t === undefined ? '' : `, timeout: ${t}`} }` : `{ path, fullPage: ${step.full_page ? 'true' : 'false'}${t === undefined ? '' : `, timeout: ${t}`} }`;
      return [
        `const path = testInfo.outputPath(${lit(`step-${n}.png`)});`,
        `await ${target}.screenshot(${opts});`,
        `await testInfo.attach(${lit(`step ${n}: ${title}`)}, { path, contentType: 'image/png' });`,
      ].join('\n    ');
    }
    case 'reload':
      return `await page.reload(${timeoutArg(t)});`;
    case 'go_back':
      return `await page.goBack(${timeoutArg(t)});`;
  }
}

/** A path (`/cart`) matches the URL's path with any query or hash; an absolute URL must match exactly. */
function urlMatcher(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return str(value);
  if (value.includes('{{')) return `new RegExp('^[a-z]+://[^/]+' + escapeRegExp(v(${lit(value)})) + '(?:[?#].*)?$')`;
  const path = value.startsWith('/') ? value : `/${value}`;
  return `/^[a-z]+:\\/\\/[^/]+${escapeRegExp(path)}(?:[?#].*)?$/`;
}

function expectCode(e: ExpectedResult): string {
  const t = e.timeout_ms;
  const loc = (selector: string, first = false) => `page.locator(${str(selector)})${first ? '.first()' : ''}`;
  switch (e.type) {
    case 'url':
      return `await expect(page).toHaveURL(${urlMatcher(e.value)}${timeoutArg(t, ', ')});`;
    case 'title':
      return `await expect(page).toHaveTitle(${str(e.value)}${timeoutArg(t, ', ')});`;
    case 'visible':
      return `await expect(${loc(e.selector, true)}).toBeVisible(${timeoutArg(t)});`;
    case 'hidden':
      return `await expect(${loc(e.selector, true)}).toBeHidden(${timeoutArg(t)});`;
    case 'enabled':
      return `await expect(${loc(e.selector, true)}).toBeEnabled(${timeoutArg(t)});`;
    case 'disabled':
      return `await expect(${loc(e.selector, true)}).toBeDisabled(${timeoutArg(t)});`;
    case 'checked':
      return `await expect(${loc(e.selector)}).toBeChecked({ checked: ${e.value === false ? 'false' : 'true'}${t === undefined ? '' : `, timeout: ${t}`} });`;
    case 'text':
      return `await expect(${loc(e.selector)}).${e.contains ? 'toContainText' : 'toHaveText'}(${str(e.value)}${timeoutArg(t, ', ')});`;
    case 'value':
      return `await expect(${loc(e.selector)}).toHaveValue(${str(e.value)}${timeoutArg(t, ', ')});`;
    case 'count':
      return `await expect(${loc(e.selector)}).toHaveCount(${e.value}${timeoutArg(t, ', ')});`;
    case 'attribute':
      return `await expect(${loc(e.selector)}).toHaveAttribute(${lit(e.attribute)}, ${str(e.value)}${timeoutArg(t, ', ')});`;
  }
}

function tagOf(tag: string): string {
  return `@${tag.replace(/^@/, '').replace(/\s+/g, '-')}`;
}

/** The spec source of one scenario. */
export function generateSpec(loaded: LoadedScenario, options: Pick<GenerateOptions, 'playwrightTestUrl' | 'retries'>): { source: string; stepTitles: string[] } {
  const s = loaded.scenario;
  const retries = options.retries ?? s.retry_count;
  const stepTitles: string[] = [];
  const body: string[] = [];
  s.steps.forEach((step, i) => {
    const title = stepTitle(step);
    stepTitles.push(title);
    body.push(`  await test.step(${lit(title)}, async () => {\n    ${stepCode(step, i + 1, title)}\n  });`);
  });
  for (const e of s.expected_results) {
    const title = expectedTitle(e);
    stepTitles.push(title);
    body.push(`  await test.step(${lit(title)}, async () => {\n    ${expectCode(e)}\n  });`);
  }
  const details = { tag: [...new Set(s.tags.map(tagOf))] };
  const source = `// Generated by shopfds-test from ${loaded.file}; edit the scenario file, not this one.
import { test, expect } from ${lit(options.playwrightTestUrl)};

test.describe.configure({ retries: ${retries}, timeout: ${s.timeout_ms} });
test.use({ viewport: ${lit(s.viewport)} });

function escapeRegExp(value) {
  return value.replace(/[.*+?^\${}()|[\\]\\\\/]/g, '\\\\$&');
}

test(${lit(s.name)}, ${lit(details)}, async ({ page }, testInfo) => {
  // {{unique}}: one token per attempt, so retries and parallel workers never reuse an email.
  const unique = \`\${Date.now().toString(36)}\${testInfo.parallelIndex}r\${testInfo.retry}\${Math.random().toString(36).slice(2, 6)}\`;
  const v = (text) => text.replaceAll('{{unique}}', unique);
  void v;
${body.join('\n')}
});
`;
  return { source, stepTitles };
}

/** The progress reporter: JSON lines on the file descriptor named by SHOPFDS_PROGRESS_FD, else silent. */
export const PROGRESS_REPORTER_SOURCE = `// Generated by shopfds-test: reports test progress as JSON lines for the live status line.
import { writeSync } from 'node:fs';

const fd = process.env.SHOPFDS_PROGRESS_FD ? Number(process.env.SHOPFDS_PROGRESS_FD) : null;

function send(event) {
  if (fd === null) return;
  try {
    writeSync(fd, JSON.stringify(event) + '\\n');
  } catch {
    // The orchestrator went away; progress is best effort.
  }
}

function titleOf(test) {
  // [root, project, file, ...describes, title]
  return test.titlePath().slice(3).join(' › ') || test.title;
}

export default class ShopfdsProgressReporter {
  printsToStdio() {
    return false;
  }
  onBegin(config, suite) {
    send({ type: 'begin', total: suite.allTests().length, workers: config.workers });
  }
  onTestBegin(test, result) {
    send({ type: 'test-begin', title: titleOf(test), project: test.parent?.project()?.name ?? null, retry: result.retry });
  }
  onTestEnd(test, result) {
    const outcome = test.outcome();
    const final = outcome !== 'unexpected' || result.retry >= test.retries || result.status === 'interrupted';
    send({ type: 'test-end', title: titleOf(test), project: test.parent?.project()?.name ?? null, retry: result.retry, status: result.status, outcome, final, durationMs: result.duration });
  }
  onError(error) {
    send({ type: 'error', message: error.message ?? String(error.value ?? '') });
  }
  onEnd(result) {
    send({ type: 'end', status: result.status });
  }
}
`;

/** Builds the whole project: config, progress reporter and one spec per scenario. */
export function generateProject(scenarios: readonly LoadedScenario[], options: GenerateOptions): GeneratedProject {
  const files = new Map<string, string>();
  const specs: GeneratedSpec[] = [];
  const used = new Set<string>();
  for (const loaded of scenarios) {
    let base = slugify(loaded.scenario.name);
    for (let i = 2; used.has(base); i++) base = `${slugify(loaded.scenario.name)}-${i}`;
    used.add(base);
    const file = `${base}.spec.mjs`;
    const { source, stepTitles } = generateSpec(loaded, options);
    files.set(file, source);
    specs.push({ file, scenario: loaded, stepTitles, stepLines: stepTitles.map((_, i) => loaded.stepLines?.[i] ?? null) });
  }
  const projects = options.launches
    .map((launch) => {
      const testMatch = specs.filter((s) => s.scenario.scenario.browser === launch.browser).map((s) => s.file);
      if (testMatch.length === 0) return null;
      const launchOptions = launch.executablePath ? { executablePath: launch.executablePath, args: launch.args } : launch.args.length ? { args: launch.args } : undefined;
      const use = { browserName: launch.browser, ...(launchOptions ? { launchOptions } : {}) };
      return `    { name: ${lit(launch.browser)}, testMatch: ${lit(testMatch)}, use: ${lit(use)} },`;
    })
    .filter((p): p is string => p !== null);
  // Everything that changes from run to run (base URL, report and output paths) comes from the
  // environment, so the project's files stay byte-identical across runs and Playwright's transform
  // cache (keyed by path and content) skips Babel on every run after the first.
  const config = `// Generated by shopfds-test. Run it directly with:
//   SHOPFDS_BASE_URL=http://127.0.0.1:3000 playwright test --config <this file>
import { defineConfig } from ${lit(options.playwrightTestUrl)};

const env = process.env;

export default defineConfig({
  testDir: '.',
  outputDir: env.SHOPFDS_OUTPUT_DIR || './test-results',
  forbidOnly: true,
${options.workers === undefined ? '' : `  workers: ${options.workers},\n`}  reporter: [['json', { outputFile: env.SHOPFDS_JSON_REPORT || ${lit(`./${options.jsonReportFile}`)} }], [${lit(`./${options.progressReporterFile}`)}]],
  use: {
    baseURL: env.SHOPFDS_BASE_URL || ${lit(DEFAULT_BASE_URL)},
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
${projects.join('\n')}
  ],
});
`;
  files.set('playwright.config.mjs', config);
  files.set(options.progressReporterFile, PROGRESS_REPORTER_SOURCE);
  const hash = createHash('sha1');
  for (const [file, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(file).update('\0').update(text).update('\0');
  return { files, specs, configFile: 'playwright.config.mjs', digest: hash.digest('hex').slice(0, 16) };
}

export interface SpecProjectOptions {
  readonly playwrightTestUrl: string;
  readonly launches: readonly BrowserLaunch[];
  /** The directory Playwright searches for the spec files. */
  readonly testDir: string;
  readonly retries?: number;
  readonly workers?: number;
}

/**
 * The project for Playwright spec files run without a config of their own: a config with one
 * project per browser, the JSON reporter and the progress reporter. Stable content (per-run paths
 * come from the environment), so its directory can be named by its digest and kept between runs.
 */
export function generateSpecProject(options: SpecProjectOptions): Pick<GeneratedProject, 'files' | 'configFile' | 'digest'> {
  const launch = options.launches.map((l) => {
    const launchOptions = l.executablePath ? { executablePath: l.executablePath, args: l.args } : l.args.length ? { args: l.args } : undefined;
    return `    { name: ${lit(l.browser)}, use: ${lit({ browserName: l.browser, ...(launchOptions ? { launchOptions } : {}) })} },`;
  });
  const config = `// Generated by shopfds-test for spec files run without a Playwright config.
import { defineConfig } from ${lit(options.playwrightTestUrl)};

const env = process.env;

export default defineConfig({
  testDir: ${lit(options.testDir)},
  outputDir: env.SHOPFDS_OUTPUT_DIR || 'test-results',
${options.retries === undefined ? '' : `  retries: ${options.retries},\n`}${options.workers === undefined ? '' : `  workers: ${options.workers},\n`}  reporter: [['json', { outputFile: env.SHOPFDS_JSON_REPORT || 'report.json' }], ['./progress-reporter.mjs']],
  use: { baseURL: env.SHOPFDS_BASE_URL || ${lit(DEFAULT_BASE_URL)}, headless: true, screenshot: 'only-on-failure', trace: 'retain-on-failure' },
  projects: [
${launch.join('\n')}
  ],
});
`;
  const files = new Map([
    ['playwright.config.mjs', config],
    ['progress-reporter.mjs', PROGRESS_REPORTER_SOURCE],
  ]);
  return { files, configFile: 'playwright.config.mjs', digest: createHash('sha1').update(config).digest('hex').slice(0, 16) };
}
