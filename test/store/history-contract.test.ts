import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_HASH_METADATA, caseKey, type Run } from '../../src/model/index.js';
import type { RunStore } from '../../src/store/types.js';
import { makeCase, makeRun } from '../helpers/fixtures.js';
import { BACKENDS, type StoreFixture } from './backends.js';

/** The history half of the store contract, on SQLite and real PostgreSQL. */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

for (const backend of BACKENDS) {
  describe(`history store contract: ${backend.name}`, () => {
    let fx: StoreFixture;
    let store: RunStore;
    beforeEach(async () => {
      fx = await backend.create();
      store = await fx.open();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('stores each case with its run kind and commit, which flaky detection filters on', async () => {
      const run = makeRun({ kind: 'api', cases: [makeCase({ name: 'GET /x' })] });
      await store.saveRun({ ...run, ci: { provider: 'generic', buildId: '7', commitSha: 'c0ffee', branch: null, jobUrl: null } });
      const rows = await fx.query('select kind, commit_sha from cases where run_id = ?', [run.id]);
      expect(rows).toEqual([{ kind: 'api', commit_sha: 'c0ffee' }]);
    });

    it('counts outcomes, flips and same-commit conflicts per case in a window', async () => {
      const sha = (s: string) => ({ provider: 'generic' as const, buildId: s, commitSha: s, branch: null, jobUrl: null });
      const outcomes: [string, 'passed' | 'failed'][] = [
        ['a1', 'passed'],
        ['a1', 'failed'], // same commit a1: passed and failed
        ['b2', 'passed'],
        ['c3', 'failed'],
        ['d4', 'passed'],
      ];
      const runs: Run[] = outcomes.map(([commit, status], i) => ({
        ...makeRun({ kind: 'e2e', startedAt: ago(5 - i), cases: [makeCase({ name: 'pays', status }), makeCase({ name: 'ships' })] }),
        ci: sha(commit),
      }));
      for (const r of runs) await store.saveRun(r);
      const key = caseKey('e2e', runs[0]!.cases[0]!);
      const stats = await store.caseWindowStats(ago(30));
      expect(stats).toEqual([
        { caseKey: key, runs: 5, failures: 2, retriedPasses: 0, flips: 4, conflictingCommits: 1, lastSeen: runs[4]!.startedAt },
      ]);
      expect(await store.caseWindowStats(ago(30), 'api')).toEqual([]);
      const [who] = await store.describeCases([{ caseKey: key, lastSeen: runs[4]!.startedAt }]);
      expect(who).toMatchObject({ caseKey: key, kind: 'e2e', name: 'pays', suitePath: ['checkout.spec.ts', 'Checkout'], project: 'chromium' });
      expect((await store.findCases(key.slice(0, 8))).map((c) => c.caseKey)).toEqual([key]);
      expect((await store.findCases('Checkout › ship*')).map((c) => c.name)).toEqual(['ships']);
      expect(await store.findCases('nothing like this')).toEqual([]);
    });

    it('reads a run as case outcomes, finds a run by content hash, keeps a quarantine list', async () => {
      const run = makeRun({ kind: 'e2e', metadata: { [CONTENT_HASH_METADATA]: 'ab'.repeat(32) } });
      await store.saveRun(run);
      const outcomes = await store.caseOutcomes(run.id);
      expect(outcomes.map((o) => [o.caseKey, o.status])).toEqual(run.cases.map((c) => [caseKey('e2e', c), c.status]));
      expect(await store.findRunByContentHash('ab'.repeat(32))).toBe(run.id);
      expect(await store.findRunByContentHash('cd'.repeat(32))).toBeNull();

      const entry = { id: 'e1', target: 'pays*', kind: null, reason: 'JIRA-1', until: '2099-01-01T00:00:00.000Z', createdBy: 'alice', createdAt: '2026-01-01T00:00:00.000Z' };
      await store.addQuarantine(entry);
      await store.addQuarantine({ ...entry, id: 'e2', reason: 'JIRA-2' }); // same target: replaced
      expect(await store.listQuarantine()).toEqual([{ ...entry, reason: 'JIRA-2' }]);
      expect(await store.removeQuarantine('pays*')).toBe(1);
      expect(await store.listQuarantine()).toEqual([]);
    });

    it('prunes old runs in batches with their cases and kind records, keeps the newest N per name, and reports stats', async () => {
      const old = [50, 45, 40].map((d) => makeRun({ kind: 'api', name: 'nightly', startedAt: ago(d) }));
      const fresh = makeRun({ kind: 'api', name: 'nightly', startedAt: ago(1) });
      for (const r of [...old, fresh]) await store.saveRun(r);
      const dry = await store.prune({ before: ago(30), dryRun: true });
      expect([...dry.runIds].sort()).toEqual(old.map((r) => r.id).sort());
      expect((await store.listRuns({ limit: 10 })).length).toBe(4);

      const batches: string[][] = [];
      const kept = await store.prune({ before: ago(30), keepLast: 2, batchSize: 1, onBatch: (ids) => void batches.push([...ids]) });
      expect(kept.runIds).toEqual([old[0]!.id, old[1]!.id]);
      expect(batches).toEqual([[old[0]!.id], [old[1]!.id]]);
      for (const table of ['cases', 'api_test_suites', 'metric_samples']) {
        const col = table === 'api_test_suites' ? 'shopfds_run_id' : 'run_id';
        const rows = await fx.query(`select count(*) as n from ${table} where ${col} in (?, ?)`, [old[0]!.id, old[1]!.id]);
        expect(Number(rows[0]!.n), table).toBe(0);
      }
      const stats = await store.stats();
      expect(stats.runs).toBe(2);
      expect(stats.cases).toBe(fresh.cases.length + old[2]!.cases.length);
      expect(stats.byKind).toEqual([{ kind: 'api', runs: 2, oldest: old[2]!.startedAt, newest: fresh.startedAt }]);
      expect(stats.databaseBytes).toBeGreaterThan(0);

      const trends = await store.trends({ since: ago(60), bucket: 'week' });
      expect(trends.runs.reduce((s, r) => s + r.runs, 0)).toBe(2);
      expect(trends.api.length).toBeGreaterThan(0);
    });
  });
}
