import { describe, expect, it } from 'vitest';
import { validateRun, type Run } from '../../src/model/index.js';
import { makeCase, makeRun, withChanges } from '../helpers/fixtures.js';

function issuesOf(input: unknown): readonly string[] {
  const result = validateRun(input);
  if (result.ok) throw new Error('expected the run to be invalid');
  return result.issues;
}

describe('validateRun', () => {
  it.each(['e2e', 'api', 'perf', 'chaos', 'canary'] as const)('accepts a complete %s run', (kind) => {
    const run = makeRun({ kind });
    const result = validateRun(run);
    expect(result.ok).toBe(true);
    expect(result.ok && result.run).toEqual(run);
  });

  describe('totals', () => {
    it('requires passed + failed + skipped = total', () => {
      const run = makeRun();
      expect(issuesOf(withChanges(run, { totals: { ...run.totals, total: run.totals.total + 1 } }))).toContain(
        'totals: passed + failed + skipped must equal total',
      );
    });

    it('requires the totals to match the cases', () => {
      const run = makeRun({ cases: [makeCase({ status: 'passed' }), makeCase({ status: 'failed' })] });
      // Adds up, but the cases say 1 passed / 1 failed.
      const issues = issuesOf(withChanges(run, { totals: { ...run.totals, passed: 2, failed: 0 }, status: 'passed' }));
      expect(issues).toContain('totals.passed: is 2 but the cases give 1');
      expect(issues).toContain('totals.failed: is 0 but the cases give 1');
    });

    it('keeps flaky within passed and timed-out/interrupted within failed', () => {
      const run = makeRun({ cases: [makeCase({ status: 'passed' })] });
      expect(issuesOf(withChanges(run, { totals: { ...run.totals, flaky: 2 } }))).toContain('totals.flaky: must not exceed passed');
      expect(issuesOf(withChanges(run, { totals: { ...run.totals, timedOut: 1 } }))).toContain(
        'totals: timedOut + interrupted must not exceed failed',
      );
    });

    it('refuses negative counts', () => {
      const run = makeRun();
      expect(issuesOf(withChanges(run, { totals: { ...run.totals, skipped: -1 } })).join('\n')).toMatch(/^totals\.skipped: /m);
    });
  });

  describe('times and durations', () => {
    it('refuses completedAt before startedAt', () => {
      const run = makeRun({ startedAt: '2025-03-01T10:00:00.000Z', completedAt: '2025-03-01T10:00:01.000Z' });
      expect(issuesOf(withChanges(run, { completedAt: '2025-03-01T09:59:59.000Z' }))).toContain('completedAt: must not be before startedAt');
    });

    it('accepts ISO times with an offset and refuses other formats', () => {
      expect(validateRun(makeRun({ startedAt: '2025-03-01T12:00:00+02:00', completedAt: '2025-03-01T12:00:01+02:00' })).ok).toBe(true);
      expect(issuesOf(withChanges(makeRun(), { startedAt: 'yesterday' })).join('\n')).toMatch(/^startedAt: /m);
    });

    it('refuses negative durations on runs, cases and attempts', () => {
      const run = makeRun();
      expect(issuesOf(withChanges(run, { durationMs: -1 })).join('\n')).toMatch(/^durationMs: /m);
      const cases = run.cases.map((c, i) => (i === 0 ? { ...c, durationMs: -5 } : c));
      expect(issuesOf(withChanges(run, { cases })).join('\n')).toMatch(/^cases\.0\.durationMs: /m);
      const attempts = run.cases.map((c, i) => (i === 0 ? { ...c, attempts: [{ ...c.attempts[0]!, durationMs: -1 }] } : c));
      expect(issuesOf(withChanges(run, { cases: attempts })).join('\n')).toMatch(/^cases\.0\.attempts\.0\.durationMs: /m);
    });
  });

  describe('cases', () => {
    it('requires ordinals 0..n-1 and attempt indexes 0..n-1', () => {
      const run = makeRun();
      const cases = run.cases.map((c, i) => ({ ...c, ordinal: i + 1 }));
      expect(issuesOf(withChanges(run, { cases }))).toContain('cases.0.ordinal: must be 0');
      const attempts = run.cases.map((c, i) => (i === 1 ? { ...c, attempts: c.attempts.map((a) => ({ ...a, index: 5 })) } : c));
      expect(issuesOf(withChanges(run, { cases: attempts }))).toContain('cases.1.attempts.0.index: must be 0');
    });

    it('needs two attempts for a flaky case', () => {
      const run = makeRun({ cases: [makeCase({ status: 'flaky' })] });
      const cases = [{ ...run.cases[0]!, attempts: [run.cases[0]!.attempts[1]!].map((a) => ({ ...a, index: 0 })) }];
      expect(issuesOf(withChanges(run, { cases }))).toContain('cases.0.attempts: a flaky case needs at least two attempts');
    });

    it('refuses unknown statuses', () => {
      const run = makeRun();
      expect(issuesOf(withChanges(run, { status: 'unknown' })).join('\n')).toMatch(/^status: /m);
      const cases = run.cases.map((c, i) => (i === 0 ? { ...c, status: 'broken' } : c));
      expect(issuesOf(withChanges(run, { cases })).join('\n')).toMatch(/^cases\.0\.status: /m);
    });
  });

  describe('status', () => {
    it('never lets a run with failures or without cases pass', () => {
      const failing = makeRun({ cases: [makeCase({ status: 'failed' })] });
      expect(issuesOf(withChanges(failing, { status: 'passed' }))).toContain('status: a run with failed cases cannot pass');
      const empty = makeRun({ cases: [] });
      expect(empty.status).toBe('error');
      expect(issuesOf(withChanges(empty, { status: 'passed' }))).toContain('status: a run with no cases cannot pass');
    });
  });

  describe('kind-specific records', () => {
    it('refuses records of another kind', () => {
      const api = makeRun({ kind: 'api' });
      expect(issuesOf(withChanges(makeRun({ kind: 'e2e' }), { api: api.api }))).toContain('api: a e2e run cannot carry api records');
    });

    it('refuses records that point at a case that does not exist', () => {
      const run = makeRun({ kind: 'e2e' });
      const e2e = { ...run.e2e!, test_runs: run.e2e!.test_runs.map((r, i) => (i === 0 ? { ...r, case_ordinal: 99 } : r)) };
      expect(issuesOf(withChanges(run, { e2e }))).toContain('e2e.test_runs.0.case_ordinal: no such case');
      const apiRun = makeRun({ kind: 'api' });
      const suite = apiRun.api!.suites[0]!;
      const api = { suites: [{ ...suite, results: suite.results.map((r, i) => (i === 1 ? { ...r, case_ordinal: 42 } : r)) }] };
      expect(issuesOf(withChanges(apiRun, { api }))).toContain('api.suites.0.results.1.case_ordinal: no such case');
    });

    it('e2e: a failed test run needs error_logs, a finished one completed_at after started_at', () => {
      const run = makeRun({ kind: 'e2e' });
      const failedIndex = run.e2e!.test_runs.findIndex((r) => r.status === 'failed');
      expect(failedIndex).toBeGreaterThanOrEqual(0);
      const change = (patch: object) =>
        withChanges(run, { e2e: { ...run.e2e!, test_runs: run.e2e!.test_runs.map((r, i) => (i === failedIndex ? { ...r, ...patch } : r)) } });
      expect(issuesOf(change({ error_logs: null }))).toContain(`e2e.test_runs.${failedIndex}.error_logs: required when status is failed`);
      expect(issuesOf(change({ completed_at: null }))).toContain(`e2e.test_runs.${failedIndex}.completed_at: required when status is passed or failed`);
      expect(issuesOf(change({ completed_at: '2000-01-01T00:00:00.000Z' }))).toContain(
        `e2e.test_runs.${failedIndex}.completed_at: must not be before started_at`,
      );
    });

    it('e2e: scenario enums and the seed ranges of timeout_ms and retry_count', () => {
      const run = makeRun({ kind: 'e2e' });
      const change = (patch: object) => withChanges(run, { e2e: { ...run.e2e!, scenarios: [{ ...run.e2e!.scenarios[0]!, ...patch }] } });
      expect(issuesOf(change({ timeout_ms: 1000 })).join('\n')).toMatch(/^e2e\.scenarios\.0\.timeout_ms: /m);
      expect(issuesOf(change({ retry_count: 6 })).join('\n')).toMatch(/^e2e\.scenarios\.0\.retry_count: /m);
      expect(issuesOf(change({ browser: 'ie11' })).join('\n')).toMatch(/^e2e\.scenarios\.0\.browser: /m);
      expect(issuesOf(change({ steps: [] })).join('\n')).toMatch(/^e2e\.scenarios\.0\.steps: /m);
    });

    it('api: passed_tests + failed_tests + skipped_tests must equal total_tests', () => {
      const run = makeRun({ kind: 'api' });
      const suite = run.api!.suites[0]!;
      expect(issuesOf(withChanges(run, { api: { suites: [{ ...suite, total_tests: suite.total_tests + 1 }] } }))).toContain(
        'api.suites.0.total_tests: passed_tests + failed_tests + skipped_tests must equal total_tests',
      );
      expect(issuesOf(withChanges(run, { api: { suites: [{ ...suite, completed_at: null }] } }))).toContain(
        'api.suites.0.completed_at: required when status is completed or failed',
      );
    });

    it('perf: p95 must not exceed p99; error_rate is a percentage; target_tps and VUs at least 1', () => {
      const run = makeRun({ kind: 'perf' });
      const change = (patch: object) => withChanges(run, { perf: { test: { ...run.perf!.test, ...patch } } });
      expect(issuesOf(change({ p95_response_time: 300, p99_response_time: 250 }))).toContain('perf.test.p95_response_time: must be <= p99_response_time');
      expect(validateRun(change({ p95_response_time: 250, p99_response_time: 250 })).ok).toBe(true);
      expect(issuesOf(change({ error_rate: 101 })).join('\n')).toMatch(/^perf\.test\.error_rate: /m);
      expect(issuesOf(change({ target_tps: 0 })).join('\n')).toMatch(/^perf\.test\.target_tps: /m);
      expect(issuesOf(change({ virtual_users: 0 })).join('\n')).toMatch(/^perf\.test\.virtual_users: /m);
      expect(issuesOf(change({ test_type: 'smoke' })).join('\n')).toMatch(/^perf\.test\.test_type: /m);
    });

    it('chaos: production needs approval_required; a passed result needs recovery within the target', () => {
      const run = makeRun({ kind: 'chaos', environment: 'production' });
      expect(run.chaos!.experiment.approval_required).toBe(true);
      const change = (patch: object) => withChanges(run, { chaos: { experiment: { ...run.chaos!.experiment, ...patch } } });
      expect(issuesOf(change({ approval_required: false }))).toContain('chaos.experiment.approval_required: must be true in production');
      expect(validateRun(change({ environment: 'staging', approval_required: false })).ok).toBe(true);
      expect(issuesOf(change({ recovery_time_sec: 31, recovery_target_sec: 30 }))).toContain('chaos.experiment.recovery_time_sec: must be <= 30 when result is passed');
      expect(issuesOf(change({ recovery_time_sec: null }))).toContain('chaos.experiment.recovery_time_sec: must be <= 30 when result is passed');
      expect(validateRun(change({ recovery_time_sec: 30, recovery_target_sec: 30 })).ok).toBe(true);
      expect(validateRun(change({ result: 'failed', recovery_time_sec: 90 })).ok).toBe(true);
      expect(issuesOf(change({ duration_sec: 5 })).join('\n')).toMatch(/^chaos\.experiment\.duration_sec: /m);
      expect(issuesOf(change({ environment: 'local' })).join('\n')).toMatch(/^chaos\.experiment\.environment: /m);
    });

    it('canary: versions are semantic versions and differ; a rollback needs its reason', () => {
      const run = makeRun({ kind: 'canary' });
      const change = (patch: object) => withChanges(run, { canary: { deployment: { ...run.canary!.deployment, ...patch } } });
      expect(issuesOf(change({ new_version: 'v1.2.3' }))).toContain('canary.deployment.new_version: must differ from old_version');
      expect(issuesOf(change({ old_version: 'latest' }))).toContain('canary.deployment.old_version: must be a semantic version such as v1.2.3');
      expect(validateRun(change({ old_version: '1.2.3', new_version: '1.3.0-rc.1+build.5' })).ok).toBe(true);
      expect(issuesOf(change({ status: 'rollback' }))).toContain('canary.deployment.rollback_reason: required when the canary rolled back');
      expect(issuesOf(change({ traffic_weight: 101 })).join('\n')).toMatch(/^canary\.deployment\.traffic_weight: /m);
    });
  });

  it('reports every problem at once', () => {
    const run = makeRun({ kind: 'perf' });
    const issues = issuesOf(
      withChanges(run, { completedAt: '2000-01-01T00:00:00.000Z', totals: { ...run.totals, total: 99 } }) as unknown as Run,
    );
    expect(issues.length).toBeGreaterThanOrEqual(2);
  });
});
