import { describe, expect, it } from 'vitest';
import {
  applyQuarantine,
  caseKey,
  checkP95,
  classifyCase,
  compareRuns,
  passStreak,
  patternMatchesCase,
  quarantineClearsRun,
  validateRun,
  withBaselineCase,
  type CaseOutcome,
  type QuarantineEntry,
} from '../../src/model/index.js';
import { makeCase, makeRun } from '../helpers/fixtures.js';

const stats = (over: Partial<Parameters<typeof classifyCase>[0]>) => ({
  caseKey: 'k',
  runs: 10,
  failures: 0,
  retriedPasses: 0,
  flips: 0,
  conflictingCommits: 0,
  lastSeen: '2026-12-01T00:00:00.000Z',
  ...over,
});

describe('the flaky rule', () => {
  it('flags retries, same-commit conflicts and frequent flips; a fixed regression is not flaky, a broken case is broken', () => {
    expect(classifyCase(stats({ failures: 1, retriedPasses: 1 }))).toMatchObject({ reasons: ['retry'] });
    expect(classifyCase(stats({ failures: 1, conflictingCommits: 1 }))).toMatchObject({ reasons: ['same-commit'] });
    const flipping = classifyCase(stats({ failures: 5, flips: 9 }));
    expect(flipping).toMatchObject({ reasons: ['flip-rate'], flipRate: 1, failureRate: 0.5 });
    expect(classifyCase(stats({ failures: 3, flips: 2 }))).toBe('stable'); // failed for a while, then fixed
    expect(classifyCase(stats({ failures: 10, flips: 0 }))).toBe('broken');
    expect(classifyCase(stats({ runs: 100, failures: 2, flips: 4 }))).toBe('stable'); // 4/99 below 10%
    expect(classifyCase(stats({ failures: 2, flips: null }))).toBe('stable');
  });
});

describe('quarantine', () => {
  const entry = (target: string, until: string | null = null): QuarantineEntry => ({
    id: 'q1',
    target,
    kind: null,
    reason: 'JIRA-1',
    until,
    createdBy: 'alice',
    createdAt: '2026-01-01T00:00:00.000Z',
  });

  it('matches by key prefix or pattern, marks failing cases only, and clears the exit code only when every failure is quarantined', () => {
    const pay = makeCase({ status: 'failed', name: 'pays by card' });
    const ship = makeCase({ status: 'failed', name: 'ships' });
    const ok = makeCase({ status: 'passed', name: 'pays by cash' });
    const run = makeRun({ cases: [pay, ship, ok] });
    const key = caseKey(run.kind, pay);

    const one = validateRun(applyQuarantine(run, [entry(key.slice(0, 10))], '2026-06-01T00:00:00.000Z'));
    expect(one.ok).toBe(true);
    if (!one.ok) return;
    expect(one.run.cases.map((c) => c.properties.quarantined ?? null)).toEqual(['JIRA-1', null, null]);
    expect(one.run.metadata['shopfds.quarantinedFailures']).toBe('1');
    expect(quarantineClearsRun(one.run)).toBe(false);

    const both = validateRun(applyQuarantine(run, [entry(key), entry('*Checkout › ships')], '2026-06-01T00:00:00.000Z'));
    expect(both.ok && quarantineClearsRun(both.run)).toBe(true);
    expect(both.ok && both.run.status).toBe('failed');

    const expired = applyQuarantine(run, [entry(key, '2026-05-01T00:00:00.000Z')], '2026-06-01T00:00:00.000Z');
    expect(expired).toBe(run);
    expect(quarantineClearsRun({ ...run, errorMessage: 'k6 crashed' })).toBe(false);
  });

  it('matches patterns against the full path or the name; counts passes in a row', () => {
    const c = { suitePath: ['checkout.spec.ts', 'Checkout'], name: 'pays by card' };
    expect(patternMatchesCase('checkout.spec.ts › *card', c)).toBe(true);
    expect(patternMatchesCase('pays*', c)).toBe(true);
    expect(patternMatchesCase('Checkout › pays', c)).toBe(true); // substring without *
    expect(patternMatchesCase('ships*', c)).toBe(false);
    expect(passStreak(['passed', 'skipped', 'passed', 'failed', 'passed'])).toBe(2);
  });
});

describe('compareRuns', () => {
  const o = (name: string, status: CaseOutcome['status'], durationMs = 100): CaseOutcome => ({ caseKey: name, name, suitePath: [], project: null, status, durationMs });
  it('sorts cases into new failures, fixed, still failing, added, removed and duration changes', () => {
    const d = compareRuns(
      [o('a', 'passed'), o('b', 'failed'), o('c', 'failed'), o('d', 'passed'), o('slow', 'passed', 200)],
      [o('a', 'failed'), o('b', 'flaky'), o('c', 'timed_out'), o('e', 'failed'), o('f', 'passed'), o('slow', 'passed', 400)],
      { before: { p95: 100, p99: 200, tps: 50, errorRate: 0 }, after: { p95: 130, p99: 200, tps: 45, errorRate: 1 } },
    );
    const names = (l: { name: string }[]) => l.map((c) => c.name);
    expect(names(d.newFailures)).toEqual(['a', 'e']);
    expect(names(d.fixed)).toEqual(['b']);
    expect(names(d.stillFailing)).toEqual(['c']);
    expect(names(d.added)).toEqual(['e', 'f']);
    expect(names(d.removed)).toEqual(['d']);
    expect(names(d.slower)).toEqual(['slow']);
    expect(d.perf.find((p) => p.metric === 'p95')).toMatchObject({ change: 30, changePct: 30 });
  });
});

describe('perf baseline', () => {
  it('adds a passing or failing case and fails a passed run on a regression', () => {
    const run = makeRun({ kind: 'perf', cases: [makeCase({ status: 'passed', name: 'p(95)<500' })] });
    const regressed = withBaselineCase(run, checkP95(run.id, 100, 122, 10));
    const checked = validateRun(regressed);
    expect(checked.ok).toBe(true);
    expect(regressed.status).toBe('failed');
    expect(regressed.cases.at(-1)).toMatchObject({ status: 'failed', errorMessage: 'p95 122 ms vs baseline 100 ms (+22.0%); allowed +10%' });
    const fine = withBaselineCase(run, checkP95(run.id, 120, 122, 10));
    expect(fine.status).toBe('passed');
    expect(validateRun(fine).ok).toBe(true);
  });
});
