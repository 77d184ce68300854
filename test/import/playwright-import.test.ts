import { readdirSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPlaywrightJson } from '../../src/adapters/playwright/import.js';
import { parsePlaywrightReport, stripAnsi } from '../../src/adapters/playwright/parse.js';
import type { ImportBase } from '../../src/adapters/import-types.js';
import { UsageError, validateRun, type Run } from '../../src/model/index.js';

const REF = resolve(__dirname, '../../../shared/reference/playwright');

const base: ImportBase = {
  id: '8f0c3a2e-1111-4222-8333-444455556666',
  name: null,
  environment: 'local',
  executedBy: 'tester',
  ci: null,
  runGroup: null,
  importedAt: '2025-01-01T00:00:00.000Z',
  kind: null,
};

async function load(name: string): Promise<Run> {
  const input = await importPlaywrightJson(join(REF, name), base);
  const checked = validateRun(input);
  if (!checked.ok) throw new Error(`${name}: ${checked.issues.join('; ')}`);
  return checked.run;
}

function artifactKinds(run: Run): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const a of run.cases.flatMap((c) => c.artifacts)) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
  return kinds;
}

const attempts = (run: Run) => run.cases.reduce((sum, c) => sum + c.attempts.length, 0);

describe('importPlaywrightJson on the recorded reports', () => {
  it('covers every reference file', () => {
    expect(readdirSync(REF).filter((f) => f.endsWith('.json')).sort()).toEqual([
      'captain-playwright-1.28-retries-flaky-timedout-skipped.json',
      'captain-playwright-1.30-global-setup-error.json',
      'daun-playwright-1.37-shard-retries-trace.json',
      'hg-playwright-1.58-stats-timedout-screenshot-video.json',
    ]);
  });

  it('1.28: retries, flaky, timed out, skipped, test.fail()', async () => {
    const run = await load('captain-playwright-1.28-retries-flaky-timedout-skipped.json');
    expect(run.kind).toBe('e2e');
    expect(run.trigger).toBe('import');
    expect(run.status).toBe('failed');
    expect(run.tool).toEqual({ name: 'playwright', version: '1.28.1', commandLine: null });
    expect(run.totals).toEqual({ total: 64, passed: 40, failed: 16, skipped: 8, flaky: 4, timedOut: 4, interrupted: 0 });
    expect(attempts(run)).toBe(104);
    expect(artifactKinds(run)).toEqual({ trace: 20 });
    // No stats before 1.38: the start is the earliest result.
    expect(run.startedAt).toBe('2022-12-15T20:31:02.752Z');

    const flaky = run.cases.find((c) => c.status === 'flaky' && c.project === 'chromium' && c.suitePath[0] === 'example.spec.ts')!;
    expect(flaky.name).toBe('fails then passes');
    expect(flaky.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'passed']);
    expect(flaky.artifacts).toEqual([expect.objectContaining({ kind: 'trace', attempt: 1, contentType: 'application/zip' })]);

    const timedOut = run.cases.find((c) => c.status === 'timed_out')!;
    expect(timedOut.attempts.map((a) => a.status)).toEqual(['timed_out', 'timed_out', 'timed_out']);
    expect(timedOut.errorMessage).toBe('Test timeout of 1000ms exceeded.');

    const failing = run.cases.find((c) => c.name === 'failing test' && c.project === 'firefox' && c.suitePath[0] === 'example.spec.ts')!;
    expect(failing.status).toBe('failed');
    expect(failing.errorMessage).toContain('Expected: false');
    expect(failing.errorMessage).not.toMatch(/\u001b\[/);
    expect(failing.properties.error_location).toMatch(/example\.spec\.ts:\d+:\d+$/);
    expect(failing.line).toBeGreaterThan(0);

    // test.fail() that fails is expected (passed); one that passes is unexpected (failed).
    expect(run.cases.find((c) => c.name === 'failing w/ fail annotation')!.status).toBe('passed');
    const passingFail = run.cases.find((c) => c.name === 'passing w/ fail annotation')!;
    expect(passingFail.status).toBe('failed');
    expect(passingFail.errorMessage).toMatch(/expected to fail/);

    const skipped = run.cases.filter((c) => c.status === 'skipped');
    expect(skipped.map((c) => c.name).sort()).toEqual(Array(4).fill('fixme test').concat(Array(4).fill('skipped test')));
    expect(skipped.every((c) => c.properties.skip_reason !== undefined && c.attempts.length === 1)).toBe(true);

    expect(run.cases.find((c) => c.name === 'passing test' && c.suitePath.length === 3)!.suitePath).toEqual(['example.spec.ts', 'first level', 'second level']);
    expect(run.e2e!.test_runs).toHaveLength(64);
    expect(run.e2e!.test_runs.filter((r) => r.status === 'failed')).toHaveLength(16);
    expect(run.e2e!.test_runs.find((r) => r.case_ordinal === flaky.ordinal)!.status).toBe('passed');
  });

  it('1.30: a global setup error makes the run an error with every test skipped', async () => {
    const run = await load('captain-playwright-1.30-global-setup-error.json');
    expect(run.status).toBe('error');
    expect(run.totals).toEqual({ total: 14, passed: 0, failed: 0, skipped: 14, flaky: 0, timedOut: 0, interrupted: 0 });
    expect(attempts(run)).toBe(0);
    expect(run.errorMessage).toContain('Expected path: "pollingVal"');
    expect(run.errorMessage).not.toMatch(/\u001b\[/);
    expect(run.cases.every((c) => c.properties.skip_reason === 'not run')).toBe(true);
    expect(run.e2e!.test_runs.every((r) => r.status === 'skipped' && r.completed_at === null)).toBe(true);
    // Nothing ran and the report has no stats: the import time stands in for the start.
    expect(run.startedAt).toBe(base.importedAt);
  });

  it('1.37: a shard with retries and traces', async () => {
    const run = await load('daun-playwright-1.37-shard-retries-trace.json');
    expect(run.status).toBe('failed');
    expect(run.shard).toEqual({ current: 1, total: 2 });
    expect(run.totals).toEqual({ total: 14, passed: 11, failed: 2, skipped: 1, flaky: 1, timedOut: 0, interrupted: 0 });
    expect(attempts(run)).toBe(24);
    expect(artifactKinds(run)).toEqual({ trace: 3 });
    const adds = run.cases.filter((c) => c.name === 'adds');
    expect(adds.map((c) => c.attempts.length)).toEqual([5, 5]);
    expect(adds.every((c) => c.status === 'failed' && c.properties.retries === '4')).toBe(true);
    const flaky = run.cases.find((c) => c.status === 'flaky')!;
    expect(flaky.suitePath).toEqual(['multiply.spec.ts', 'multiply']);
    expect(flaky.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'passed']);
  });

  it('1.58: stats, a timed-out test with screenshot, video and error context', async () => {
    const run = await load('hg-playwright-1.58-stats-timedout-screenshot-video.json');
    expect(run.status).toBe('failed');
    expect(run.totals).toEqual({ total: 2, passed: 1, failed: 1, skipped: 0, flaky: 0, timedOut: 1, interrupted: 0 });
    expect(attempts(run)).toBe(2);
    expect(artifactKinds(run)).toEqual({ screenshot: 1, video: 1, log: 1 });
    expect(run.startedAt).toBe('2026-03-26T11:37:17.616Z');
    expect(run.durationMs).toBeCloseTo(38736.268, 2);
    const timedOut = run.cases[1]!;
    expect(timedOut.project).toBe('tests');
    expect(timedOut.tags).toEqual(['Positive']);
    expect(timedOut.status).toBe('timed_out');
    const testRun = run.e2e!.test_runs[1]!;
    expect(testRun.status).toBe('failed');
    expect(testRun.error_logs).toContain('Test timeout of 30000ms exceeded.');
    expect(testRun.video_url).toMatch(/video\.webm$/);
    expect(testRun.screenshots).toEqual([{ step: 'failure', url: expect.stringMatching(/test-failed-1\.png$/) }]);
    expect(run.cases[0]!.project).toBe('setup');
  });
});

describe('importPlaywrightJson refuses other files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shopfds-pw-import-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file when it is not JSON or not a Playwright report', async () => {
    const notJson = join(dir, 'a.json');
    writeFileSync(notJson, '<testsuites/>');
    await expect(importPlaywrightJson(notJson, base)).rejects.toThrow(UsageError);
    await expect(importPlaywrightJson(notJson, base)).rejects.toThrow(/a\.json: not a JSON file/);
    const newman = join(dir, 'newman.json');
    writeFileSync(newman, JSON.stringify({ collection: {}, run: {} }));
    await expect(importPlaywrightJson(newman, base)).rejects.toThrow(/not a Playwright JSON report/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ config: { version: '1.65.1' }, suites: [{ title: 'a.spec.ts', specs: [{ title: 't', tests: [{ results: [{ status: 'exploded' }] }] }] }] }));
    await expect(importPlaywrightJson(broken, base)).rejects.toThrow(/Playwright 1\.65\.1/);
  });
});

describe('parsePlaywrightReport', () => {
  const ctx = { runId: base.id, environment: 'local' as const, executedBy: 'tester', ciBuildId: null, ciCommitSha: null, fallbackStartedAt: base.importedAt };

  it('maps scenario steps by title and marks the steps after a failure as skipped', () => {
    const report = {
      config: { version: '1.65.1' },
      suites: [
        {
          title: 'login.spec.mjs',
          file: 'login.spec.mjs',
          specs: [
            {
              title: 'Login',
              file: 'login.spec.mjs',
              tests: [
                {
                  projectName: 'chromium',
                  expectedStatus: 'passed',
                  status: 'unexpected',
                  results: [
                    {
                      status: 'failed',
                      duration: 900,
                      retry: 0,
                      startTime: '2025-01-01T00:00:01.000Z',
                      error: { message: '\u001b[31mTimeoutError\u001b[39m: waiting' },
                      steps: [
                        { title: 'Open', duration: 100 },
                        { title: 'Type', duration: 200, error: { message: 'TimeoutError: waiting' } },
                      ],
                      attachments: [],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
      errors: [],
    };
    const scenarios = new Map([['login.spec.mjs', { name: 'Login', file: 'scenarios/login.yaml', browser: 'chromium' as const, viewport: { width: 390, height: 844 }, tags: ['auth'], stepTitles: ['Open', 'Type', 'Submit', 'expect url "/"'] }]]);
    const result = parsePlaywrightReport(report, { ...ctx, scenarios });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [kase] = result.run.cases;
    expect(kase).toMatchObject({ name: 'Login', suitePath: ['scenarios/login.yaml'], file: 'scenarios/login.yaml', status: 'failed', tags: ['auth'] });
    expect(kase!.errorMessage).toBe('step 2 (Type): TimeoutError: waiting');
    const [testRun] = result.run.testRuns;
    expect(testRun!.scenario_name).toBe('Login');
    expect(testRun!.viewport).toEqual({ width: 390, height: 844 });
    expect(testRun!.steps.map((s) => [s.step_number, s.step_name, s.status])).toEqual([
      [1, 'Open', 'passed'],
      [2, 'Type', 'failed'],
      [3, 'Submit', 'skipped'],
      [4, 'expect url "/"', 'skipped'],
    ]);
    expect(testRun!.completed_at).toBe('2025-01-01T00:00:01.900Z');
  });

  it('strips ANSI colour codes', () => {
    expect(stripAnsi('\u001b[2mexpect(\u001b[22m\u001b[31mlocator\u001b[39m)')).toBe('expect(locator)');
  });
});
