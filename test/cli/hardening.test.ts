import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { makeCase, makeRun } from '../helpers/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { SHARED_DIR } from '../helpers/paths.js';

const JUNIT = `${SHARED_DIR}/reference/junit/playwright-junit-jtiintern-skipped-properties-multiproject.xml`;
const DOWN = 'postgres://shopfds:pw@127.0.0.1:1/nope';

let tmp: ReturnType<typeof makeTempDir>;
const cleanups: (() => unknown)[] = [];
beforeEach(() => {
  tmp = makeTempDir();
  cleanups.push(tmp.cleanup);
});
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
const bin = (args: string[], env: NodeJS.ProcessEnv = {}) => runBin(args, { cwd: tmp.dir, env: cliEnv(env) });

function oneLineError(stderr: string): void {
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
  expect(stderr.trim().split('\n')[0]).toMatch(/^shopfds-test: /);
}

describe('report -o never destroys the store and writes atomically', () => {
  it('refuses the store, its WAL/SHM files, a directory, "" and a device (exit 2), a write failure is exit 4, the store survives', async () => {
    expect((await bin(['import', JUNIT, '--format', 'junit'])).exitCode).toBe(0);
    const db = join(tmp.dir, '.shopfds', 'results.db');
    const before = readFileSync(db);
    for (const target of ['.shopfds/results.db', '.shopfds/results.db-wal', '.shopfds/results.db-shm', '.shopfds', '']) {
      const r = await bin(['report', '--latest', '--format', 'junit', '-o', target]);
      expect(r.exitCode, `${target}: ${r.stderr}`).toBe(2);
      oneLineError(r.stderr);
    }
    // A symlink to the store is the store too.
    const { symlinkSync } = await import('node:fs');
    symlinkSync(db, join(tmp.dir, 'alias.db'));
    expect((await bin(['report', '--latest', '-o', 'alias.db'])).exitCode).toBe(2);
    expect(readFileSync(db).equals(before) || readFileSync(db).length >= before.length).toBe(true);
    const list = await bin(['--json', 'runs', 'list']);
    expect(JSON.parse(list.stdout)).toHaveLength(1);

    const full = await bin(['report', '--latest', '--format', 'junit', '-o', '/dev/full']);
    expect(full.exitCode).toBe(4);
    oneLineError(full.stderr);
    const proc = await bin(['report', '--latest', '--format', 'junit', '-o', '/proc/version']);
    expect([2, 4]).toContain(proc.exitCode);
    oneLineError(proc.stderr);
  }, 300_000);

  it('replaces a report in one step and leaves no temporary file behind', async () => {
    expect((await bin(['import', JUNIT, '--format', 'junit'])).exitCode).toBe(0);
    mkdirSync(join(tmp.dir, 'out'));
    writeFileSync(join(tmp.dir, 'out', 'r.xml'), 'old');
    const r = await bin(['report', '--latest', '--format', 'junit', '-o', 'out/r.xml']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(tmp.dir, 'out', 'r.xml'), 'utf8')).toMatch(/^<\?xml/);
    expect(readdirSync(join(tmp.dir, 'out'))).toEqual(['r.xml']);
  }, 300_000);
});

describe('db sync and db status with a poisoned spool', () => {
  let pgdb: TestDatabase;
  beforeEach(async () => {
    pgdb = await createTestDatabase();
    cleanups.push(() => pgdb.drop());
  });

  it('syncs each file on its own: the runs behind bad files are stored, bad files quarantined with a reason', async () => {
    const spool = join(tmp.dir, '.shopfds', 'spool');
    mkdirSync(spool, { recursive: true });
    // Names sort bad files first: before, sync stopped at the first one.
    writeFileSync(join(spool, '0-not-json.json'), '{"id": "trunc');
    writeFileSync(join(spool, '1-not-a-run.json'), JSON.stringify({ hello: 'world' }));
    // Written by an older version: NUL and a lone surrogate, never normalized.
    const poisoned = makeRun({ name: 'poisoned', cases: [makeCase({ name: 'nul \u0000 case', stdout: 'x\u0000y \ud800', status: 'passed' })] });
    writeFileSync(join(spool, `2-${poisoned.id}.json`), JSON.stringify(poisoned));
    const good = makeRun({ name: 'good' });
    writeFileSync(join(spool, `3-${good.id}.json`), JSON.stringify(good));

    const r = await bin(['--db', pgdb.url, 'db', 'sync']);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout).toContain('synced 2 run(s)');
    expect(r.stderr).toContain('0-not-json.json: quarantined');
    expect(r.stderr).toContain('1-not-a-run.json: quarantined');
    const list = JSON.parse((await bin(['--db', pgdb.url, '--json', 'runs', 'list'])).stdout) as { name: string }[];
    expect(list.map((x) => x.name).sort()).toEqual(['good', 'poisoned']);
    expect(readdirSync(spool).filter((n) => n.endsWith('.json'))).toEqual([]);
    const quarantine = readdirSync(join(spool, 'quarantine')).sort();
    expect(quarantine).toEqual(['0-not-json.json', '0-not-json.json.reason.txt', '1-not-a-run.json', '1-not-a-run.json.reason.txt']);
    expect(readFileSync(join(spool, 'quarantine', '1-not-a-run.json.reason.txt'), 'utf8')).toMatch(/not a valid run/);

    const status = await bin(['--db', pgdb.url, 'db', 'status']);
    expect(status.stdout).toContain('quarantine: 2 file(s)');
  }, 300_000);

  it('db status lists spooled runs while the store is down (exit 4)', async () => {
    const imported = await bin(['--db', DOWN, '--json', 'import', JUNIT, '--format', 'junit']);
    expect(imported.exitCode).toBe(4);
    const [summary] = JSON.parse(imported.stdout) as { id: string }[];
    const status = await bin(['--db', DOWN, 'db', 'status']);
    expect(status.exitCode).toBe(4);
    expect(status.stdout).toContain('store: unreachable');
    expect(status.stdout).toContain('spool: 1 run(s) waiting');
    expect(status.stdout).toContain(summary!.id.slice(0, 8));
    const json = JSON.parse((await bin(['--db', DOWN, '--json', 'db', 'status'])).stdout) as { spooled: { id: string }[] };
    expect(json.spooled.map((s) => s.id)).toEqual([summary!.id]);
  }, 300_000);
});

describe('a live run killed hard', () => {
  let server: Server;
  beforeEach(async () => {
    // Never answers: the run stays in progress until it is killed.
    server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    });
  });

  it('shows as running while its heartbeat beats, and as abandoned after kill -9', async () => {
    const port = (server.address() as AddressInfo).port;
    const collection = join(tmp.dir, 'hang.postman_collection.json');
    writeFileSync(
      collection,
      JSON.stringify({
        info: { name: 'hang', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
        item: [{ name: 'slow', request: { method: 'GET', url: `http://127.0.0.1:${port}/slow` } }],
      }),
    );
    const env = cliEnv({ SHOPFDS_HEARTBEAT_MS: '200', SHOPFDS_LIVE_STALE_MS: '1500', SHOPFDS_LIVE_DELAY_MS: '0' });
    const child = spawn(process.execPath, [BIN, 'api', collection, '--base-url', `http://127.0.0.1:${port}`], { cwd: tmp.dir, env, stdio: 'ignore' });
    cleanups.push(() => child.kill('SIGKILL'));
    let running = false;
    for (let i = 0; i < 120 && !running; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const s = await runBin(['--json', 'db', 'status'], { cwd: tmp.dir, env });
      if (s.exitCode === 0) running = (JSON.parse(s.stdout) as { liveRuns: { state: string }[] }).liveRuns.some((l) => l.state === 'running');
    }
    expect(running).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 2500));
    const after = await runBin(['db', 'status'], { cwd: tmp.dir, env });
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/abandoned +[0-9a-f]{8} +api/);
    expect(after.stdout).not.toMatch(/running +[0-9a-f]{8}/);
    const list = await runBin(['runs', 'list'], { cwd: tmp.dir, env });
    expect(list.stdout).toMatch(/^[0-9a-f]{8} +api +abandoned /m);
  }, 300_000);
});

describe('imported output is capped per case (head and tail kept)', () => {
  it('a 5 MB <system-out> is stored as its head and tail, says how much was cut, and points at the full file', async () => {
    const middle = 'm'.repeat(5 * 1024 * 1024);
    const xml = `<testsuites><testsuite name="s"><testcase name="big"><system-out>HEAD-MARK ${middle} TAIL-MARK</system-out></testcase></testsuite></testsuites>`;
    writeFileSync(join(tmp.dir, 'big.xml'), xml);
    const r = await bin(['--json', 'import', 'big.xml', '--format', 'junit']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [summary] = JSON.parse(r.stdout) as { id: string }[];
    const run = JSON.parse((await bin(['--json', 'runs', 'show', summary!.id])).stdout) as { cases: { stdout: string; properties: Record<string, string> }[]; artifacts: { path: string }[] };
    const stdout = run.cases[0]!.stdout;
    expect(stdout.length).toBeLessThan(70 * 1024);
    expect(stdout.startsWith('HEAD-MARK')).toBe(true);
    expect(stdout.endsWith('TAIL-MARK')).toBe(true);
    const cut = Number(/\[\.\.\. (\d+) characters cut; the full output is in big\.xml\]/.exec(stdout)?.[1]);
    expect(cut + stdout.length).toBeGreaterThan(middle.length);
    expect(run.cases[0]!.properties['output.cut']).toMatch(/characters of output cut/);
    expect(run.artifacts.map((a) => a.path)).toContain(join(tmp.dir, 'big.xml'));
    expect(statSync(join(tmp.dir, 'big.xml')).size).toBeGreaterThan(5 * 1024 * 1024);
    expect(existsSync(join(tmp.dir, '.shopfds', 'results.db'))).toBe(true);
  }, 300_000);
});
