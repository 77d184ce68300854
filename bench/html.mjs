// HTML report and dashboard benchmark: run after building (`npm run build && node bench/html.mjs`).
// Prints medians, sizes and ratios against targets and against a baseline measured in the same run;
// never asserts.
//
//   1. render the HTML report of a 10,000-case run (target <= 300 ms, <= 5 MB);
//      baseline: JSON.stringify of the same run
//   2. a performance run with 100,000 series samples, opened in Chromium until every chart is drawn
//      (target <= 1 s); baseline: the same page with 1,000 samples
//   3. `serve` runs list over 100,000 runs in SQLite: time to first byte and to the whole page
//      (target first byte <= 100 ms); baseline: the same page over 100 runs
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import Database from 'better-sqlite3';
import { benchCase, benchRun, mixedCases } from './_run.mjs';
import { renderRunHtml } from '../dist/report/html.js';
import { openStore } from '../dist/store/open.js';
import { startDashboard } from '../dist/cli/dashboard-server.js';

const ROUNDS = 11;
const f = (ms) => ms.toFixed(1);
const tmp = mkdtempSync(join(tmpdir(), 'shopfds-bench-html-'));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeIt(fn, rounds = ROUNDS) {
  for (let i = 0; i < 2; i++) fn();
  const times = [];
  let out;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    out = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), out };
}

function baseRun(overrides) {
  return benchRun({
    id: overrides.id ?? '6f1c2a4e-8b9d-4e2f-9a31-0c5d7e8f9a10',
    kind: overrides.kind ?? 'e2e',
    name: overrides.name ?? 'bench',
    startedAt: overrides.startedAt ?? '2025-11-01T18:07:18.664Z',
    completedAt: overrides.completedAt ?? '2025-11-01T18:37:18.664Z',
    durationMs: 1_800_000,
    trigger: 'ci',
    executedBy: 'ci-bot',
    ci: { provider: 'github-actions', buildId: '9876', commitSha: 'a1b2c3d', branch: 'main', jobUrl: 'https://ci.example/run/9876' },
    tool: overrides.tool ?? { name: 'playwright', version: '1.65.1', commandLine: 'playwright test' },
    cases: overrides.cases ?? [],
    details: overrides.perf ? { kind: 'perf', perf: overrides.perf } : null,
  });
}

function caseRun(n) {
  const cases = mixedCases(n, { name: (i) => `case ${i} ${i % 500 === 0 ? 'very long name & <escaped> "quoted" '.repeat(20) : 'places an order'}` });
  return baseRun({ name: `bench run of ${n}`, cases });
}

function perfRun(samples) {
  const start = Date.parse('2025-11-01T18:07:18.664Z');
  const metrics = [];
  for (let i = 0; i < samples; i++) {
    metrics.push({
      measured_at: new Date(start + i * 1000).toISOString(),
      virtual_users: 50 + Math.round(40 * Math.sin(i / 500)),
      requests_per_sec: Math.round((200 + 50 * Math.sin(i / 300)) * 100) / 100,
      response_time_p95: 300 + Math.round(100 * Math.sin(i / 200)),
      error_rate: i % 1009 === 0 ? 5 : 0.2,
    });
  }
  return baseRun({
    kind: 'perf',
    name: `soak of ${samples} samples`,
    tool: { name: 'k6', version: '0.49.0', commandLine: 'k6 run k6/soak.js' },
    completedAt: new Date(start + samples * 1000).toISOString(),
    cases: [benchCase({ ordinal: 0, suitePath: ['thresholds', 'http_req_duration'], name: 'p(95)<500', status: 'passed', properties: { metric: 'http_req_duration', expression: 'p(95)<500' } })],
    perf: {
      test: {
        test_type: 'soak', scenario_name: 'soak', target_tps: 200, actual_tps: 199.5, p95_response_time: 412, p99_response_time: 700, avg_response_time: 250, max_response_time: 1200,
        error_rate: 0.3, total_requests: samples * 200, failed_requests: samples, duration_sec: samples, virtual_users: 90, status: 'completed',
        started_at: '2025-11-01T18:07:18.664Z', completed_at: new Date(start + samples * 1000).toISOString(), k6_script_path: 'k6/soak.js', environment: 'local', ci_build_id: null, executed_by: 'ci-bot', metrics,
      },
    },
  });
}

// 1. 10,000-case render.
{
  const run = caseRun(10_000);
  const baseline = timeIt(() => JSON.stringify(run));
  const html = timeIt(() => renderRunHtml(run));
  const mb = Buffer.byteLength(html.out) / 1e6;
  console.log(
    `html report 10k cases: ${f(html.ms)} ms (target 300 ms, ${(html.ms / 300).toFixed(2)}x of target; JSON.stringify baseline ${f(baseline.ms)} ms, ${(html.ms / baseline.ms).toFixed(1)}x) ` +
      `[${mb.toFixed(2)} MB, target 5 MB, ${(mb / 5).toFixed(2)}x of target]`,
  );
}

// 2. 100,000 samples in the browser.
{
  const browser = await chromium.launch({ executablePath: process.env.SHOPFDS_CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  async function openTimes(samples) {
    const run = perfRun(samples);
    const t0 = performance.now();
    const html = renderRunHtml(run);
    const renderMs = performance.now() - t0;
    const file = join(tmp, `perf-${samples}.html`);
    writeFileSync(file, html);
    const times = [];
    const walls = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage();
      const started = performance.now();
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => Array.isArray(window.shopfdsCharts) && window.shopfdsCharts.length === 3);
      walls.push(performance.now() - started);
      // From the start of the navigation to the last chart drawn, as the page itself measured it.
      times.push(await page.evaluate(() => window.shopfdsChartsReadyMs));
      await page.close();
    }
    return { renderMs, browserMs: median(times), wallMs: median(walls), mb: Buffer.byteLength(html) / 1e6 };
  }
  const base = await openTimes(1_000);
  const big = await openTimes(100_000);
  console.log(
    `perf run 100k samples: rendered in ${f(big.renderMs)} ms, open to charts drawn in Chromium ${f(big.browserMs)} ms (target 1000 ms, ${(big.browserMs / 1000).toFixed(2)}x of target; ` +
      `1k-sample baseline ${f(base.browserMs)} ms, ${(big.browserMs / base.browserMs).toFixed(2)}x; wall clock with Playwright's round trips ${f(big.wallMs)} ms vs ${f(base.wallMs)} ms) [${big.mb.toFixed(2)} MB; series downsampled in the file]`,
  );
  await browser.close();
}

// 3. Dashboard runs list over 100,000 runs (SQLite).
async function dashboardTimes(runs) {
  const path = join(tmp, `runs-${runs}.db`);
  const store = await openStore(path);
  const template = caseRun(3);
  await store.saveRun(template);
  await store.close();
  // Copies of the template's row with new ids and start times (saving 100,000 runs one by one
  // through saveRun would take minutes and measure nothing the page reads).
  const db = new Database(path);
  const row = db.prepare('select * from runs where id = ?').get(template.id);
  const columns = Object.keys(row);
  const insert = db.prepare(`insert into runs (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`);
  const start = Date.parse('2024-01-01T00:00:00.000Z');
  const kinds = ['e2e', 'api', 'perf', 'chaos', 'canary'];
  db.transaction(() => {
    for (let i = 1; i < runs; i++) {
      const at = start + i * 60_000;
      insert.run({
        ...row,
        id: `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
        kind: kinds[i % kinds.length],
        status: i % 13 === 0 ? 'failed' : 'passed',
        started_at: typeof row.started_at === 'number' ? at : new Date(at).toISOString(),
        completed_at: typeof row.completed_at === 'number' ? at + 1000 : new Date(at + 1000).toISOString(),
      });
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const served = await openStore(path);
  const dashboard = await startDashboard({ store: served, host: '127.0.0.1', port: 0, artifactsDir: join(tmp, 'artifacts'), cwd: tmp, pollMs: 60_000 });
  const get = (p) =>
    new Promise((resolvePromise, reject) => {
      const t0 = performance.now();
      let first = null;
      const req = request(new URL(p, dashboard.url), (res) => {
        let size = 0;
        res.on('data', (c) => {
          if (first === null) first = performance.now() - t0;
          size += c.length;
        });
        res.on('end', () => resolvePromise({ first, total: performance.now() - t0, size, status: res.statusCode }));
      });
      req.on('error', reject);
      req.end();
    });
  for (let i = 0; i < 3; i++) await get('/');
  const firsts = [];
  const totals = [];
  const filteredTotals = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await get('/');
    if (r.status !== 200) throw new Error(`GET / answered ${r.status}`);
    firsts.push(r.first);
    totals.push(r.total);
    filteredTotals.push((await get('/?kind=chaos&status=failed')).total);
  }
  await dashboard.close();
  await served.close();
  return { first: median(firsts), total: median(totals), filtered: median(filteredTotals) };
}
{
  const base = await dashboardTimes(100);
  const big = await dashboardTimes(100_000);
  console.log(
    `dashboard runs list over 100k runs: first byte ${f(big.first)} ms (target 100 ms, ${(big.first / 100).toFixed(2)}x of target; 100-run baseline ${f(base.first)} ms, ${(big.first / base.first).toFixed(2)}x), ` +
      `whole page ${f(big.total)} ms (100-run baseline ${f(base.total)} ms, ${(big.total / base.total).toFixed(2)}x), filtered by kind and status ${f(big.filtered)} ms`,
  );
}
rmSync(tmp, { recursive: true, force: true });
