import { CaseSchema, RunSchema, type Case, type Run, type Totals } from './run.js';
import { computeTotals } from './totals.js';

export type RunValidationResult =
  | { readonly ok: true; readonly run: Run }
  | { readonly ok: false; readonly issues: readonly string[] };

/**
 * Checks a run against the schema and the seed's rules: totals add up and match the cases
 * (passed + failed + skipped = total), completed is not before started, durations are >= 0,
 * case ordinals are 0..n-1, kind-specific records point at existing cases and agree with the kind.
 */
export function validateRun(input: unknown, options: { streamedCases?: Totals } = {}): RunValidationResult {
  const parsed = RunSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(run)'}: ${i.message}`) };
  }
  const run = parsed.data;
  const issues: string[] = [];
  const t = run.totals;
  if (t.passed + t.failed + t.skipped !== t.total) issues.push('totals: passed + failed + skipped must equal total');
  if (t.flaky > t.passed) issues.push('totals.flaky: must not exceed passed');
  if (t.timedOut + t.interrupted > t.failed) issues.push('totals: timedOut + interrupted must not exceed failed');
  // A streamed run (its cases stored from a file, `cases` empty): the totals its cases gave as they were checked one by one.
  const streamed = options.streamedCases;
  if (streamed && run.cases.length) issues.push('cases: a streamed run carries its cases apart');
  const expected = streamed ?? computeTotals(run.cases);
  for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
    if (expected[key] !== t[key]) issues.push(`totals.${key}: is ${t[key]} but the cases give ${expected[key]}`);
  }
  if (Date.parse(run.completedAt) < Date.parse(run.startedAt)) issues.push('completedAt: must not be before startedAt');
  run.cases.forEach((c, i) => {
    if (c.ordinal !== i) issues.push(`cases.${i}.ordinal: must be ${i}`);
    issues.push(...caseIssues(c, i));
  });
  if (run.status === 'passed' && (t.failed > 0 || t.total === 0)) {
    issues.push(t.total === 0 ? 'status: a run with no cases cannot pass' : 'status: a run with failed cases cannot pass');
  }
  const caseCount = streamed ? streamed.total : run.cases.length;
  const ordinalOk = (o: number | null) => o === null || o < caseCount;
  run.e2e?.test_runs.forEach((r, i) => {
    if (!ordinalOk(r.case_ordinal)) issues.push(`e2e.test_runs.${i}.case_ordinal: no such case`);
  });
  run.api?.suites.forEach((s, i) =>
    s.results.forEach((r, j) => {
      if (!ordinalOk(r.case_ordinal)) issues.push(`api.suites.${i}.results.${j}.case_ordinal: no such case`);
    }),
  );
  const details = { e2e: run.e2e, api: run.api, perf: run.perf, chaos: run.chaos, canary: run.canary, plan: run.plan ?? null };
  for (const [kind, value] of Object.entries(details)) {
    if (value !== null && kind !== run.kind) issues.push(`${kind}: a ${run.kind} run cannot carry ${kind} records`);
  }
  return issues.length ? { ok: false, issues } : { ok: true, run };
}

/** The rules one case must keep on its own (attempt indexes, a flaky case's attempts); `at` names it. */
function caseIssues(c: Case, at: number): string[] {
  const issues: string[] = [];
  c.attempts.forEach((a, j) => {
    if (a.index !== j) issues.push(`cases.${at}.attempts.${j}.index: must be ${j}`);
  });
  if (c.status === 'flaky' && c.attempts.length < 2) issues.push(`cases.${at}.attempts: a flaky case needs at least two attempts`);
  return issues;
}

export type CaseValidationResult = { readonly ok: true; readonly case: Case } | { readonly ok: false; readonly issues: readonly string[] };

/**
 * Checks one case of a streamed run against the schema and the case rules of {@link validateRun}
 * (that its ordinal is unique and the ordinals end up 0..n-1 is the caller's to check).
 */
export function validateCase(input: unknown): CaseValidationResult {
  const parsed = CaseSchema.safeParse(input);
  const at = (input as { ordinal?: unknown } | null)?.ordinal;
  const where = typeof at === 'number' ? at : '?';
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `cases.${where}.${i.path.join('.')}: ${i.message}`) };
  const issues = caseIssues(parsed.data, parsed.data.ordinal);
  return issues.length ? { ok: false, issues } : { ok: true, case: parsed.data };
}
