import type { Run, RunStatus } from './run.js';
import { computeTotals } from './totals.js';

const SEVERITY: Record<RunStatus, number> = { passed: 0, failed: 1, error: 2, interrupted: 3 };

/**
 * Joins the shards of one logical run (same run group) into one run: cases in shard order,
 * ordinals renumbered (and the e2e/api records that point at cases with them), totals recomputed,
 * the worst status, the earliest start and latest end.
 */
export function mergeRunGroup(runs: readonly Run[]): Run {
  if (!runs.length) throw new Error('mergeRunGroup needs at least one run');
  if (runs.length === 1) return runs[0]!;
  const sorted = [...runs].sort((a, b) => (a.shard?.current ?? 0) - (b.shard?.current ?? 0) || a.startedAt.localeCompare(b.startedAt));
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
  const status = sorted.map((r) => r.status).reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
  return {
    ...first,
    status,
    startedAt,
    completedAt,
    durationMs: Math.max(0, Date.parse(completedAt) - Date.parse(startedAt)),
    totals: computeTotals(cases),
    cases,
    shard: null,
    errorMessage: sorted.map((r) => r.errorMessage).filter(Boolean).join('\n') || null,
    artifacts: sorted.flatMap((r) => r.artifacts),
    metrics: sorted.flatMap((r) => r.metrics),
    metadata: { ...first.metadata, shards: String(sorted.length), shardRunIds: sorted.map((r) => r.id).join(',') },
    e2e: sorted.some((r) => r.e2e) ? { scenarios: [...scenarios.values()], test_runs: testRuns } : null,
    api: sorted.some((r) => r.api) ? { suites } : null,
  };
}
