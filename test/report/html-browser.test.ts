import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningShop } from '../../src/demo/shop.js';
import { openStore } from '../../src/store/open.js';
import type { Run } from '../../src/model/index.js';
import { stripAnsi } from '../../src/report/format.js';
import { REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { canaryRunWithMetrics, chaosRunWithTimeline, shardRuns } from './html-fixtures.js';

/*
 * The HTML report opened in real Chromium: runs made by the real commands (Playwright against the demo
 * shop with a fault, Newman with secrets, the k6 stand-in replaying recorded k6 output) and stored
 * chaos, canary and shard runs. Every request the page makes is routed and refused; the page must not
 * need one. SHOPFDS_UPDATE_SCREENSHOTS=1 writes the README's screenshots to docs/images/.
 */

const LONG = 240_000;
const CHROMIUM = '/usr/bin/chromium';
const STAND_IN_DIR = join(REPO_ROOT, 'test', 'fixtures', 'k6-stand-in');
const API_FIXTURES = join(REPO_ROOT, 'test', 'api', 'fixtures');
const SCREENSHOTS = process.env.SHOPFDS_UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'images') : null;
const API_SECRETS = ['sk-fixture-api-key-5f7c2e', 'static-bearer-token-8d1a', 'cookie-value-3b9e71', 'query-token-value-77ab', 'form-password-value-2c4d', 'client-secret-value-91ef', 'env-var-secret-6a0c', 'demo-password-1', '5555555555554444', '5555 5555 5555 4444'];

let tmp: ReturnType<typeof makeTempDir>;
let browser: Browser;
let shop: RunningShop;
const db = () => join(tmp.dir, 'results.db');

beforeAll(async () => {
  // These tests need a browser: fail loudly rather than skip when there is none.
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install one (apt-get install -y chromium)`);
  tmp = makeTempDir('shopfds-html-');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  shop = await startShop({ port: 0 });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  tmp?.cleanup();
});

interface Opened {
  readonly page: Page;
  readonly errors: string[];
  /** Requests other than the report document itself. */
  readonly requests: string[];
}

/** Opens a report file with every request refused and recorded, and console errors collected. */
async function openReport(file: string): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const self = pathToFileURL(file).href;
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (r.url() !== self) requests.push(r.url());
  });
  await context.route('**/*', (route) => (route.request().url() === self ? route.continue() : (requests.push(route.request().url()), route.abort())));
  await page.goto(self);
  await page.waitForFunction(() => Array.isArray((window as any).shopfdsCharts));
  return { page, errors, requests };
}

/** Each chart's points and how many canvas pixels it painted. */
async function chartStats(page: Page): Promise<{ title: string; points: number; values: number; painted: number }[]> {
  return page.evaluate(() =>
    (window as any).shopfdsCharts.map((c: any) => {
      const canvas = document.querySelector(`#${c.id} canvas`) as HTMLCanvasElement | null;
      let painted = 0;
      if (canvas) {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      }
      const values = c.plot.data.slice(1).reduce((n: number, s: (number | null)[]) => n + s.filter((v) => v !== null && v !== undefined).length, 0);
      return { title: c.title, points: c.plot.data[0].length, values, painted };
    }),
  );
}

function expectChartsDrawn(stats: Awaited<ReturnType<typeof chartStats>>, titles: readonly string[]): void {
  for (const title of titles) {
    const chart = stats.find((s) => s.title === title);
    expect(chart, `chart "${title}" in ${JSON.stringify(stats.map((s) => s.title))}`).toBeDefined();
    expect(chart!.points, title).toBeGreaterThan(1);
    expect(chart!.values, title).toBeGreaterThan(1);
    expect(chart!.painted, `${title} painted pixels`).toBeGreaterThan(500);
  }
}

/** Failures come before the full case list, and the first listed failure is a failing case. */
async function expectFailuresFirst(page: Page): Promise<void> {
  const order = await page.evaluate(() => {
    const sections = [...document.querySelectorAll('main > section')].map((s) => s.className.replace('card ', ''));
    const first = document.querySelector('.failures .failure .badge')?.textContent ?? null;
    return { sections, first };
  });
  expect(order.sections.indexOf('failures'), JSON.stringify(order.sections)).toBeGreaterThan(-1);
  expect(order.sections.indexOf('failures')).toBeLessThan(order.sections.indexOf('cases'));
  expect(order.sections[0]).toBe('summary');
  expect(order.first).toMatch(/failed|timed out/);
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: false });
}

function runIdOf(text: string): string {
  const m = /run ([0-9a-f]{8}-[0-9a-f-]{27})/.exec(text);
  if (!m) throw new Error(`no run id in: ${text}`);
  return m[1]!;
}

async function saveRuns(runs: readonly Run[]): Promise<void> {
  const store = await openStore(db());
  try {
    for (const r of runs) await store.saveRun(r);
  } finally {
    await store.close();
  }
}

describe('HTML report in real Chromium', { timeout: 180_000 }, () => {
  it(
    'a failed e2e run (real Playwright, fault injected in the demo shop): failure first with message, stack, screenshot and steps; --html on the run command',
    async () => {
      const faults = JSON.stringify({ routes: { 'POST /api/orders': { down: true } } });
      const r = await runBin(['--db', db(), 'e2e', join(REPO_ROOT, 'scenarios', 'signup-to-payment-approved.yaml'), '--retries', '0', '--html', 'e2e-report.html'], {
        cwd: tmp.dir,
        env: cliEnv({ SHOPFDS_DEMO_FAULTS: faults }),
        timeoutMs: LONG - 10_000,
      });
      expect(r.exitCode, r.stderr).toBe(1);
      const file = join(tmp.dir, 'e2e-report.html');
      const html = readFileSync(file, 'utf8');
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/i);
      // What the store holds for the run, to hold the page against (a loaded machine may time the
      // scenario out before step 18 fails: the page must show whichever happened).
      const shown = await runBin(['--db', db(), '--json', 'runs', 'show', runIdOf(r.stdout)], { cwd: tmp.dir });
      expect(shown.exitCode, shown.stderr).toBe(0);
      const stored = JSON.parse(shown.stdout) as Run;
      const kase = stored.cases[0]!;
      expect(kase.status).toMatch(/failed|timed_out/);
      const { page, errors, requests } = await openReport(file);
      await expectFailuresFirst(page);
      const failure = page.locator('.failures .failure').first();
      expect((await failure.locator('.msg').first().textContent())!.trim()).toBe(stripAnsi(kase.errorMessage!).trim());
      expect(await failure.locator('pre').count()).toBeGreaterThan(0);
      // The failure screenshot is inlined and decodes as an image; the trace is linked.
      expect(kase.artifacts.map((a) => a.kind)).toEqual(expect.arrayContaining(['screenshot', 'trace']));
      const shot = failure.locator('.shots img').first();
      expect(await shot.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
      expect(await shot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
      expect(await failure.locator('a', { hasText: 'trace' }).count()).toBeGreaterThan(0);
      // Per-step results, one row per stored step with its status.
      const steps = await failure.locator('table.steps tbody tr').evaluateAll((rows) => rows.map((row) => row.className));
      const storedSteps = stored.e2e!.test_runs[0]!.steps;
      expect(storedSteps.length).toBeGreaterThan(17);
      expect(steps).toEqual(storedSteps.map((st) => `s-${st.status}`));
      expect(steps.filter((c) => c === 's-passed').length).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await screenshot(page, 'report-e2e-failed.png');

      // The same run rendered again from the store is the same page.
      const again = await runBin(['--db', db(), 'report', runIdOf(r.stdout), '--format', 'html', '-o', 'e2e-report.html'], { cwd: tmp.dir });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(html);
      await page.context().close();
    },
    LONG,
  );

  it(
    'a k6 stand-in run (replays recorded k6 output): VUs, requests/s, p95 and error-rate charts drawn, thresholds listed, failures first',
    async () => {
      const r = await runBin(['--db', db(), 'perf', 'load', '--html', 'perf.html'], {
        cwd: tmp.dir,
        env: cliEnv({ PATH: `${STAND_IN_DIR}:${process.env.PATH}`, K6_STANDIN_SCENARIO: 'thresholds' }),
        timeoutMs: 120_000,
      });
      expect(r.exitCode, r.stderr).toBe(1);
      const { page, errors, requests } = await openReport(join(tmp.dir, 'perf.html'));
      const stats = await chartStats(page);
      expectChartsDrawn(stats, ['Virtual users and requests per second', 'Response time', 'Error rate']);
      expect(await page.locator('table.thresholds tbody tr.s-failed').count()).toBeGreaterThan(0);
      await expectFailuresFirst(page);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.locator('section.perf').scrollIntoViewIfNeeded();
      await screenshot(page, 'report-perf.png');
      await page.context().close();
    },
    LONG,
  );

  it(
    'an API run (real Newman with secrets): per-request table with method, endpoint, status, time and assertions; no secret in the file',
    async () => {
      const r = await runBin(
        ['--db', db(), 'api', join(API_FIXTURES, 'secrets.postman_collection.json'), '-e', join(API_FIXTURES, 'secrets.postman_environment.json'), '--env-var', 'extraSecret=env-var-secret-6a0c', '--base-url', shop.url, '--html', 'api.html'],
        { cwd: tmp.dir, timeoutMs: 120_000 },
      );
      expect(r.exitCode, r.stderr).toBe(1);
      const file = join(tmp.dir, 'api.html');
      const html = readFileSync(file, 'utf8');
      for (const secret of API_SECRETS) expect(html.includes(secret), `report contains ${secret}`).toBe(false);
      expect(/sfd_[A-Za-z0-9_-]{4,}/.exec(html)?.[0], 'an issued token').toBeUndefined();
      const { page, errors, requests } = await openReport(file);
      const rows = page.locator('table.requests tbody tr');
      expect(await rows.count()).toBeGreaterThan(3);
      const cells = await rows.first().locator('td').allTextContents();
      expect(cells[1]).toMatch(/^(GET|POST|PUT|PATCH|DELETE)$/);
      expect(cells[2]).toContain('/');
      expect(cells[3]).toMatch(/^\d{3}$/);
      expect(cells[4]).toMatch(/^\d+ ms$/);
      expect(cells[5]).toMatch(/^\d+\/\d+/);
      expectChartsDrawn(await chartStats(page), ['Response time per request']);
      await expectFailuresFirst(page);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await screenshot(page, 'report-api.png');
      await page.context().close();
    },
    LONG,
  );

  it('a chaos run: steady state, injection, probe, recovery and verdict in time order, the audit trail, a latency chart', async () => {
    const run = chaosRunWithTimeline();
    await saveRuns([run]);
    const r = await runBin(['--db', db(), 'report', run.id, '--format', 'html', '-o', 'chaos.html'], { cwd: tmp.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const { page, errors, requests } = await openReport(join(tmp.dir, 'chaos.html'));
    const timeline = await page.locator('.timeline li b').allTextContents();
    expect(timeline[0]).toBe('steady state before');
    expect(timeline.indexOf('during injection')).toBeGreaterThan(0);
    expect(timeline.indexOf('recovery')).toBeGreaterThan(timeline.indexOf('during injection'));
    expect(timeline.at(-1)).toBe('verdict');
    expect(await page.locator('table.audit tbody tr td:nth-child(3)').allTextContents()).toEqual(['created', 'approved', 'started', 'completed']);
    expectChartsDrawn(await chartStats(page), ['p95_latency_ms']);
    await expectFailuresFirst(page);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.locator('section.chaos').scrollIntoViewIfNeeded();
    await screenshot(page, 'report-chaos.png');
    await page.context().close();
  });

  it('a canary run: weight, error rate and p95 over the analysis with the rollback reason', async () => {
    const run = canaryRunWithMetrics();
    await saveRuns([run]);
    const r = await runBin(['--db', db(), 'report', run.id, '--format', 'html', '-o', 'canary.html'], { cwd: tmp.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const { page, errors, requests } = await openReport(join(tmp.dir, 'canary.html'));
    expect(await page.locator('section.canary .banner').textContent()).toContain('request-success-rate 95.8% < 99%');
    expectChartsDrawn(await chartStats(page), ['Traffic weight', 'Error rate', 'Response time p95']);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.locator('section.canary').scrollIntoViewIfNeeded();
    await screenshot(page, 'report-canary.png');
    await page.context().close();
  });

  it('--group renders every shard in one page, each child linked, the failing one first', async () => {
    await saveRuns(shardRuns('build-4711'));
    const r = await runBin(['--db', db(), 'report', '--group', 'build-4711', '--format', 'html', '-o', 'group.html'], { cwd: tmp.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const { page, errors, requests } = await openReport(join(tmp.dir, 'group.html'));
    expect(await page.locator('#group-summary h1 .badge').textContent()).toBe('failed');
    const links = await page.locator('table.children tbody a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(links.map((l) => l[0])).toEqual(['checkout shard 2', 'checkout shard 1']);
    for (const [, href] of links) expect(await page.locator(href!).count(), href!).toBe(1);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.context().close();
  });

  it('report --latest --format html --open prints the path in CI instead of opening a browser', async () => {
    await saveRuns([canaryRunWithMetrics(randomUUID())]);
    const r = await runBin(['--db', db(), 'report', '--latest', '--format', 'html', '--open'], { cwd: tmp.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const path = r.stdout.trim();
    expect(path).toMatch(/\.shopfds\/reports\/[0-9a-f-]{36}\.html$/);
    expect(readFileSync(path, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('report --latest --format html --open opens the page in the desktop browser outside CI (SHOPFDS_BROWSER stands for it)', async () => {
    await saveRuns([canaryRunWithMetrics(randomUUID())]);
    const opener = join(tmp.dir, 'fake-browser.sh');
    const seen = join(tmp.dir, 'browser-argv.txt');
    writeFileSync(opener, `#!/bin/sh\nprintf '%s' "$1" > '${seen}'\n`);
    chmodSync(opener, 0o755);
    const env = cliEnv({ SHOPFDS_BROWSER: opener });
    delete env.CI;
    const r = await runBin(['--db', db(), 'report', '--latest', '--format', 'html', '--open', '-o', 'opened.html'], { cwd: tmp.dir, env });
    expect(r.exitCode, r.stderr).toBe(0);
    await expect.poll(() => (existsSync(seen) ? readFileSync(seen, 'utf8') : '')).toBe(join(tmp.dir, 'opened.html'));
    // Opened: the path is not printed.
    expect(r.stdout).toBe('');
    // Without a display or an opener there is nothing to open: the path is printed instead.
    const headless = cliEnv({ DISPLAY: '', WAYLAND_DISPLAY: '' });
    delete headless.CI;
    delete headless.SHOPFDS_BROWSER;
    const h = await runBin(['--db', db(), 'report', '--latest', '--format', 'html', '--open', '-o', 'headless.html'], { cwd: tmp.dir, env: headless });
    expect(h.exitCode, h.stderr).toBe(0);
    expect(h.stdout.trim()).toBe(join(tmp.dir, 'headless.html'));
  });

  it('--open with another format is a usage error (exit 2)', async () => {
    const r = await runBin(['--db', db(), 'report', '--latest', '--format', 'junit', '--open'], { cwd: tmp.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('shopfds-test: error E_USAGE: --open goes with --format html');
  });
});
