import { describe, expect, it } from 'vitest';
import { CASE_STATUSES, computeTotals, deriveRunStatus, isFailure, type CaseStatus } from '../../src/model/index.js';

const cases = (...statuses: CaseStatus[]) => statuses.map((status) => ({ status }));

describe('computeTotals', () => {
  it('counts nothing for no cases', () => {
    expect(computeTotals([])).toEqual({ total: 0, passed: 0, failed: 0, skipped: 0, flaky: 0, timedOut: 0, interrupted: 0 });
  });

  it('counts flaky as passed and timed-out/interrupted as failed, so passed + failed + skipped = total', () => {
    const totals = computeTotals(cases('passed', 'flaky', 'failed', 'skipped', 'timed_out', 'interrupted', 'passed', 'skipped'));
    expect(totals).toEqual({ total: 8, passed: 3, failed: 3, skipped: 2, flaky: 1, timedOut: 1, interrupted: 1 });
    expect(totals.passed + totals.failed + totals.skipped).toBe(totals.total);
  });

  it.each(CASE_STATUSES)('keeps the seed rule for a run of only %s cases', (status) => {
    const t = computeTotals(cases(status, status, status));
    expect(t.total).toBe(3);
    expect(t.passed + t.failed + t.skipped).toBe(3);
  });
});

describe('deriveRunStatus', () => {
  it('is error when there are no cases: unknown is never passed', () => {
    expect(deriveRunStatus(computeTotals([]))).toBe('error');
  });

  it('is passed only when every case passed, was flaky or skipped', () => {
    expect(deriveRunStatus(computeTotals(cases('passed', 'flaky', 'skipped')))).toBe('passed');
  });

  it('is failed when any case failed, timed out or was interrupted', () => {
    for (const s of ['failed', 'timed_out', 'interrupted'] as const) expect(deriveRunStatus(computeTotals(cases('passed', s)))).toBe('failed');
  });

  it('is error on a tool error without failures, failed when the tool also reported failures', () => {
    expect(deriveRunStatus(computeTotals(cases('passed')), { toolError: true })).toBe('error');
    expect(deriveRunStatus(computeTotals(cases('failed')), { toolError: true })).toBe('failed');
  });

  it('is interrupted when the run was stopped, whatever the cases say', () => {
    expect(deriveRunStatus(computeTotals(cases('passed')), { interrupted: true })).toBe('interrupted');
    expect(deriveRunStatus(computeTotals([]), { interrupted: true })).toBe('interrupted');
  });

  it('is passed when every case was skipped: the run has cases and none failed', () => {
    expect(deriveRunStatus(computeTotals(cases('skipped')))).toBe('passed');
  });
});

describe('isFailure', () => {
  it('treats failed, timed_out and interrupted as failures, nothing else', () => {
    expect(CASE_STATUSES.filter((status) => isFailure({ status }))).toEqual(['failed', 'timed_out', 'interrupted']);
  });
});
