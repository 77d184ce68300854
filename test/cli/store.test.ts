import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runBin } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

const JUNIT = `${REFERENCE}/junit/playwright-junit-jtiintern-skipped-properties-multiproject.xml`;
const DOWN = 'postgres://shopfds:s3cret-pw@127.0.0.1:1/nope';
const MIGRATIONS = ['0001_initial_schema', '0002_append_only_audit', '0003_e2e_run_scenarios', '0004_failure_index', '0005_history_quarantine_retention', '0006_live_runs', '0007_runs_recorded_at', '0008_plan_runs'];

let tmp: ReturnType<typeof makeTempDir>;
const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  tmp = makeTempDir();
  cleanups.push(tmp.cleanup);
});
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
const bin = (args: string[]) => runBin(args, { cwd: tmp.dir });

async function pgDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

/** Raw SQL on either backend's store, to fake what a newer binary would leave behind. */
async function rawExec(target: string, text: string, params: unknown[]): Promise<void> {
  if (target.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      await client.query(text.replace(/\?/g, (_m, i: number) => `$${text.slice(0, i).split('?').length}`), params);
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(target);
    try {
      db.prepare(text).run(...params);
    } finally {
      db.close();
    }
  }
}

describe('store failures (the built bin)', () => {
  it('an unreachable PostgreSQL store exits 4 with one line and the password redacted', async () => {
    const r = await bin(['--db', DOWN, 'runs', 'list']);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^shopfds-test: error E_STORE: cannot reach PostgreSQL at postgres:\/\/shopfds:\*\*\*@127\.0\.0\.1:1\/nope/);
    expect(r.stderr).not.toContain('s3cret-pw');
  });

  it('takes the store from SHOPFDS_DATABASE_URL too, and still redacts it', async () => {
    const r = await runBin(['runs', 'list'], { cwd: tmp.dir, env: { ...(await import('../helpers/cli.js')).cliEnv({ SHOPFDS_DATABASE_URL: DOWN }) } });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('***@127.0.0.1:1');
    expect(r.stderr).not.toContain('s3cret-pw');
  });

  it('spools a run when the store is down (exit 4, says where and how), and db sync pushes it later', async () => {
    const imported = await bin(['--db', DOWN, '--json', 'import', JUNIT, '--format', 'junit']);
    expect(imported.exitCode, imported.stderr).toBe(4);
    const [summary] = JSON.parse(imported.stdout) as { id: string; totals: { total: number } }[];
    const spoolFile = join(tmp.dir, '.shopfds', 'spool', `${summary!.id}.json`);
    expect(imported.stderr).toContain(spoolFile);
    expect(imported.stderr).toContain('shopfds-test db sync');
    expect(imported.stderr).not.toContain('s3cret-pw');
    expect(existsSync(spoolFile)).toBe(true);

    const db = await pgDatabase();
    const status = await bin(['--db', db.url, 'db', 'status']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/spool: 1 run\(s\) waiting/);

    const sync = await bin(['--db', db.url, 'db', 'sync']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^synced 1 run\(s\)/m);
    expect(readdirSync(join(tmp.dir, '.shopfds', 'spool'))).toEqual([]);

    const shown = await bin(['--db', db.url, '--json', 'runs', 'show', summary!.id]);
    expect(shown.exitCode).toBe(0);
    const run = JSON.parse(shown.stdout);
    expect(run.id).toBe(summary!.id);
    expect(run.totals.total).toBe(summary!.totals.total);
    expect(run.cases).toHaveLength(summary!.totals.total);

    // Syncing again has nothing to do.
    const again = await bin(['--db', db.url, 'db', 'sync']);
    expect(again).toMatchObject({ exitCode: 0, stdout: 'nothing to sync: the spool is empty\n' });
  });

  it('quarantines a spooled run that cannot be read, with the reason, and exits 4', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(tmp.dir, '.shopfds', 'spool'), { recursive: true });
    writeFileSync(join(tmp.dir, '.shopfds', 'spool', 'broken.json'), '{"id": ');
    const r = await bin(['--db', 'results.db', 'db', 'sync']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/broken\.json: quarantined as .*quarantine\/broken\.json: not JSON/);
    expect(existsSync(join(tmp.dir, '.shopfds', 'spool', 'quarantine', 'broken.json'))).toBe(true);
    expect(existsSync(join(tmp.dir, '.shopfds', 'spool', 'quarantine', 'broken.json.reason.txt'))).toBe(true);
  });
});

describe.each(['sqlite', 'postgres'] as const)('db migrate / db status on %s (the built bin)', (backend) => {
  let target: string;
  beforeEach(async () => {
    target = backend === 'sqlite' ? join(tmp.dir, 'store', 'results.db') : (await pgDatabase()).url;
  });

  it('migrates a new store once, then reports it up to date', async () => {
    const pending = await bin(['--db', target, '--json', 'db', 'status']);
    expect(pending.exitCode).toBe(0);
    const before = JSON.parse(pending.stdout);
    expect(before.backend).toBe(backend);
    expect(before.migrations).toEqual(MIGRATIONS.map((name) => ({ name, executedAt: null })));

    const first = await bin(['--db', target, 'db', 'migrate']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toBe(`applied ${MIGRATIONS.length} migration(s) to ${JSON.parse(pending.stdout).store}: ${MIGRATIONS.join(', ')}\n`);
    const second = await bin(['--db', target, 'db', 'migrate']);
    expect(second).toMatchObject({ exitCode: 0, stderr: '' });
    expect(second.stdout).toMatch(/ is up to date\n$/);

    const status = await bin(['--db', target, 'db', 'status']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^store: ${backend} `));
    for (const name of MIGRATIONS) expect(status.stdout).toMatch(new RegExp(`applied  ${name}  \\d{4}-`));
    expect(status.stdout).toContain('spool: empty');
    if (backend === 'sqlite') expect(existsSync(target)).toBe(true);
  });

  it('refuses a database migrated by a newer shopfds-test with exit 4 and a clear message', async () => {
    expect((await bin(['--db', target, 'db', 'migrate'])).exitCode).toBe(0);
    await rawExec(target, 'insert into kysely_migration (name, timestamp) values (?, ?)', ['9999_future', new Date().toISOString()]);
    for (const args of [['runs', 'list'], ['db', 'migrate']]) {
      const r = await bin(['--db', target, ...args]);
      expect(r.exitCode, args.join(' ')).toBe(4);
      expect(r.stderr).toMatch(/^shopfds-test: error E_STORE: the database at .* was migrated by a newer shopfds-test \(unknown migration 9999_future\)\n  Upgrade shopfds-test/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // A run produced meanwhile is not lost.
    const imported = await bin(['--db', target, 'import', JUNIT, '--format', 'junit']);
    expect(imported.exitCode).toBe(4);
    expect(imported.stderr).toContain('newer shopfds-test');
    expect(readdirSync(join(tmp.dir, '.shopfds', 'spool'))).toHaveLength(1);
  });
});
