import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseKey, type Case, type Run } from '../../src/model/index.js';
import { BACKENDS, type StoreFixture } from '../store/backends.js';
import { REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { makeCase, makeRun } from '../helpers/fixtures.js';

/*
 * The history features through the built bin, on SQLite and on real PostgreSQL: flaky detection,
 * quarantine, compare, duplicate imports, retention, the perf baseline (through the k6 stand-in,
 * which replays recorded k6 output: k6 itself is not installed here).
 */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const STAND_IN_DIR = join(REPO_ROOT, 'test', 'fixtures', 'k6-stand-in');

function junit(cases: { name: string; fail?: boolean }[], timestamp = '2026-11-30T10:00:00Z'): string {
  const failures = cases.filter((c) => c.fail).length;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="checkout" tests="${cases.length}" failures="${failures}" errors="0" time="1.5">\n` +
    `  <testsuite name="checkout.spec.ts" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="1.5" timestamp="${timestamp}">\n` +
    cases
      .map((c) =>
        c.fail
          ? `    <testcase name="${c.name}" classname="checkout.spec.ts" time="0.5">\n      <failure message="expected 200, got 500" type="AssertionError">expected 200, got 500</failure>\n    </testcase>\n`
          : `    <testcase name="${c.name}" classname="checkout.spec.ts" time="0.5"/>\n`,
      )
      .join('') +
    '  </testsuite>\n</testsuites>\n'
  );
}

for (const backend of BACKENDS) {
  describe(`history on ${backend.name}`, () => {
    let fx: StoreFixture;
    let tmp: ReturnType<typeof makeTempDir>;
    const bin = (args: string[], env?: NodeJS.ProcessEnv) => runBin(['--db', fx.target, ...args], { cwd: tmp.dir, env, timeoutMs: 120_000 });
    const json = async <T>(args: string[]): Promise<T> => {
      const r = await bin(['--json', ...args]);
      expect(r.exitCode, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as T;
    };
    const save = async (runs: Run[]) => {
      const store = await fx.open();
      for (const run of runs) await store.saveRun(run);
      await store.close();
    };

    beforeAll(async () => {
      fx = await backend.create();
      tmp = makeTempDir('shopfds-history-');
    });
    afterAll(async () => {
      await fx.cleanup();
      tmp.cleanup();
    });

    it('lists a case that flips between runs as flaky with its rates; a case failing every run is broken, not flaky', async () => {
      const flips = ['passed', 'failed', 'passed', 'failed', 'passed', 'failed'] as const;
      const runs = flips.map((status, i) =>
        makeRun({
          kind: 'api',
          name: 'orders api',
          startedAt: ago(10 - i),
          cases: [
            makeCase({ suitePath: ['orders'], name: 'GET /orders flips', project: null, status }),
            makeCase({ suitePath: ['orders'], name: 'GET /health stable', project: null, status: 'passed' }),
            makeCase({ suitePath: ['orders'], name: 'POST /refund broken', project: null, status: 'failed' }),
            makeCase({ suitePath: ['orders'], name: 'GET /cart retried', project: null, status: i === 2 ? 'flaky' : 'passed' }),
          ],
        }),
      );
      await save(runs);
      const result = await json<{ flaky: { caseKey: string; name: string; flipRate: number; failureRate: number; runs: number; flips: number; reasons: string[] }[]; broken: number }>([
        'runs',
        'flaky',
        '--since',
        '30d',
        '--kind',
        'api',
      ]);
      const byName = new Map(result.flaky.map((f) => [f.name, f]));
      expect([...byName.keys()].sort()).toEqual(['GET /cart retried', 'GET /orders flips']);
      const flipping = byName.get('GET /orders flips')!;
      expect(flipping).toMatchObject({ runs: 6, flips: 5, reasons: ['flip-rate'] });
      expect(flipping.flipRate).toBeCloseTo(1, 5);
      expect(flipping.failureRate).toBeCloseTo(0.5, 5);
      expect(flipping.caseKey).toBe(caseKey('api', { suitePath: ['orders'], name: 'GET /orders flips', project: null }));
      expect(byName.get('GET /cart retried')!.reasons).toEqual(['retry']);
      expect(result.broken).toBe(1);
      const table = await bin(['runs', 'flaky', '--kind', 'api']);
      expect(table.stdout).toMatch(/100\.0%\s+50\.0%\s+6\s+5\s+flip-rate/);
      expect(table.stdout).toContain('1 case(s) failed in every run');
      expect(table.stdout).toContain('broken, not flaky');

      // Case keys for everyone: shown by runs show, and runs history finds a never-failed case by pattern.
      const shown = await bin(['runs', 'show', runs[5]!.id]);
      const stableKey = caseKey('api', { suitePath: ['orders'], name: 'GET /health stable', project: null });
      expect(shown.stdout).toContain(stableKey.slice(0, 12));
      const history = await json<{ status: string }[]>(['runs', 'history', 'orders › GET /health*']);
      expect(history.map((h) => h.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
      const byKey = await json<{ status: string }[]>(['runs', 'history', stableKey.slice(0, 10)]);
      expect(byKey).toHaveLength(6);
    });

    it('refuses a duplicate import with the existing run id; --force stores it again', async () => {
      const file = join(tmp.dir, 'dup.xml');
      writeFileSync(file, junit([{ name: 'pays' }, { name: 'ships', fail: true }]));
      const first = await bin(['--json', 'import', file, '--format', 'junit']);
      expect(first.exitCode, first.stderr).toBe(0);
      const [{ id }] = JSON.parse(first.stdout) as { id: string }[];
      const again = await bin(['import', file, '--format', 'junit']);
      expect(again.exitCode).toBe(2);
      expect(again.stderr).toContain(`already stored as run ${id}`);
      expect(again.stderr).not.toMatch(/\n\s+at /);
      const asJson = await bin(['--json', 'import', file, '--format', 'junit']);
      expect(asJson.exitCode).toBe(2);
      expect(JSON.parse(asJson.stdout)).toMatchObject({ error: { code: 'E_DUPLICATE_IMPORT', exitCode: 2 } });
      const forced = await bin(['--json', 'import', file, '--format', 'junit', '--force']);
      expect(forced.exitCode, forced.stderr).toBe(0);
      expect((JSON.parse(forced.stdout) as { id: string }[])[0]!.id).not.toBe(id);
    });

    it('compares two imported reports: new failures, fixes, still failing, added and removed', async () => {
      const a = join(tmp.dir, 'a.xml');
      const b = join(tmp.dir, 'b.xml');
      writeFileSync(a, junit([{ name: 'logs in' }, { name: 'adds to cart', fail: true }, { name: 'pays', fail: true }, { name: 'old one' }]));
      writeFileSync(b, junit([{ name: 'logs in', fail: true }, { name: 'adds to cart' }, { name: 'pays', fail: true }, { name: 'new one', fail: true }], '2026-11-30T11:00:00Z'));
      const ra = JSON.parse((await bin(['--json', 'import', a, '--format', 'junit', '--name', 'cmp'])).stdout)[0].id as string;
      const rb = JSON.parse((await bin(['--json', 'import', b, '--format', 'junit', '--name', 'cmp'])).stdout)[0].id as string;
      type Cmp = Record<'newFailures' | 'fixed' | 'stillFailing' | 'added' | 'removed', { name: string }[]>;
      const names = (list: { name: string }[]) => list.map((c) => c.name).sort();
      const diff = await json<Cmp>(['runs', 'compare', ra, rb]);
      expect(names(diff.newFailures)).toEqual(['logs in', 'new one']);
      expect(names(diff.fixed)).toEqual(['adds to cart']);
      expect(names(diff.stillFailing)).toEqual(['pays']);
      expect(names(diff.added)).toEqual(['new one']);
      expect(names(diff.removed)).toEqual(['old one']);
      // Default: the latest run against the previous run of the same name.
      const latest = await json<Cmp & { before: { id: string }; after: { id: string } }>(['runs', 'compare', rb]);
      expect(latest.before.id).toBe(ra);
      expect(names(latest.fixed)).toEqual(['adds to cart']);
      const text = await bin(['runs', 'compare', ra, rb]);
      expect(text.stdout).toContain('new failures 2, fixed 1, still failing 1, added 1, removed 1');
    });

    it('a quarantined failing case leaves exit code 0 and is shown as quarantined in table, Markdown and JUnit (k6 stand-in)', async () => {
      const env = cliEnv({ PATH: `${STAND_IN_DIR}:${process.env.PATH}`, K6_STANDIN_SCENARIO: 'thresholds' });
      const args = ['perf', 'load', '--base-url', 'http://127.0.0.1:9'];
      const before = await bin(['--json', ...args], env);
      expect(before.exitCode, before.stderr).toBe(1);
      const failing = (JSON.parse(before.stdout) as Run).cases.filter((c: Case) => c.status === 'failed');
      expect(failing.length).toBeGreaterThan(0);
      for (const c of failing) {
        const key = caseKey('perf', c);
        const add = await bin(['quarantine', 'add', key.slice(0, 12), '--reason', 'known slow gateway', '--until', '2099-12-31']);
        expect(add.exitCode, add.stderr).toBe(0);
      }
      const listed = await json<{ target: string; reason: string }[]>(['quarantine', 'list']);
      expect(listed.map((e) => e.reason)).toEqual(failing.map(() => 'known slow gateway'));

      const junitFile = join(tmp.dir, 'q.xml');
      const mdFile = join(tmp.dir, 'q.md');
      const after = await bin([...args, '--junit', junitFile, '--markdown', mdFile], env);
      expect(after.exitCode, after.stderr).toBe(0);
      expect(after.stdout).toContain('failed (quarantined)');
      expect(after.stdout).toMatch(/quarantined: stored and reported, but they do not fail the exit code/);
      const md = readFileSync(mdFile, 'utf8');
      expect(md).toContain('failed (quarantined)');
      expect(md).toContain('**Quarantined:**');
      const xml = readFileSync(junitFile, 'utf8');
      expect(xml).toContain('[[PROPERTY|quarantined=known slow gateway (until 2099-12-31)]]');
      expect(xml).toMatch(/<failure message=/);
      expect(xml).toContain(`<property name="shopfds.quarantinedFailures" value="${failing.length}"/>`);

      // Stored as it ran: the cases keep their failure.
      const [stored] = await json<{ id: string; status: string }[]>(['runs', 'list', '--kind', 'perf', '--limit', '1']);
      expect(stored!.status).toBe('failed');

      for (const e of listed) expect((await bin(['quarantine', 'remove', e.target])).exitCode).toBe(0);
      const released = await bin(args, env);
      expect(released.exitCode).toBe(1);
    }, 180_000);

    it('fails perf when p95 regresses beyond --max-regression against the baseline (k6 stand-in)', async () => {
      const env = cliEnv({ PATH: `${STAND_IN_DIR}:${process.env.PATH}`, K6_STANDIN_SCENARIO: 'pass' });
      const args = ['perf', 'load', '--base-url', 'http://127.0.0.1:9'];
      const first = await bin(['--json', ...args], env);
      expect(first.exitCode, first.stderr).toBe(0);
      const baseline = JSON.parse(first.stdout) as Run;
      expect(baseline.perf!.test.p95_response_time).toBe(122);

      const same = await bin(['--json', ...args, '--baseline', 'last-passed', '--max-regression', '10%'], env);
      expect(same.exitCode, same.stderr).toBe(0);
      const sameRun = JSON.parse(same.stdout) as Run;
      expect(sameRun.cases.at(-1)).toMatchObject({ suitePath: ['baseline'], status: 'passed' });

      // The baseline had a faster p95: 122 ms is +22%, beyond 10%.
      await fx.query('update performance_tests set p95_response_time = 100, p99_response_time = 150 where shopfds_run_id = ?', [baseline.id]);
      const slow = await bin(['--json', ...args, '--baseline', baseline.id, '--max-regression', '10%'], env);
      expect(slow.exitCode, slow.stderr).toBe(1);
      const slowRun = JSON.parse(slow.stdout) as Run;
      expect(slowRun.status).toBe('failed');
      expect(slowRun.cases.at(-1)).toMatchObject({ suitePath: ['baseline'], status: 'failed' });
      expect(slowRun.cases.at(-1)!.errorMessage).toContain('p95 122 ms vs baseline 100 ms (+22.0%); allowed +10%');
      // Within a looser bound it passes.
      const loose = await bin([...args, '--baseline', baseline.id, '--max-regression', '25%'], env);
      expect(loose.exitCode, loose.stderr).toBe(0);
    }, 180_000);

    it('db prune removes exactly the old runs, their cases and artifact folders; --dry-run and --keep-last', async () => {
      const oldRuns = [45, 40, 35].map((d) => makeRun({ kind: 'e2e', name: 'prune me', startedAt: ago(d), cases: [makeCase(), makeCase({ status: 'failed', name: 'x' })] }));
      const newRuns = [20, 1].map((d) => makeRun({ kind: 'e2e', name: 'prune me', startedAt: ago(d), cases: [makeCase()] }));
      await save([...oldRuns, ...newRuns]);
      const artifacts = join(tmp.dir, '.shopfds', 'artifacts');
      for (const r of [...oldRuns, ...newRuns]) {
        mkdirSync(join(artifacts, r.id), { recursive: true });
        writeFileSync(join(artifacts, r.id, 'shot.png'), 'png');
      }
      const count = async (ids: string[]) =>
        Number((await fx.query(`select count(*) as n from cases where run_id in (${ids.map(() => '?').join(',')})`, ids))[0]!.n);

      const dry = await json<{ runIds: string[]; runs: number }>(['db', 'prune', '--older-than', '30d', '--dry-run']);
      const ours = (ids: string[]) => ids.filter((id) => [...oldRuns, ...newRuns].some((r) => r.id === id)).sort();
      expect(ours(dry.runIds)).toEqual(oldRuns.map((r) => r.id).sort());
      expect(await count(oldRuns.map((r) => r.id))).toBe(6);

      const kept = await json<{ runIds: string[] }>(['db', 'prune', '--older-than', '30d', '--keep-last', '3']);
      // The newest three of "prune me" are the two new runs and the 35-day-old one.
      expect(ours(kept.runIds)).toEqual([oldRuns[0]!.id, oldRuns[1]!.id].sort());
      expect(existsSync(join(artifacts, oldRuns[0]!.id))).toBe(false);
      expect(existsSync(join(artifacts, oldRuns[2]!.id))).toBe(true);

      const pruned = await json<{ runIds: string[] }>(['db', 'prune', '--older-than', '30d', '--batch-size', '1']);
      expect(ours(pruned.runIds)).toEqual([oldRuns[2]!.id]);
      expect(await count(oldRuns.map((r) => r.id))).toBe(0);
      expect(await count(newRuns.map((r) => r.id))).toBe(2);
      for (const r of oldRuns) expect(existsSync(join(artifacts, r.id))).toBe(false);
      for (const r of newRuns) expect(existsSync(join(artifacts, r.id))).toBe(true);
      const left = await json<{ id: string }[]>(['runs', 'list', '--since', '60d', '--limit', '1000']);
      for (const r of oldRuns) expect(left.some((x) => x.id === r.id)).toBe(false);

      const stats = await json<{ runs: number; cases: number; artifacts: { folders: number; bytes: number } }>(['db', 'stats']);
      expect(stats.runs).toBe(left.length);
      expect(stats.artifacts.folders).toBe(2);
      expect(stats.artifacts.bytes).toBe(6);
    });

    it('config retention.days prunes old runs after each stored run', async () => {
      const old = makeRun({ kind: 'api', name: 'retention', startedAt: ago(45), cases: [makeCase()] });
      const recent = makeRun({ kind: 'api', name: 'retention', startedAt: ago(20), cases: [makeCase()] });
      await save([old, recent]);
      mkdirSync(join(tmp.dir, '.shopfds', 'artifacts', old.id), { recursive: true });
      const config = join(tmp.dir, 'retention.config.json');
      writeFileSync(config, JSON.stringify({ retention: { days: 30 } }));
      const file = join(tmp.dir, 'retention.xml');
      writeFileSync(file, junit([{ name: 'kept' }], new Date().toISOString()));
      const r = await bin(['--config', config, 'import', file, '--format', 'junit']);
      expect(r.exitCode, r.stderr).toBe(0);
      const ids = (await json<{ id: string }[]>(['runs', 'list', '--since', '60d', '--limit', '1000'])).map((x) => x.id);
      expect(ids).toContain(recent.id);
      expect(ids).not.toContain(old.id);
      expect(existsSync(join(tmp.dir, '.shopfds', 'artifacts', old.id))).toBe(false);
    }, 120_000);

    it('runs trend: pass rate and duration per day by kind', async () => {
      type Trend = { runs: { bucket: string; kind: string; runs: number; passedRuns: number; passRate: number; avgDurationMs: number }[] };
      const day = new Date(Date.now() - 3 * DAY);
      day.setUTCHours(12, 0, 0, 0);
      const bucket = day.toISOString().slice(0, 10);
      const row = (t: Trend) => t.runs.find((r) => r.bucket === bucket && r.kind === 'canary');
      const before = row(await json<Trend>(['runs', 'trend', '--since', '10d', '--kind', 'canary']));
      await save([
        makeRun({ kind: 'canary', name: 'trend', startedAt: day.toISOString(), completedAt: new Date(day.getTime() + 10_000).toISOString(), cases: [makeCase()] }),
        makeRun({ kind: 'canary', name: 'trend', startedAt: new Date(day.getTime() + 60_000).toISOString(), completedAt: new Date(day.getTime() + 90_000).toISOString(), cases: [makeCase({ status: 'failed' })] }),
      ]);
      const after = row(await json<Trend>(['runs', 'trend', '--since', '10d', '--kind', 'canary']))!;
      expect(before).toBeUndefined();
      expect(after).toMatchObject({ runs: 2, passedRuns: 1, passRate: 0.5, avgDurationMs: 20_000 });
      const text = await bin(['runs', 'trend', '--since', '10d', '--kind', 'canary']);
      expect(text.stdout).toMatch(new RegExp(`${bucket}\\s+canary\\s+2\\s+50\\.0%`));
    });
  });
}
