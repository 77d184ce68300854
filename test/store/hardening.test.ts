import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { REPLACED_CHARACTERS_KEY } from '../../src/model/index.js';
import { makeCase, makeRun } from '../helpers/fixtures.js';
import { BACKENDS, sqliteBackend, type StoreFixture } from './backends.js';

const fixtures: StoreFixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.cleanup();
});

describe.each(BACKENDS)('store hardening on $name', (backend) => {
  async function fresh() {
    const fixture = await backend.create();
    fixtures.push(fixture);
    return { fixture, store: await fixture.open() };
  }

  it('stores text with NUL and lone surrogates (PostgreSQL refused it before), replaced and counted', async () => {
    const { store } = await fresh();
    const run = makeRun({
      name: 'nul \u0000 run',
      cases: [makeCase({ name: 'half \ud800 title', stdout: 'a\u0000b', status: 'passed' })],
      metadata: { note: 'x\udc00y' },
    });
    await store.saveRun(run);
    const back = (await store.getRun(run.id))!;
    expect(back.name).toBe('nul \uFFFD run');
    expect(back.cases[0]!.name).toBe('half \uFFFD title');
    expect(back.cases[0]!.stdout).toBe('a\uFFFDb');
    expect(back.metadata.note).toBe('x\uFFFDy');
    expect(back.metadata[REPLACED_CHARACTERS_KEY]).toBe('4');
  });

  it('records a live run with a heartbeat; a stopped heartbeat reads as abandoned; saving the run ends it', async () => {
    const { store } = await fresh();
    const run = makeRun({ kind: 'api' });
    await store.beginLiveRun({
      id: run.id,
      kind: 'api',
      name: 'api run',
      environment: 'local',
      executedBy: 'ci',
      startedAt: run.startedAt,
      host: 'build-7',
      pid: 4242,
      commandLine: 'shopfds-test api c.json --env-var TOKEN=s3cret',
    });
    let [live] = await store.listLiveRuns();
    expect(live).toMatchObject({ id: run.id, kind: 'api', host: 'build-7', pid: 4242, state: 'running' });
    expect(live!.commandLine).not.toContain('s3cret');
    // Nothing refreshed it for two minutes: the CLI was killed hard.
    const later = new Date(Date.parse(live!.heartbeatAt) + 120_000).toISOString();
    [live] = await store.listLiveRuns({ now: later });
    expect(live!.state).toBe('abandoned');
    await store.heartbeatLiveRun(run.id, later);
    [live] = await store.listLiveRuns({ now: later });
    expect(live!.state).toBe('running');
    await store.saveRun(run);
    expect(await store.listLiveRuns()).toEqual([]);
    // endLiveRun for a run that never got saved (a usage error after start).
    await store.beginLiveRun({ ...live!, id: '00000000-0000-4000-8000-000000000001' });
    await store.endLiveRun('00000000-0000-4000-8000-000000000001');
    expect(await store.listLiveRuns()).toEqual([]);
  });
});

describe('SQLite writers wait for each other', () => {
  it('a save retries past the busy wait while another process holds the write lock, and succeeds once it is released', async () => {
    const fixture = await sqliteBackend.create();
    fixtures.push(fixture);
    const first = await fixture.open();
    await first.migrate();
    // Another process's long write transaction; our busy wait is far shorter than it.
    const other = new Database(fixture.target);
    other.exec('begin immediate');
    const store = await openSqliteStore(fixture.target, { busyTimeoutMs: 100 });
    const run = makeRun();
    const saving = store.saveRun(run);
    await new Promise((r) => setTimeout(r, 1500));
    other.exec('commit');
    other.close();
    await saving;
    expect((await store.getRun(run.id))?.id).toBe(run.id);
    await store.close();
  }, 60_000);

  it('still gives up after the retry bound', async () => {
    const fixture = await sqliteBackend.create();
    fixtures.push(fixture);
    await (await fixture.open()).migrate();
    const other = new Database(fixture.target);
    other.exec('begin immediate');
    const store = await openSqliteStore(fixture.target, { busyTimeoutMs: 50 });
    (store as unknown as { writeRetryMs: number }).writeRetryMs = 500;
    await expect(store.saveRun(makeRun())).rejects.toThrow(/locked/);
    other.exec('rollback');
    other.close();
    await store.close();
  }, 60_000);
});
