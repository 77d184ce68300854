#!/usr/bin/env node
/*
 * History benchmark, SQLite and PostgreSQL, through the built store and model (what the CLI
 * actions call, without process start-up):
 *
 *   npm run build && node bench/history.mjs [--sqlite-only] [--postgres-only] [--runs 100000] [--no-prune]
 *
 * On the seeded history of bench/store.mjs (100,000 runs / 1,000,000 cases over 180 days, see
 * _seed.mjs), median of 9 calls after 2 warm-ups:
 * - `runs flaky --since 30d`: caseWindowStats + the flaky rule + names of the 50 shown;
 * - `runs trend --since 90d`: every trend section (runs by day and kind, perf, chaos, canary, API);
 * - `runs compare` of two saved 10,000-case runs: both runs' cases + the comparison.
 * Targets: <= 100 ms SQLite, <= 200 ms PostgreSQL.
 * Then `db prune` of the older half (about 50,000 runs and 500,000 cases) in its default batches
 * while a writer in a worker thread saves a 20-case run every 50 ms on its own connection: rows
 * deleted per second and the longest save of that writer (its wait for the lock included),
 * against its median save before the prune started.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { benchCase, benchRun } from './_run.mjs';
import { DAY, median, medianOf, numberFlag, postgresServer, seedPostgres, seedSqlite } from './_seed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const { openSqliteStore } = await dist('store/sqlite/sqlite-store.js');
const { openPostgresStore } = await dist('store/postgres/postgres-store.js');
const { classifyCase, compareRuns } = await dist('model/index.js');

const argv = process.argv.slice(2);
const RUNS = numberFlag(argv, '--runs', 100_000);
const NOW = Date.now();

const results = [];
/** Median wall time and the median CPU time this process spent per call (all of it on SQLite). */
async function measure(fn) {
  const cpu = [];
  const ms = await medianOf(9, 2, async () => {
    const before = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  });
  return { ms, cpu: median(cpu.slice(2)) };
}

function report(backend, what, measured, target, extra = '') {
  const { ms, cpu } = measured;
  extra = `  (cpu ${cpu.toFixed(0)} ms in this process)${extra}`;
  const ratio = ms / target;
  results.push({ backend, what, ms, target, ratio });
  console.log(
    `  ${backend.padEnd(10)} ${what.padEnd(40)} ${ms.toFixed(1).padStart(8)} ms   target <= ${String(target).padStart(4)} ms   ${ratio.toFixed(2)}x  ${ratio <= 1 ? 'ok' : 'OVER TARGET'}${extra}`,
  );
}

/** A 10,000-case run; `shift` moves which cases fail so two runs differ. */
function bigRun(startedAt, shift) {
  const cases = Array.from({ length: 10_000 }, (_, i) => {
    const status = (i + shift) % 50 === 7 ? 'failed' : i % 40 === 5 ? 'skipped' : 'passed';
    return benchCase({
      ordinal: i,
      suitePath: [`checkout-${i % 97}.spec.ts`, `Checkout ${i % 13}`],
      name: `places order ${i}`,
      file: `tests/checkout-${i % 97}.spec.ts`,
      line: i % 300,
      column: 7,
      project: 'chromium',
      status,
      durationMs: 800 + ((i * 7 + shift * 13) % 400),
      errorMessage: status === 'failed' ? 'expected 200, got 500' : null,
    });
  });
  return benchRun({
    name: 'compare bench',
    startedAt,
    completedAt: new Date(Date.parse(startedAt) + 600_000).toISOString(),
    durationMs: 600_000,
    environment: 'staging',
    trigger: 'ci',
    executedBy: 'ci-bot',
    cases,
  });
}

async function flaky(store, since) {
  const stats = await store.caseWindowStats(since);
  const flakyCases = [];
  for (const s of stats) {
    const v = classifyCase(s);
    if (v !== 'broken' && v !== 'stable') flakyCases.push(v);
  }
  flakyCases.sort((a, b) => b.flipRate - a.flipRate || a.caseKey.localeCompare(b.caseKey));
  await store.describeCases(flakyCases.slice(0, 50).map((f) => ({ caseKey: f.caseKey, lastSeen: f.lastSeen })));
  return { candidates: stats.length, flaky: flakyCases.length };
}

async function compare(store, a, b) {
  const [x, y] = await Promise.all([store.caseOutcomes(a), store.caseOutcomes(b)]);
  return compareRuns(x, y);
}

async function benchQueries(backend, store) {
  const target = backend === 'sqlite' ? 100 : 200;
  const since30 = new Date(NOW - 30 * DAY).toISOString();
  const since90 = new Date(NOW - 90 * DAY).toISOString();
  const f = await flaky(store, since30);
  report(backend, 'runs flaky --since 30d', await measure(() => flaky(store, since30)), target, `  (${f.candidates} unstable cases, ${f.flaky} flaky)`);
  const t = await store.trends({ since: since90, bucket: 'day' });
  report(backend, 'runs trend --since 90d (by day)', await measure(() => store.trends({ since: since90, bucket: 'day' })), target, `  (${t.runs.length} day x kind rows)`);
  const a = bigRun(new Date(NOW - 7200_000).toISOString(), 0);
  const b = bigRun(new Date(NOW - 3600_000).toISOString(), 3);
  await store.saveRun(a);
  await store.saveRun(b);
  const d = await compare(store, a.id, b.id);
  report(
    backend,
    'runs compare of two 10,000-case runs',
    await measure(() => compare(store, a.id, b.id)),
    target,
    `  (${d.newFailures.length} new failures, ${d.fixed.length} fixed, ${d.slower.length} slower)`,
  );
}

/** Saves small runs every 50 ms on its own connection until told to stop; reports each save's time. */
const WRITER = `
import { parentPort, workerData } from 'node:worker_threads';
const { openStore } = await import(workerData.openUrl);
const { benchCase, benchRun } = await import(workerData.runUrl);
const store = await openStore(workerData.target);
await store.migrate();
let stop = false;
parentPort.on('message', (m) => { if (m === 'stop') stop = true; });
const times = [];
while (!stop) {
  const cases = Array.from({ length: 20 }, (_, i) => benchCase({ ordinal: i, suitePath: ['writer'], name: 'case ' + i, status: 'passed', durationMs: 5 }));
  const run = benchRun({ kind: 'api', name: 'concurrent writer', startedAt: new Date().toISOString(), trigger: 'ci', tool: { name: 'newman', version: null, commandLine: null }, details: null, cases });
  const t0 = performance.now();
  await store.saveRun(run);
  times.push(performance.now() - t0);
  parentPort.postMessage({ tick: times.length });
  await new Promise((r) => setTimeout(r, 50));
}
await store.close();
parentPort.postMessage({ times });
`;

function startWriter(target) {
  const worker = new Worker(WRITER, {
    eval: true,
    type: 'module',
    workerData: { target, openUrl: pathToFileURL(join(root, 'dist', 'store', 'open.js')).href, runUrl: new URL('./_run.mjs', import.meta.url).href },
  });
  let ticks = 0;
  const done = new Promise((resolve, reject) => {
    worker.on('message', (m) => {
      if (m.tick) ticks = m.tick;
      if (m.times) resolve(m.times);
    });
    worker.on('error', reject);
  });
  return {
    ticks: () => ticks,
    async stop() {
      worker.postMessage('stop');
      const times = await done;
      await worker.terminate();
      return times;
    },
  };
}

async function benchPrune(backend, store, target) {
  const writer = startWriter(target);
  while (writer.ticks() < 10) await new Promise((r) => setTimeout(r, 20));
  const before = new Date(NOW - 90 * DAY).toISOString();
  const ticksBefore = writer.ticks();
  const t0 = performance.now();
  const result = await store.prune({ before });
  const seconds = (performance.now() - t0) / 1000;
  const ticksAfter = writer.ticks();
  const times = await writer.stop();
  const idle = times.slice(0, ticksBefore);
  const during = times.slice(ticksBefore, ticksAfter);
  const rows = result.runs + result.cases;
  console.log(
    `  ${backend.padEnd(10)} db prune of the older half: ${result.runs.toLocaleString('en')} runs + ${result.cases.toLocaleString('en')} cases in ${seconds.toFixed(1)}s = ` +
      `${Math.round(rows / seconds).toLocaleString('en')} rows/s (${Math.round(result.runs / seconds).toLocaleString('en')} runs/s), ${result.batches} batches`,
  );
  console.log(
    `  ${backend.padEnd(10)} concurrent writer: ${during.length} saves during the prune, longest ${Math.max(0, ...during).toFixed(1)} ms, median ${median(during.length ? during : [0]).toFixed(1)} ms ` +
      `(before the prune: median ${median(idle).toFixed(1)} ms, longest ${Math.max(...idle).toFixed(1)} ms)`,
  );
}

async function sqliteBench() {
  const dir = mkdtempSync(join(tmpdir(), 'shopfds-bench-history-'));
  try {
    const file = join(dir, 'history.db');
    const store = await openSqliteStore(file);
    await store.migrate();
    const t0 = Date.now();
    await seedSqlite(file, NOW, RUNS);
    console.log(`  sqlite     seeded ${RUNS.toLocaleString('en')} runs / ${(RUNS * 10).toLocaleString('en')} cases in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    await benchQueries('sqlite', store);
    if (!argv.includes('--no-prune')) await benchPrune('sqlite', store, file);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresBench() {
  const { default: pg } = await import('pg');
  const server = await postgresServer(pg);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const name = `shopfds_bench_history_${randomBytes(4).toString('hex')}`;
  const url = Object.assign(new URL(server.url), { pathname: `/${name}` }).toString();
  try {
    await admin.query(`create database ${name}`);
    const store = await openPostgresStore(url);
    await store.migrate();
    const t0 = Date.now();
    await seedPostgres(pg, url, NOW, RUNS);
    console.log(`  postgres   seeded ${RUNS.toLocaleString('en')} runs / ${(RUNS * 10).toLocaleString('en')} cases in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    await benchQueries('postgres', store);
    if (!argv.includes('--no-prune')) await benchPrune('postgres', store, url);
    await store.close();
  } finally {
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]).catch(() => {});
    await admin.query(`drop database if exists ${name}`).catch(() => {});
    await admin.end();
    await server.stop();
  }
}

const { loadavg, cpus } = await import('node:os');
console.log(`history: ${RUNS.toLocaleString('en')} seeded runs; figures are medians; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
if (!argv.includes('--postgres-only')) await sqliteBench();
if (!argv.includes('--sqlite-only')) await postgresBench();
const over = results.filter((r) => r.ratio > 1);
console.log(over.length ? `  ${over.length} figure(s) over target` : '  every figure within its target');
