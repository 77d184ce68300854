import type { Case, CaseStatus, RunStatus, Totals } from './run.js';

/** Counts cases by the seed's rule: passed includes flaky, failed includes timed_out and interrupted. */
export function computeTotals(cases: readonly { status: CaseStatus }[]): Totals {
  let passed = 0, failed = 0, skipped = 0, flaky = 0, timedOut = 0, interrupted = 0;
  for (const c of cases) {
    switch (c.status) {
      case 'passed': passed++; break;
      case 'flaky': passed++; flaky++; break;
      case 'skipped': skipped++; break;
      case 'failed': failed++; break;
      case 'timed_out': failed++; timedOut++; break;
      case 'interrupted': failed++; interrupted++; break;
    }
  }
  return { total: cases.length, passed, failed, skipped, flaky, timedOut, interrupted };
}

/** Totals of no cases, to count streamed cases into with {@link addToTotals}. */
export function emptyTotals(): { -readonly [K in keyof Totals]: number } {
  return { total: 0, passed: 0, failed: 0, skipped: 0, flaky: 0, timedOut: 0, interrupted: 0 };
}

/** Counts one more case into `totals`, by the same rule as {@link computeTotals}. */
export function addToTotals(totals: { -readonly [K in keyof Totals]: number }, c: { status: CaseStatus }): void {
  const t = computeTotals([c]);
  for (const key of Object.keys(t) as (keyof Totals)[]) totals[key] += t[key];
}

/**
 * The verdict cases imply. A run with no cases at all is an `error` unless the caller knows better:
 * "unknown" is never reported as passed.
 */
export function deriveRunStatus(totals: Totals, options: { toolError?: boolean; interrupted?: boolean } = {}): RunStatus {
  if (options.interrupted) return 'interrupted';
  if (totals.failed > 0) return 'failed';
  if (options.toolError) return 'error';
  if (totals.total === 0) return 'error';
  return 'passed';
}

/** Whether a case counts as a failure for reports and exit codes. */
export function isFailure(c: Pick<Case, 'status'>): boolean {
  return c.status === 'failed' || c.status === 'timed_out' || c.status === 'interrupted';
}

/**
 * The counts as Playwright prints them: `passed` without the flaky cases, so that
 * passed + flaky + failed + skipped = total. Stored totals keep the seed's rule (flaky inside passed).
 */
export function displayCounts(t: Totals): { passed: number; flaky: number; failed: number; skipped: number; total: number } {
  return { passed: t.passed - t.flaky, flaky: t.flaky, failed: t.failed, skipped: t.skipped, total: t.total };
}

/** `2 passed, 1 flaky, 1 failed, 0 skipped of 4`: parts that sum to the total. */
export function countsText(t: Totals): string {
  const d = displayCounts(t);
  return `${d.passed} passed, ${d.flaky} flaky, ${d.failed} failed, ${d.skipped} skipped of ${d.total}`;
}
