import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { LiveRunStart, RunStore } from '../../src/store/types.js';
import { BIN, cliEnv, makeTempDir } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { makeRun } from './fixtures.js';

/*
 * The dashboard's live view: `shopfds-test serve` spawned for real, a real runs page in real Chromium,
 * live-run records written through the store API (as `src/cli/live-run.ts` writes them). A run in
 * progress appears without a reload (server-sent events), goes when it is stored, and a run whose
 * heartbeat stopped turns abandoned instead of running forever. SQLite and PostgreSQL.
 */

const CHROMIUM = '/usr/bin/chromium';
/** Short, so a stopped heartbeat shows within the test (the default is 60 s). */
const STALE_MS = 8_000;

interface Serve {
  readonly child: ChildProcess;
  readonly url: string;
}

function startServe(dbTarget: string, cwd: string): Promise<Serve> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, '--db', dbTarget, 'serve', '--port', '0'], { cwd, env: cliEnv({ SHOPFDS_LIVE_STALE_MS: String(STALE_MS) }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no address: ${err}`)), 90_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^(http:\/\/\S+)\n/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

function stopServe(s: Serve): Promise<void> {
  return new Promise((resolvePromise) => {
    if (s.child.exitCode !== null) return resolvePromise();
    s.child.once('exit', () => resolvePromise());
    s.child.kill('SIGINT');
  });
}

function liveStart(id: string, name: string, startedAt: string): LiveRunStart {
  return { id, kind: 'e2e', name, environment: 'local', executedBy: 'ci-bot', startedAt, host: 'build-7', pid: 4242, commandLine: 'shopfds-test e2e' };
}

/** The live table's rows as the page shows them now. */
function liveRows(page: Page): Promise<{ id: string; state: string; badge: string; name: string; progress: string }[]> {
  return page.locator('#live-runs tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const tds = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '');
      return { id: tr.getAttribute('data-id') ?? '', state: tr.getAttribute('data-state') ?? '', badge: tds[0] ?? '', name: tds[1] ?? '', progress: tds[5] ?? '' };
    }),
  );
}

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install one (apt-get install -y chromium)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(['sqlite', 'postgres'] as const)('dashboard live view over %s (real server, real Chromium)', { timeout: 180_000 }, (backend) => {
  let tmp: ReturnType<typeof makeTempDir>;
  let pg: TestDatabase | null = null;
  let store: RunStore;
  let server: Serve;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    tmp = makeTempDir('shopfds-live-');
    let target = join(tmp.dir, 'results.db');
    if (backend === 'postgres') {
      pg = await createTestDatabase();
      target = pg.url;
    }
    store = await openStore(target);
    await store.saveRun(makeRun({ id: '1a2b3c4d-0000-4000-8000-000000000001', name: 'yesterday checkout', startedAt: '2025-11-01T08:00:00.000Z', cases: [{ name: 'adds to cart' }] }));
    server = await startServe(target, tmp.dir);
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    if (server) await stopServe(server);
    await store?.close();
    await pg?.drop();
    tmp?.cleanup();
  }, 60_000);

  async function open(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // Failed requests by address (the browser's own favicon request may 404; nothing else may fail).
    page.on('response', (r) => {
      if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') errors.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
    await page.goto(server.url);
    // Set once: still there at the end means the page was never reloaded.
    await page.evaluate(() => ((window as any).__sameDocument = true));
    return { page, errors };
  }

  it('a run in progress appears as running without a reload, and gives way to the stored run when it ends', async () => {
    const { page, errors } = await open();
    expect(await page.locator('#runs tbody tr').count()).toBe(1);
    expect(await page.locator('#live-runs').count()).toBe(0);

    const id = '2b3c4d5e-0000-4000-8000-000000000002';
    const startedAt = new Date().toISOString();
    await store.beginLiveRun(liveStart(id, 'checkout in flight', startedAt));
    // The run's own heartbeat, as live-run.ts keeps it.
    const beat = setInterval(() => void store.heartbeatLiveRun(id).catch(() => {}), 1_000);
    try {
      await expect.poll(() => liveRows(page), { timeout: 60_000 }).toEqual([expect.objectContaining({ id, state: 'running', badge: 'running', name: 'checkout in flight' })]);
      await expect.poll(async () => (await liveRows(page))[0]?.progress ?? '', { timeout: 30_000 }).toMatch(/elapsed at last heartbeat/);
    } finally {
      clearInterval(beat);
    }

    // Saving the run removes its live record: the row goes and the stored run is announced.
    await store.saveRun(makeRun({ id, name: 'checkout in flight', startedAt, cases: [{ name: 'adds to cart' }, { name: 'pays with card', status: 'failed' }] }));
    await expect.poll(() => page.locator('#live-runs').count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => page.locator('#new-run').textContent(), { timeout: 60_000 }).toContain('New run stored: checkout in flight (failed)');
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

    await page.reload();
    expect(await page.locator(`#runs tbody tr[data-id="${id}"]`).count()).toBe(1);
    expect(await page.locator('#live-runs').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a run whose heartbeat stopped shows as abandoned, on load and as soon as it goes stale', async () => {
    const old = '3c4d5e6f-0000-4000-8000-000000000003';
    const stopped = '4d5e6f70-0000-4000-8000-000000000004';
    // A run killed five minutes ago: its last heartbeat is in the past.
    await store.beginLiveRun(liveStart(old, 'killed nightly', new Date(Date.now() - 10 * 60_000).toISOString()));
    await store.heartbeatLiveRun(old, new Date(Date.now() - 5 * 60_000).toISOString());
    // A run that beat once just now and then stopped.
    await store.beginLiveRun(liveStart(stopped, 'stopped just now', new Date().toISOString()));

    const { page, errors } = await open();
    const first = await liveRows(page);
    expect(first.find((r) => r.id === old)).toEqual(expect.objectContaining({ state: 'abandoned', badge: 'abandoned', name: 'killed nightly' }));
    expect(first.map((r) => r.id).sort()).toEqual([old, stopped].sort());

    // No reload: the stream turns it abandoned once its heartbeat is older than SHOPFDS_LIVE_STALE_MS.
    await expect.poll(async () => (await liveRows(page)).find((r) => r.id === stopped)?.state, { timeout: 50_000 }).toBe('abandoned');
    const rows = await liveRows(page);
    expect(rows.map((r) => [r.id, r.state, r.badge]).sort()).toEqual([[old, 'abandoned', 'abandoned'], [stopped, 'abandoned', 'abandoned']].sort());
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
    expect(errors).toEqual([]);
  });
});
