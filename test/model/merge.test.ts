import { describe, expect, it } from 'vitest';
import { mergeRunGroup, validateRun } from '../../src/model/index.js';
import { at, makeCase, makeRun } from '../helpers/fixtures.js';

describe('mergeRunGroup', () => {
  it('needs at least one run and returns a single run unchanged', () => {
    expect(() => mergeRunGroup([])).toThrow(/at least one/);
    const run = makeRun();
    expect(mergeRunGroup([run])).toBe(run);
  });

  it('joins e2e shards: cases in shard order, ordinals renumbered, totals recomputed, one valid run', () => {
    const shard2 = makeRun({
      kind: 'e2e',
      shard: { current: 2, total: 2 },
      runGroup: 'build-9',
      startedAt: at(5_000),
      completedAt: at(60_000),
      cases: [makeCase({ status: 'passed', name: 'b1' }), makeCase({ status: 'failed', name: 'b2' })],
    });
    const shard1 = makeRun({
      kind: 'e2e',
      shard: { current: 1, total: 2 },
      runGroup: 'build-9',
      startedAt: at(0),
      completedAt: at(30_000),
      cases: [makeCase({ status: 'passed', name: 'a1' }), makeCase({ status: 'flaky', name: 'a2' })],
    });
    const merged = mergeRunGroup([shard2, shard1]);
    expect(merged.cases.map((c) => [c.ordinal, c.name])).toEqual([
      [0, 'a1'],
      [1, 'a2'],
      [2, 'b1'],
      [3, 'b2'],
    ]);
    expect(merged.totals).toEqual({ total: 4, passed: 3, failed: 1, skipped: 0, flaky: 1, timedOut: 0, interrupted: 0 });
    expect(merged.status).toBe('failed');
    expect(merged.startedAt).toBe(at(0));
    expect(merged.completedAt).toBe(at(60_000));
    expect(merged.durationMs).toBe(60_000);
    expect(merged.shard).toBeNull();
    expect(merged.id).toBe(shard1.id);
    expect(merged.metadata.shards).toBe('2');
    expect(merged.metadata.shardRunIds).toBe(`${shard1.id},${shard2.id}`);
    // e2e records follow their cases; the shared scenario appears once.
    expect(merged.e2e!.test_runs.map((t) => merged.cases[t.case_ordinal]!.name)).toEqual(['a1', 'b1', 'b2']);
    expect(merged.e2e!.scenarios).toHaveLength(1);
    const checked = validateRun(merged);
    expect(checked.ok ? [] : checked.issues).toEqual([]);
  });

  it('takes the worst status: interrupted > error > failed > passed', () => {
    const passed = makeRun({ cases: [makeCase({ status: 'passed' })], shard: { current: 1, total: 3 } });
    const error = makeRun({ cases: [], shard: { current: 2, total: 3 }, errorMessage: 'tool crashed' });
    const interrupted = makeRun({ cases: [makeCase({ status: 'interrupted' })], status: 'interrupted', shard: { current: 3, total: 3 } });
    expect(mergeRunGroup([passed, error]).status).toBe('error');
    expect(mergeRunGroup([passed, error]).errorMessage).toBe('incomplete group: shard 3/3 never stored\ntool crashed');
    expect(mergeRunGroup([passed, error, interrupted]).status).toBe('interrupted');
    const half = makeRun({ cases: [makeCase({ status: 'passed' })], shard: { current: 1, total: 2 } });
    expect(mergeRunGroup([half, makeRun({ cases: [makeCase({ status: 'passed' })], shard: { current: 2, total: 2 } })]).status).toBe('passed');
  });

  it('joins api shards with every suite and its results pointing at the right cases', () => {
    const a = makeRun({ kind: 'api', shard: { current: 1, total: 2 }, cases: [makeCase({ status: 'passed', name: 'GET /a' })] });
    const b = makeRun({ kind: 'api', shard: { current: 2, total: 2 }, cases: [makeCase({ status: 'passed', name: 'GET /b' }), makeCase({ status: 'failed', name: 'POST /b' })] });
    const merged = mergeRunGroup([a, b]);
    expect(merged.api!.suites).toHaveLength(2);
    const pointed = merged.api!.suites.flatMap((s) => s.results.map((r) => merged.cases[r.case_ordinal!]!.name));
    expect(pointed).toEqual(['GET /a', 'GET /b', 'POST /b']);
    const checked = validateRun(merged);
    expect(checked.ok ? [] : checked.issues).toEqual([]);
  });

  it('concatenates artifacts and metric samples of every shard', () => {
    const a = makeRun({ kind: 'perf', shard: { current: 1, total: 2 }, cases: [makeCase()] });
    const b = makeRun({ kind: 'perf', shard: { current: 2, total: 2 }, cases: [makeCase()] });
    const merged = mergeRunGroup([a, b]);
    expect(merged.metrics).toHaveLength(a.metrics.length + b.metrics.length);
    expect(merged.artifacts).toHaveLength(a.artifacts.length + b.artifacts.length);
  });
});
