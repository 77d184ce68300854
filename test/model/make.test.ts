import { describe, expect, it } from 'vitest';
import { makeCase, makeRun, validateRun, type RunStart } from '../../src/model/index.js';

const start: RunStart = {
  id: '3f2b0c8e-1d2a-4b7e-9c1a-0a1b2c3d4e5f',
  kind: 'api',
  startedAt: '2026-01-01T10:00:00.000Z',
  environment: 'local',
  trigger: 'manual',
  executedBy: 'tester',
  ci: null,
  runGroup: null,
};
const tool = { name: 'newman', version: '6.2.2', commandLine: null };

describe('makeCase', () => {
  it('fills what the tool does not report, with one attempt of the case status', () => {
    const c = makeCase({ ordinal: 0, name: 'GET /', status: 'failed', errorMessage: 'boom', durationMs: 12 });
    expect(c).toMatchObject({ suitePath: [], file: null, line: null, project: null, tags: [], properties: {}, stdout: null, artifacts: [] });
    expect(c.attempts).toEqual([{ index: 0, status: 'failed', durationMs: 12, startedAt: null, errorMessage: 'boom', errorStack: null }]);
  });
  it('gives a flaky case a failed then a passed attempt', () => {
    expect(makeCase({ ordinal: 0, name: 'x', status: 'flaky', errorMessage: 'once' }).attempts.map((a) => a.status)).toEqual(['failed', 'passed']);
  });
});

describe('makeRun', () => {
  it('derives totals, status and duration, and sets every other kind null', () => {
    const cases = [makeCase({ ordinal: 0, name: 'a', status: 'passed' }), makeCase({ ordinal: 1, name: 'b', status: 'timed_out' })];
    const run = makeRun({ ...start, name: 'r', tool, cases, details: { kind: 'api', api: { suites: [] } }, completedAt: '2026-01-01T10:00:02.500Z' });
    expect(run).toMatchObject({ status: 'failed', durationMs: 2500, totals: { total: 2, passed: 1, failed: 1, timedOut: 1 }, api: { suites: [] }, e2e: null, perf: null, chaos: null, canary: null });
    expect(validateRun(run).ok).toBe(true);
  });
  it('never passes a run without cases, and a tool error without failures is an error', () => {
    expect(makeRun({ ...start, name: 'r', tool, cases: [], details: null, status: 'passed' }).status).toBe('error');
    const ok = [makeCase({ ordinal: 0, name: 'a', status: 'passed' })];
    expect(makeRun({ ...start, name: 'r', tool, cases: ok, details: null, toolError: true }).status).toBe('error');
    expect(makeRun({ ...start, name: 'r', tool, cases: ok, details: null, interrupted: true }).status).toBe('interrupted');
  });
  it('clamps a completion before the start', () => {
    const run = makeRun({ ...start, name: 'r', tool, cases: [], details: null, completedAt: '2025-12-31T00:00:00.000Z' });
    expect(run.completedAt).toBe(start.startedAt);
    expect(run.durationMs).toBe(0);
  });
});
