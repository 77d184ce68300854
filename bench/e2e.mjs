#!/usr/bin/env node
/*
 * Orchestration overhead of `shopfds-test e2e` over `playwright test` on the same tests.
 *
 *   npm run build && node bench/e2e.mjs [--runs N] [--scenarios DIR] [--workers N]
 *
 * Starts one demo shop, generates the Playwright project for the scenarios exactly as
 * `shopfds-test e2e` does, then alternates, N times each (default 3):
 * - `playwright test --config <generated>/playwright.config.mjs` run directly, and
 * - `shopfds-test e2e <scenarios> --base-url <shop>` (load and validate the scenarios, generate,
 *   run Playwright, parse its JSON report, copy artifacts, save to SQLite, print the table).
 * Prints the median wall time of each and their ratio. Target: <= 1.03x. Never asserts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const runs = Number(flag('runs', '3'));
const scenariosDir = resolve(flag('scenarios', join(root, 'scenarios')));
const workers = flag('workers', undefined);

const { startShop } = await dist('demo/shop.js');
const { loadScenarios } = await dist('adapters/playwright/load-scenarios.js');
const { generateProject } = await dist('adapters/playwright/generate.js');
const { detectPlaywright, resolveBrowsers } = await dist('adapters/playwright/browsers.js');

const work = mkdtempSync(join(tmpdir(), 'e2e-overhead-bench-'));
const shop = await startShop({ port: 0 });
const env = { ...process.env, CI: 'true', NO_COLOR: '1' };
delete env.SHOPFDS_DATABASE_URL;

function timed(args, cwd, extraEnv = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${args.slice(0, 3).join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      else resolvePromise(ms);
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  // The project shopfds-test would generate (active scenarios, CI: drafts are not run).
  const { scenarios, issues } = loadScenarios(root, [scenariosDir], { createdBy: 'bench' });
  if (issues.length) throw new Error(issues.join('\n'));
  const active = scenarios.filter((s) => s.scenario.status === 'active');
  const playwright = detectPlaywright();
  const project = generateProject(active, {
    playwrightTestUrl: playwright.testEntryUrl,
    launches: resolveBrowsers([...new Set(active.map((s) => s.scenario.browser))], process.env),
    workers: workers === undefined ? undefined : Number(workers),
    jsonReportFile: 'report.json',
    progressReporterFile: 'progress-reporter.mjs',
  });
  const direct = join(work, 'direct');
  mkdirSync(direct, { recursive: true });
  for (const [file, text] of project.files) writeFileSync(join(direct, file), text);

  const bin = join(root, 'bin', 'shopfds-test.js');
  const shopfdsArgs = [bin, '--db', join(work, 'results.db'), 'e2e', scenariosDir, '--base-url', shop.url, ...(workers ? ['--workers', workers] : [])];
  // The generated config reads the base URL from the environment (see generate.ts).
  const directEnv = { SHOPFDS_BASE_URL: shop.url };
  const directArgs = [playwright.cliPath, 'test', '--config', join(direct, 'playwright.config.mjs')];

  console.log(`playwright ${playwright.version}, ${active.length} scenarios, ${runs} runs each, shop at ${shop.url}`);
  // One warm-up of each (file system caches, Chromium's first start).
  await timed(directArgs, direct, directEnv);
  await timed(shopfdsArgs, work);
  const times = { direct: [], shopfds: [] };
  for (let i = 0; i < runs; i++) {
    // Alternate, so drift in machine load hits both sides alike.
    const order = i % 2 ? ['shopfds', 'direct'] : ['direct', 'shopfds'];
    for (const which of order) {
      const ms = which === 'direct' ? await timed(directArgs, direct, directEnv) : await timed(shopfdsArgs, work);
      times[which].push(ms);
      console.log(`  run ${i + 1} ${which.padEnd(8)} ${(ms / 1000).toFixed(2)} s`);
    }
  }
  const d = median(times.direct);
  const s = median(times.shopfds);
  console.log('');
  console.log(`playwright test (direct)  median ${(d / 1000).toFixed(2)} s`);
  console.log(`shopfds-test e2e          median ${(s / 1000).toFixed(2)} s`);
  console.log(`ratio                     ${(s / d).toFixed(3)}x (target <= 1.03x)`);
} finally {
  await shop.close();
  rmSync(work, { recursive: true, force: true });
}
