import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';

/*
 * `shopfds-test demo` end to end: the bundled shop, real Chromium, real Newman, the real Locust from
 * Debian (/usr/bin/locust, required), and for k6 either none (reported as not run) or the k6 stand-in
 * that replays recorded real k6 output.
 */

const temp = makeTempDir('shopfds-demo-');
afterAll(() => temp.cleanup());

function env(name: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cliEnv({ SHOPFDS_HOME: join(temp.dir, name), SHOPFDS_K6_PATH: join(temp.dir, 'no-k6-here', 'k6'), ...extra });
}

async function storedRuns(name: string): Promise<Array<{ kind: string; status: string; totals: { total: number } }>> {
  const listed = await runBin(['--json', 'runs', 'list'], { cwd: REPO_ROOT, env: env(name) });
  expect(listed.exitCode, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout);
}

describe('shopfds-test demo', () => {
  it('runs the e2e, API and Locust load test suites against the demo shop, reports k6 as not run, and stores every run', async () => {
    const result = await runBin(['demo'], { cwd: REPO_ROOT, env: env('all'), timeoutMs: 540_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    const summary = result.stdout.slice(result.stdout.lastIndexOf('ITEM'));
    expect(summary).toMatch(/^\s*E2E scenarios \(Playwright\)\s+passed\s+\d+ cases: \d+ passed/m);
    expect(summary).toMatch(/^\s*API collection \(Newman\)\s+passed\s+\d+ requests, \d+ cases: \d+ passed/m);
    expect(summary).toMatch(/^\s*Load test \(k6\)\s+not run\s+k6 not found: .*Install k6/m);
    expect(summary).toMatch(/^\s*Load test \(Locust\)\s+passed\s+[\d.]+ req\/s, p95 \d+ ms, p99 \d+ ms, errors 0%; \d+ cases: \d+ passed/m);
    // The demo is the bundled plan: one plan run, the parent of the three suite runs.
    expect(result.stdout).toContain('demo passed (3 of 4 steps ran).');
    const runs = await storedRuns('all');
    expect(runs.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['api:passed', 'e2e:passed', 'perf:passed', 'plan:passed']);
    expect(runs.every((r) => r.totals.total > 0)).toBe(true);
    const plan = runs.find((r) => r.kind === 'plan') as unknown as { id: string };
    expect(runs.filter((r) => r.kind !== 'plan').every((r) => (r as unknown as { parentRunId: string }).parentRunId === plan.id)).toBe(true);
  }, 600_000);

  it('fails with exit 1 when a fault is injected into the shop', async () => {
    const faults = JSON.stringify({ routes: { 'POST /api/orders': { down: true } } });
    const result = await runBin(['demo', '--skip', 'e2e,perf'], { cwd: REPO_ROOT, env: env('fault', { SHOPFDS_DEMO_FAULTS: faults }), timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(1);
    expect(result.stdout).toMatch(/^\s*API collection \(Newman\)\s+failed\s+.*\d+ failed/m);
    expect(result.stdout).toMatch(/^\s*E2E scenarios \(Playwright\)\s+skipped\s+left out with --skip/m);
    expect(result.stdout).toContain('demo failed.');
    const runs = await storedRuns('fault');
    expect(runs.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['api:failed', 'plan:failed']);
  }, 180_000);

  it('includes perf when k6 is available (k6 stand-in replaying recorded output)', async () => {
    const standIn = join(REPO_ROOT, 'test', 'fixtures', 'k6-stand-in', 'k6');
    const result = await runBin(['--json', 'demo', '--skip', 'e2e,api'], {
      cwd: REPO_ROOT,
      env: env('perf', { SHOPFDS_K6_PATH: standIn, K6_STANDIN_SCENARIO: 'pass' }),
      timeoutMs: 120_000,
    });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    // --json prints the plan run: its steps carry the results and the key figures.
    const summary = JSON.parse(result.stdout);
    expect(summary.kind).toBe('plan');
    const steps = summary.plan.tiers.flatMap((t: { steps: unknown[] }) => t.steps) as Array<{ name: string; status: string; notes: string }>;
    const perf = steps.find((s) => s.name === 'Load test (k6)')!;
    expect(perf.status).toBe('passed');
    expect(perf.notes).toMatch(/req\/s, p95 \d+ ms, p99 \d+ ms/);
    expect(steps.find((s) => s.name === 'Load test (Locust)')!.status).toBe('passed');
    const runs = await storedRuns('perf');
    expect(runs.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['perf:passed', 'perf:passed', 'plan:passed']);
  }, 180_000);

  it('says nothing passed when no suite could run: Chromium hidden and --skip api,perf is exit 3 with the install hint', async () => {
    const hidden = { SHOPFDS_CHROMIUM_PATH: join(temp.dir, 'no-chromium-here', 'chromium'), PLAYWRIGHT_BROWSERS_PATH: join(temp.dir, 'no-browsers-here') };
    const result = await runBin(['demo', '--skip', 'api,perf'], { cwd: REPO_ROOT, env: env('none', hidden), timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(3);
    expect(result.stdout).toMatch(/^\s*E2E scenarios \(Playwright\)\s+not run\s+SHOPFDS_CHROMIUM_PATH points at .*no-chromium-here/m);
    expect(result.stdout).not.toContain('demo passed');
    expect(result.stdout).toContain('demo did not run: no step could run');
    expect(result.stderr).toMatch(/^shopfds-test: E2E scenarios \(Playwright\) not run: SHOPFDS_CHROMIUM_PATH points at /m);
    // The plan run is kept, as an error: nothing ran, so nothing passed.
    const runs = await storedRuns('none');
    expect(runs.map((r) => `${r.kind}:${r.status}`)).toEqual(['plan:error']);
  }, 180_000);

  it('says how many suites ran when some could not: Chromium hidden, API runs -> "passed (1 of 2 steps ran)"', async () => {
    const hidden = { SHOPFDS_CHROMIUM_PATH: join(temp.dir, 'no-chromium-here', 'chromium'), PLAYWRIGHT_BROWSERS_PATH: join(temp.dir, 'no-browsers-here') };
    const result = await runBin(['demo', '--skip', 'perf'], { cwd: REPO_ROOT, env: env('some', hidden), timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toMatch(/^\s*API collection \(Newman\)\s+passed/m);
    expect(result.stdout).toMatch(/^Not run: E2E scenarios \(Playwright\) \(SHOPFDS_CHROMIUM_PATH points at .*\)\.$/m);
    expect(result.stdout).toContain('demo passed (1 of 2 steps ran).');
    const runs = await storedRuns('some');
    expect(runs.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['api:passed', 'plan:passed']);
  }, 180_000);

  it('refuses an unknown suite name in --skip with exit 2', async () => {
    const result = await runBin(['demo', '--skip', 'e2e,load'], { cwd: REPO_ROOT, env: env('usage') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(['shopfds-test: error E_USAGE: --skip takes a comma-separated list of e2e, api, perf (got "load")']);
  });
});
