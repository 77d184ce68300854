import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/model/index.js';
import { openStore } from '../../src/store/open.js';
import { BIN, cliEnv, makeTempDir } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { bigPerfRun, canaryRunWithMetrics, chaosRunWithTimeline, shardRuns } from './html-fixtures.js';
import { makeRun } from './fixtures.js';

/*
 * `shopfds-test serve` spawned for real over SQLite (and PostgreSQL), driven in real Chromium. Every
 * request a page makes is routed: the dashboard's own origin passes, anything else is refused and
 * fails the test. SHOPFDS_UPDATE_SCREENSHOTS=1 writes the README's screenshots to docs/images/.
 */

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = process.env.SHOPFDS_UPDATE_SCREENSHOTS === '1' ? join(__dirname, '..', '..', 'docs', 'images') : null;

let tmp: ReturnType<typeof makeTempDir>;
let browser: Browser;
let server: { child: ChildProcess; url: string; stderr: () => string };
const db = () => join(tmp.dir, 'results.db');

const SHOT_PATH = '.shopfds/artifacts/e2e-b/pays-with-card/test-failed-1.png';

/** Two runs of the same suite: "pays with card" passes in the first and fails (with a screenshot) in the second. */
function e2ePair(): [Run, Run] {
  const a = makeRun({
    id: '6c0a4e75-8b93-4cb4-9fc6-d7e8f9a0b1c2',
    name: 'checkout',
    startedAt: '2025-11-02T08:00:00.000Z',
    runGroup: null,
    cases: [{ name: 'adds to cart' }, { name: 'pays with card' }, { name: 'applies coupon', status: 'flaky' }],
  });
  const b = makeRun({
    id: '7d1b5f86-9ca4-4dc5-80d7-e8f9a0b1c2d3',
    name: 'checkout',
    startedAt: '2025-11-03T08:00:00.000Z',
    runGroup: null,
    cases: [
      { name: 'adds to cart' },
      { name: 'pays with card', status: 'failed', errorMessage: 'expected "approved", got "declined"', errorStack: 'Error: expected "approved"\n    at checkout.spec.ts:40:7', artifacts: [{ name: 'screenshot', kind: 'screenshot', contentType: 'image/png', path: SHOT_PATH, attempt: 0 }] },
      { name: 'applies coupon' },
    ],
  });
  return [a, b];
}

async function saveRuns(target: string, runs: readonly Run[]): Promise<void> {
  const store = await openStore(target);
  try {
    for (const r of runs) await store.saveRun(r);
  } finally {
    await store.close();
  }
}

/** Spawns `serve --port 0` and waits for the address it prints. */
function startServe(dbTarget: string, cwd: string, extra: string[] = []): Promise<typeof server> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, '--db', dbTarget, 'serve', '--port', '0', ...extra], { cwd, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no address: ${err}`)), 90_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^(http:\/\/\S+)\n/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1]!, stderr: () => err });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

function stopServe(s: typeof server): Promise<number | null> {
  return new Promise((resolvePromise) => {
    if (s.child.exitCode !== null) return resolvePromise(s.child.exitCode);
    s.child.once('exit', (code) => resolvePromise(code));
    s.child.kill('SIGINT');
  });
}

/** A raw GET (no URL normalisation, so `..` reaches the server as sent). */
function rawGet(url: string, path: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; type: string; body: Buffer }> {
  const u = new URL(url);
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method: options.method ?? 'GET', headers: options.host ? { host: options.host } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Opened {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
  readonly foreign: string[];
}

async function open(path: string): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const origin = new URL(server.url).origin;
  const errors: string[] = [];
  const foreign: string[] = [];
  await context.route('**/*', (route) => (new URL(route.request().url()).origin === origin ? route.continue() : (foreign.push(route.request().url()), route.abort())));
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(new URL(path, server.url).href);
  return { context, page, errors, foreign };
}

async function chartTitles(page: Page): Promise<{ title: string; values: number }[]> {
  await page.waitForFunction(() => Array.isArray((window as any).shopfdsCharts));
  return page.evaluate(() =>
    (window as any).shopfdsCharts.map((c: any) => ({
      title: c.title,
      values: c.plot.data.slice(1).reduce((n: number, s: (number | null)[]) => n + s.filter((v) => v != null).length, 0),
    })),
  );
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name) });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install one (apt-get install -y chromium)`);
  tmp = makeTempDir('shopfds-serve-');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  // A real PNG for the failed case, and files outside the artifacts folder that must never be served.
  const artifacts = join(tmp.dir, '.shopfds', 'artifacts');
  mkdirSync(join(tmp.dir, '.shopfds/artifacts/e2e-b/pays-with-card'), { recursive: true });
  const page = await browser.newPage();
  await page.setContent('<body style="background:#c62828;color:#fff;font:40px sans-serif">declined</body>');
  await page.screenshot({ path: join(tmp.dir, SHOT_PATH), clip: { x: 0, y: 0, width: 320, height: 200 } });
  await page.close();
  writeFileSync(join(tmp.dir, 'secret.txt'), 'TOP-SECRET-OUTSIDE-ARTIFACTS');
  symlinkSync(join(tmp.dir, 'secret.txt'), join(artifacts, 'link.txt'));
  symlinkSync(tmp.dir, join(artifacts, 'link-out'));
  const perf = bigPerfRun(600);
  const perfB = { ...bigPerfRun(300), id: '8e2c6a97-adb5-4ed6-91e8-f9a0b1c2d3e4', startedAt: '2025-11-04T08:00:00.000Z', completedAt: '2025-11-04T08:05:00.000Z', perf: { test: { ...bigPerfRun(300).perf!.test, p95_response_time: 380 } } };
  await saveRuns(db(), [...e2ePair(), chaosRunWithTimeline(), canaryRunWithMetrics(), ...shardRuns('build-4711'), perf, perfB]);
  server = await startServe(db(), tmp.dir);
}, 180_000);

afterAll(async () => {
  if (server) await stopServe(server);
  await browser?.close();
  tmp?.cleanup();
});

describe('shopfds-test serve (real server, real Chromium)', { timeout: 180_000 }, () => {
  it('binds 127.0.0.1 by default and answers only GET and HEAD for its own host', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect((await rawGet(server.url, '/', { method: 'POST' })).status).toBe(405);
    expect((await rawGet(server.url, '/runs/6c0a4e75', { method: 'DELETE' })).status).toBe(405);
    expect((await rawGet(server.url, '/', { host: 'evil.example:80' })).status).toBe(421);
    expect((await rawGet(server.url, '/', { method: 'HEAD' })).status).toBe(200);
  });

  it('lists runs with filters; a run opens as its report with the failure first and its screenshot served', async () => {
    const { context, page, errors, foreign } = await open('/');
    const names = await page.locator('#runs tbody tr td:nth-child(2) > a').allTextContents();
    expect(names.length).toBe(8);
    await shot(page, 'dashboard-runs.png');
    await page.selectOption('select[name="kind"]', 'chaos');
    await Promise.all([page.waitForURL(/kind=chaos/), page.click('form.filters button[type="submit"]')]);
    expect(await page.locator('#runs tbody tr td:nth-child(3)').allTextContents()).toEqual(['chaos']);

    await page.goto(new URL('/?kind=e2e&status=failed', server.url).href);
    const failed = page.locator('#runs tbody tr a', { hasText: 'checkout' }).first();
    await Promise.all([page.waitForURL(/\/runs\//), failed.click()]);
    await expect.poll(() => page.locator('.failures .failure h3').first().textContent()).toContain('pays with card');
    const img = page.locator('.failures .shots img').first();
    expect(await img.getAttribute('src')).toBe(`/artifacts/${SHOT_PATH.slice('.shopfds/artifacts/'.length)}`);
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(320);
    await shot(page, 'dashboard-run.png');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('a performance run opens with its charts drawn from the time series', async () => {
    const { context, page, errors, foreign } = await open('/runs/5b9f3d64');
    const charts = await chartTitles(page);
    expect(charts.map((c) => c.title)).toEqual(['Virtual users and requests per second', 'Response time', 'Error rate']);
    for (const c of charts) expect(c.values, c.title).toBeGreaterThan(100);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('trends: pass rate, durations, p95 by scenario and chaos recovery times charted', async () => {
    const { context, page, errors, foreign } = await open('/trends');
    const charts = await chartTitles(page);
    expect(charts.map((c) => c.title)).toEqual(['Pass rate by kind', 'Run duration by kind', 'p95 response time by scenario', 'Chaos recovery time by experiment']);
    expect(charts[0]!.values).toBe(8);
    expect(charts[2]!.values).toBe(2);
    await shot(page, 'dashboard-trends.png');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('compares two runs picked in the list: the newly failing case comes first', async () => {
    const { context, page, errors, foreign } = await open('/?kind=e2e');
    await page.check('input[value="6c0a4e75-8b93-4cb4-9fc6-d7e8f9a0b1c2"]');
    await page.check('input[value="7d1b5f86-9ca4-4dc5-80d7-e8f9a0b1c2d3"]');
    await Promise.all([page.waitForURL(/\/compare\?/), page.click('#compare-form button')]);
    const rows = await page.locator('#compare-cases tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)));
    // The older run is A: "pays with card" passed there and fails in B.
    expect(rows).toEqual([
      ['newly failing', 'checkout.spec.ts › Checkout › pays with card'],
      ['changed', 'checkout.spec.ts › Checkout › applies coupon'],
    ]);
    // Given the other way round with a= and b=, the same case was fixed.
    await page.goto(new URL('/compare?a=7d1b5f86&b=6c0a4e75', server.url).href);
    expect(await page.locator('#compare-cases tbody tr td:first-child').first().textContent()).toBe('fixed');
    await page.goto(new URL('/compare?a=6c0a4e75&b=7d1b5f86', server.url).href);
    await shot(page, 'dashboard-compare.png');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });

  it('shows failing cases, and flaky tests and quarantine when the store keeps them', async () => {
    const recent = await open('/flaky');
    // The fixture runs are from 2025: nothing failed in the last 14 days, and the page says so.
    expect(await recent.page.locator('main').textContent()).toContain('No failures in this period.');
    await recent.context.close();
    const { context, page, errors } = await open('/flaky?since=2025-01-01');
    const failing = await page.locator('#failing tbody tr td:first-child').allTextContents();
    expect(failing).toEqual(expect.arrayContaining(['checkout.spec.ts › Checkout › pays with card']));
    expect(await page.locator('h2').allTextContents()).toEqual(['Flaky tests', 'Quarantine']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a run group opens as one page with each shard linked', async () => {
    const { context, page } = await open('/groups/build-4711');
    expect(await page.locator('table.children tbody a').allTextContents()).toEqual(['checkout shard 2', 'checkout shard 1']);
    await context.close();
  });

  it('serves artifacts from the artifacts folder and nothing outside it', async () => {
    const ok = await rawGet(server.url, `/artifacts/${SHOT_PATH.slice('.shopfds/artifacts/'.length)}`);
    expect(ok.status).toBe(200);
    expect(ok.type).toBe('image/png');
    expect(ok.body.subarray(1, 4).toString()).toBe('PNG');
    for (const path of [
      '/artifacts/../results.db',
      '/artifacts/../../secret.txt',
      '/artifacts/%2e%2e/secret.txt',
      '/artifacts/%2e%2e%2fsecret.txt',
      '/artifacts/..%2f..%2fsecret.txt',
      '/artifacts/e2e-b/..%2f..%2f..%2fsecret.txt',
      '/artifacts/..%5c..%5csecret.txt',
      '/artifacts/%252e%252e/secret.txt',
      '/artifacts//etc/passwd',
      '/artifacts/%2fetc%2fpasswd',
      '/artifacts/secret.txt%00.png',
      '/artifacts/link.txt',
      '/artifacts/link-out/secret.txt',
      '/artifacts/',
      '/artifacts/e2e-b',
      '/%2e%2e/secret.txt',
    ]) {
      const r = await rawGet(server.url, path);
      expect(r.status, path).toBe(404);
      expect(r.body.toString().includes('TOP-SECRET'), path).toBe(false);
    }
  });

  it('streams a run that lands in the store to an open runs page (server-sent events)', async () => {
    const { context, page, errors } = await open('/');
    await page.waitForFunction(() => document.getElementById('live') !== null);
    const [, b] = e2ePair();
    const fresh: Run = { ...b, id: '9f3d7ba8-becb-4fe7-a2f9-a0b1c2d3e4f5', name: 'checkout after deploy', startedAt: '2025-11-05T08:00:00.000Z', completedAt: '2025-11-05T08:01:00.000Z' };
    await saveRuns(db(), [fresh]);
    await expect.poll(() => page.locator('#new-run').textContent(), { timeout: 90_000 }).toContain('checkout after deploy');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('serves a PostgreSQL store the same way', async () => {
    let pgDb: TestDatabase | null = null;
    let pgServer: typeof server | null = null;
    try {
      pgDb = await createTestDatabase();
      await saveRuns(pgDb.url, [chaosRunWithTimeline(), canaryRunWithMetrics()]);
      pgServer = await startServe(pgDb.url, tmp.dir);
      const list = await rawGet(pgServer.url, '/');
      expect(list.status).toBe(200);
      expect(list.body.toString()).toContain('pod-delete payments');
      expect(list.body.toString()).toContain('payments canary');
      const detail = await rawGet(pgServer.url, '/runs/0c4a8e1f');
      expect(detail.status).toBe(200);
      expect(detail.body.toString()).toContain('Observation timeline');
    } finally {
      if (pgServer) await stopServe(pgServer);
      await pgDb?.drop();
    }
  }, 180_000);

  it('stops on SIGINT and refuses a bad --port with exit 2', async () => {
    const bad = await new Promise<{ code: number | null; err: string }>((resolvePromise) => {
      const child = spawn(process.execPath, [BIN, '--db', db(), 'serve', '--port', 'http'], { cwd: tmp.dir, env: cliEnv() });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('exit', (code) => resolvePromise({ code, err }));
    });
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('shopfds-test: error E_USAGE: --port must be a number from 0 to 65535 (got "http")');
    const extra = await startServe(db(), tmp.dir);
    expect(await stopServe(extra)).toBe(130);
  }, 180_000);
});
