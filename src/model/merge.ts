import type { Run, RunStatus } from './run.js';
import { computeTotals } from './totals.js';

const SEVERITY: Record<RunStatus, number> = { passed: 0, failed: 1, error: 2, interrupted: 3 };

/** Metadata key of a merged group: one line per shard naming its run, or saying it is missing. */
export const SHARD_RUNS = 'shard_runs';

/** Which stored run stands for each shard of a group, and which shards were never stored. */
export interface ShardSelection {
  /** The runs merged: the latest run of each shard, plus runs without a shard. */
  readonly chosen: readonly Run[];
  /** Earlier runs of a shard that a later run of the same shard replaced. */
  readonly replaced: readonly Run[];
  /** Shard numbers (1-based) of `total` with no run at all. */
  readonly missing: readonly number[];
  readonly total: number | null;
}

/**
 * Picks the run of each shard: `runs` come in the order they were recorded (oldest first) and the
 * last run of a shard wins, so re-running shard 1/2 replaces it rather than counting its tests twice.
 */
export function selectShards(runs: readonly Run[]): ShardSelection {
  const byShard = new Map<number, Run>();
  const replaced: Run[] = [];
  const unsharded: Run[] = [];
  let total: number | null = null;
  for (const run of runs) {
    if (!run.shard) {
      unsharded.push(run);
      continue;
    }
    total = Math.max(total ?? 0, run.shard.total);
    const earlier = byShard.get(run.shard.current);
    if (earlier) replaced.push(earlier);
    byShard.set(run.shard.current, run);
  }
  const missing: number[] = [];
  if (total !== null) for (let i = 1; i <= total; i++) if (!byShard.has(i)) missing.push(i);
  return { chosen: [...unsharded, ...byShard.values()], replaced, missing, total };
}

/**
 * Joins the shards of one logical run (same run group) into one run: the latest run of each shard
 * (`runs` in recorded order, oldest first), cases in shard order, ordinals renumbered (and the e2e/api
 * records that point at cases with them), totals recomputed, the worst status, the earliest start and
 * latest end. A group with a shard never stored is incomplete: never a pass, and it says which.
 */
export function mergeRunGroup(runs: readonly Run[]): Run {
  if (!runs.length) throw new Error('mergeRunGroup needs at least one run');
  const selection = selectShards(runs);
  if (runs.length === 1 && !selection.missing.length) return runs[0]!;
  const sorted = [...selection.chosen].sort((a, b) => (a.shard?.current ?? 0) - (b.shard?.current ?? 0) || a.startedAt.localeCompare(b.startedAt));
  const first = sorted[0]!;
  const cases: Run['cases'][number][] = [];
  const testRuns: NonNullable<Run['e2e']>['test_runs'][number][] = [];
  const scenarios = new Map<string, NonNullable<Run['e2e']>['scenarios'][number]>();
  const suites: NonNullable<Run['api']>['suites'][number][] = [];
  for (const run of sorted) {
    const offset = cases.length;
    for (const c of run.cases) cases.push({ ...c, ordinal: offset + c.ordinal });
    for (const t of run.e2e?.test_runs ?? []) testRuns.push({ ...t, case_ordinal: offset + t.case_ordinal });
    for (const s of run.e2e?.scenarios ?? []) scenarios.set(s.name, s);
    for (const s of run.api?.suites ?? [])
      suites.push({ ...s, results: s.results.map((r) => ({ ...r, case_ordinal: r.case_ordinal === null ? null : offset + r.case_ordinal })) });
  }
  const startedAt = sorted.map((r) => r.startedAt).sort()[0]!;
  const completedAt = sorted.map((r) => r.completedAt).sort().at(-1)!;
  let status = sorted.map((r) => r.status).reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
  const total = selection.total;
  const incomplete = total !== null && selection.missing.length > 0;
  if (incomplete && status === 'passed') status = 'error';
  const shardLines: string[] = [];
  if (total !== null) {
    for (let i = 1; i <= total; i++) {
      const run = sorted.find((r) => r.shard?.current === i);
      if (!run) {
        shardLines.push(`shard ${i}/${total}: missing (never stored)`);
        continue;
      }
      const again = selection.replaced.filter((r) => r.shard?.current === i);
      shardLines.push(
        `shard ${i}/${total}: run ${run.id} ${run.status}, ${run.totals.total} cases, started ${run.startedAt}` +
          (again.length ? ` (replaces ${again.map((r) => r.id.slice(0, 8)).join(', ')})` : ''),
      );
    }
  }
  const incompleteMessage = incomplete
    ? `incomplete group: shard${selection.missing.length > 1 ? 's' : ''} ${selection.missing.map((n) => `${n}/${total}`).join(', ')} never stored`
    : null;
  return {
    ...first,
    status,
    startedAt,
    completedAt,
    durationMs: Math.max(0, Date.parse(completedAt) - Date.parse(startedAt)),
    totals: computeTotals(cases),
    cases,
    shard: null,
    errorMessage: [incompleteMessage, ...sorted.map((r) => r.errorMessage)].filter(Boolean).join('\n') || null,
    artifacts: sorted.flatMap((r) => r.artifacts),
    metrics: sorted.flatMap((r) => r.metrics),
    metadata: {
      ...first.metadata,
      shards: String(sorted.length),
      shardRunIds: sorted.map((r) => r.id).join(','),
      ...(shardLines.length ? { [SHARD_RUNS]: shardLines.join('\n') } : {}),
    },
    e2e: sorted.some((r) => r.e2e) ? { scenarios: [...scenarios.values()], test_runs: testRuns } : null,
    api: sorted.some((r) => r.api) ? { suites } : null,
  };
}
