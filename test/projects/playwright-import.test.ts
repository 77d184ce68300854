import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/model/index.js';
import { displayWidth } from '../../src/report/format.js';
import { cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { copyPlaywrightProject, requireChromium, runPlaywrightDirectly } from './playwright-project.js';

/*
 * A realistic Playwright project (test/fixtures/playwright-project) run by real Playwright with real
 * Chromium the way its users run it, then imported and read back through shopfds-test: shard groups,
 * attempts, counts, file paths, failure text in CI logs, display width, "latest", read commands.
 */

let tmp: ReturnType<typeof makeTempDir>;
let project: string;
const report = (name: string) => join(tmp.dir, name);
const env = cliEnv();

async function cli(args: readonly string[]) {
  return runBin(args, { cwd: tmp.dir, env, timeoutMs: 60_000 });
}

function runImport(db: string, file: string, buildId?: string, extra: readonly string[] = []) {
  // On CI the build id is the run group shards share.
  const ciEnv = buildId ? cliEnv({ GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: buildId }) : env;
  return runBin(['--db', db, 'import', file, '--format', 'playwright-json', ...extra], { cwd: tmp.dir, env: ciEnv, timeoutMs: 60_000 });
}

async function importReport(db: string, file: string, buildId?: string, extra: readonly string[] = []): Promise<string> {
  const r = await runImport(db, file, buildId, extra);
  expect(r.exitCode, r.stderr).toBe(0);
  const id = /imported e2e run ([0-9a-f-]{36})/.exec(r.stdout)?.[1];
  expect(id, r.stdout).toBeTruthy();
  return id!;
}

beforeAll(async () => {
  requireChromium();
  tmp = makeTempDir('shopfds-pw-project-');
  project = copyPlaywrightProject(tmp.dir);
  // Shard 1/2 first, then the whole suite: the whole run starts later than the shard run.
  for (const shard of [1, 2]) {
    const code = await runPlaywrightDirectly(project, ['--project=chromium', '--retries=1', `--shard=${shard}/2`], report(`shard${shard}.json`));
    expect([0, 1]).toContain(code);
  }
  expect(await runPlaywrightDirectly(project, ['--project=chromium', '--retries=1'], report('full.json'))).toBe(1);
}, 540_000);
afterAll(() => tmp?.cleanup());

describe('a Playwright project imported from its own JSON report', () => {
  it('keeps each attempt\'s own output and error (item 4)', async () => {
    const db = join(tmp.dir, 'attempts.db');
    const id = await importReport(db, report('full.json'));
    const shown = await cli(['--db', db, '--json', 'runs', 'show', id]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    const run = JSON.parse(shown.stdout) as Run;
    const coupon = run.cases.find((c) => c.name.startsWith('applies a coupon'))!;
    expect(coupon.status).toBe('flaky');
    expect(coupon.attempts.map((a) => [a.status, a.stdout, a.stderr])).toEqual([
      ['failed', 'coupon attempt 0 stdout\n', 'coupon attempt 0 stderr\n'],
      ['passed', 'coupon attempt 1 stdout\n', 'coupon attempt 1 stderr\n'],
    ]);
    expect(coupon.attempts[0]!.errorMessage).toMatch(/Expected: 90\nReceived: 100/);
    const text = await cli(['--db', db, 'runs', 'show', id]);
    expect(text.stdout).toContain('stdout | coupon attempt 0 stdout');
    expect(text.stdout).toContain('stderr | coupon attempt 0 stderr');
    expect(text.stdout).toContain('stdout | coupon attempt 1 stdout');
  });

  it('prints passed, flaky, failed and skipped so that they sum to the total; stores the seed\'s rule (item 5)', async () => {
    const db = join(tmp.dir, 'totals.db');
    const id = await importReport(db, report('full.json'));
    const text = await cli(['--db', db, 'report', id]);
    expect(text.stdout.split('\n')[0]).toContain('2 passed, 1 flaky, 1 failed, 1 skipped of 5');
    const json = JSON.parse((await cli(['--db', db, 'report', id, '--format', 'json'])).stdout) as Run;
    expect(json.totals).toMatchObject({ total: 5, passed: 3, flaky: 1, failed: 1, skipped: 1 });
    const listed = await cli(['--db', db, 'runs', 'list']);
    expect(listed.stdout).toMatch(/PASSED +FLAKY +FAILED +SKIPPED +TOTAL/);
    expect(listed.stdout).toMatch(/ 2 +1 +1 +1 +5 /);
  });

  it('stores spec files relative to the Playwright root and shows steps only where there are any (item 8)', async () => {
    const db = join(tmp.dir, 'files.db');
    const id = await importReport(db, report('full.json'));
    const run = JSON.parse((await cli(['--db', db, '--json', 'runs', 'show', id])).stdout) as Run;
    expect([...new Set(run.cases.map((c) => c.file))].sort()).toEqual(['tests/cart.spec.ts', 'tests/checkout.spec.ts']);
    const failed = run.cases.find((c) => c.status === 'failed')!;
    expect(failed.properties.error_location).toMatch(/^tests\/checkout\.spec\.ts:6:\d+$/);
    const text = await cli(['--db', db, 'runs', 'show', id]);
    expect(text.stdout).not.toMatch(/steps passed/);
  });

  it('never cuts a failure message or a test name in piped output; Expected/Received and file:line (item 12)', async () => {
    const db = join(tmp.dir, 'failures.db');
    const id = await importReport(db, report('full.json'));
    for (const args of [['report', id], ['runs', 'show', id]]) {
      const text = (await cli(['--db', db, ...args])).stdout;
      expect(text).toContain('shows the order confirmation number after a successful card payment with saved address');
      expect(text).toContain('Error: the order number issued by the payment gateway for a card payment with the saved address');
      expect(text).toContain('Expected: "ORD-1042"');
      expect(text).toContain('Received: "ORD-0000"');
      expect(text).toMatch(/at tests\/checkout\.spec\.ts:6:\d+/);
      expect(text).not.toContain('…');
    }
  });

  it('aligns Korean and emoji test names by display width (item 18)', async () => {
    const db = join(tmp.dir, 'width.db');
    const id = await importReport(db, report('full.json'));
    const text = (await cli(['--db', db, 'runs', 'show', id])).stdout;
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Cases ('));
    const rows = lines.slice(start + 1).filter((l) => /^ {2}(STATUS|passed|flaky|failed|skipped) /.test(l));
    expect(rows.length).toBe(6);
    const korean = rows.find((l) => l.includes('장바구니'))!;
    expect(korean).toBeTruthy();
    // Every row's TEST column starts at the same terminal column, and numbers are right-aligned.
    const testColumn = (l: string) => displayWidth(l.slice(0, l.indexOf('cart.spec.ts') >= 0 ? l.indexOf('cart.spec.ts') : l.indexOf('checkout.spec.ts')));
    const header = rows[0]!;
    const cols = rows.slice(1).map(testColumn);
    expect(new Set(cols).size).toBe(1);
    expect(cols[0]).toBe(displayWidth(header.slice(0, header.indexOf('TEST'))));
    const triesEnd = displayWidth(header.slice(0, header.indexOf('TRIES') + 'TRIES'.length));
    for (const row of rows.slice(1)) expect(/\d/.test(row[triesEnd - 1]!)).toBe(true);
  });

  it('takes the latest run of each shard, reports a missing shard as incomplete and names each shard\'s run (item 3)', async () => {
    const db = join(tmp.dir, 'shards.db');
    const first = await importReport(db, report('shard1.json'), 'build-77');
    // The same shard again (a CI re-run under the same build id). The same report content is refused
    // as a duplicate unless --force asks to store it again.
    const refused = await runImport(db, report('shard1.json'), 'build-77');
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`this report is already stored as run ${first}`);
    const again = await importReport(db, report('shard1.json'), 'build-77', ['--force']);
    expect(again).not.toBe(first);
    const shard1 = JSON.parse((await cli(['--db', db, '--json', 'runs', 'show', again])).stdout) as Run;
    expect(shard1.shard).toEqual({ current: 1, total: 2 });

    const partial = JSON.parse((await cli(['--db', db, 'report', '--group', 'build-77', '--format', 'json'])).stdout) as Run;
    expect(partial.status).not.toBe('passed');
    expect(partial.totals.total).toBe(shard1.totals.total);
    expect(partial.errorMessage).toContain('incomplete group: shard 2/2 never stored');
    const text = (await cli(['--db', db, 'report', '--group', 'build-77'])).stdout;
    expect(text).toContain(`shard 1/2: run ${again}`);
    expect(text).toContain(`(replaces ${first.slice(0, 8)})`);
    expect(text).toContain('shard 2/2: missing (never stored)');
    expect(text).not.toMatch(/^e2e .*PASSED/);

    const second = await importReport(db, report('shard2.json'), 'build-77');
    const whole = JSON.parse((await cli(['--db', db, 'report', '--group', 'build-77', '--format', 'json'])).stdout) as Run;
    expect(whole.totals.total).toBe(5);
    expect(new Set(whole.cases.map((c) => c.name)).size).toBe(5);
    expect(whole.errorMessage ?? '').not.toContain('incomplete');
    const footer = (await cli(['--db', db, 'report', '--group', 'build-77'])).stdout;
    expect(footer).toContain(`shard 2/2: run ${second}`);
  });

  it('report --latest is the run stored last, even when an older report is imported after a newer one (item 14)', async () => {
    const db = join(tmp.dir, 'latest.db');
    const newer = await importReport(db, report('full.json'));
    const older = await importReport(db, report('shard1.json'));
    const a = JSON.parse((await cli(['--db', db, '--json', 'runs', 'show', newer])).stdout) as Run;
    const b = JSON.parse((await cli(['--db', db, '--json', 'runs', 'show', older])).stdout) as Run;
    expect(Date.parse(b.startedAt)).toBeLessThan(Date.parse(a.startedAt));
    const latest = JSON.parse((await cli(['--db', db, 'report', '--latest', '--format', 'json'])).stdout) as Run;
    expect(latest.id).toBe(older);
  });

  it('a read command on a missing SQLite file exits 2 and creates nothing (item 15)', async () => {
    for (const args of [['runs', 'list'], ['report', '--latest'], ['runs', 'failures']]) {
      const r = await cli(['--db', 'typo.db', ...args]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('no result store at typo.db');
      expect(existsSync(join(tmp.dir, 'typo.db'))).toBe(false);
    }
  });
});
