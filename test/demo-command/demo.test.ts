import { existsSync } from 'node:fs';
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
    expect(summary).toMatch(/^E2E scenarios \(Playwright\)\s+passed\s+scenarios: \d+ cases: \d+ passed, 1 skipped/m);
    expect(summary).toMatch(/^API collection \(Newman\)\s+passed\s+\d+ requests, \d+ cases: \d+ passed/m);
    expect(summary).toMatch(/^Load test \(k6\)\s+not run\s+k6 not found: .*Install k6/m);
    expect(summary).toMatch(/^Load test \(Locust\)\s+passed\s+[\d.]+ req\/s, p95 \d+ ms, p99 \d+ ms, errors 0%; \d+ cases: \d+ passed/m);
    expect(result.stdout).toContain('demo passed.');
    const runs = await storedRuns('all');
    expect(runs.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['api:passed', 'e2e:passed', 'perf:passed']);
    expect(runs.every((r) => r.totals.total > 0)).toBe(true);
  }, 600_000);

  it('fails with exit 1 when a fault is injected into the shop', async () => {
    const faults = JSON.stringify({ routes: { 'POST /api/orders': { down: true } } });
    const result = await runBin(['demo', '--skip', 'e2e,perf'], { cwd: REPO_ROOT, env: env('fault', { SHOPFDS_DEMO_FAULTS: faults }), timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(1);
    expect(result.stdout).toMatch(/^API collection \(Newman\)\s+failed\s+.*\d+ failed/m);
    expect(result.stdout).toMatch(/^E2E scenarios \(Playwright\)\s+skipped\s+left out with --skip/m);
    expect(result.stdout).toContain('demo failed.');
    const runs = await storedRuns('fault');
    expect(runs.map((r) => `${r.kind}:${r.status}`)).toEqual(['api:failed']);
  }, 180_000);

  it('includes perf when k6 is available (k6 stand-in replaying recorded output)', async () => {
    const standIn = join(REPO_ROOT, 'test', 'fixtures', 'k6-stand-in', 'k6');
    const result = await runBin(['--json', 'demo', '--skip', 'e2e,api'], {
      cwd: REPO_ROOT,
      env: env('perf', { SHOPFDS_K6_PATH: standIn, K6_STANDIN_SCENARIO: 'pass' }),
      timeoutMs: 120_000,
    });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    const summary = JSON.parse(result.stdout);
    const perf = summary.suites.find((s: { item: string }) => s.item === 'Load test (k6)');
    expect(perf.result).toBe('passed');
    expect(perf.notes).toMatch(/req\/s, p95 \d+ ms, p99 \d+ ms/);
    expect(summary.suites.find((s: { item: string }) => s.item === 'Load test (Locust)').result).toBe('passed');
    const runs = await storedRuns('perf');
    expect(runs.map((r) => `${r.kind}:${r.status}`)).toEqual(['perf:passed', 'perf:passed']);
  }, 180_000);

  it('says nothing passed when no suite could run: Chromium hidden and --skip api,perf is exit 3 with the install hint', async () => {
    const hidden = { SHOPFDS_CHROMIUM_PATH: join(temp.dir, 'no-chromium-here', 'chromium'), PLAYWRIGHT_BROWSERS_PATH: join(temp.dir, 'no-browsers-here') };
    const result = await runBin(['demo', '--skip', 'api,perf'], { cwd: REPO_ROOT, env: env('none', hidden), timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(3);
    expect(result.stdout).toMatch(/^E2E scenarios \(Playwright\)\s+not run\s+SHOPFDS_CHROMIUM_PATH points at .*no-chromium-here/m);
    expect(result.stdout).not.toContain('demo passed');
    expect(result.stdout).toContain('demo did not run: no suite could run');
    expect(result.stderr).toMatch(/^shopfds-test: E2E scenarios \(Playwright\) not run: SHOPFDS_CHROMIUM_PATH points at /m);
    expect(existsSync(join(temp.dir, 'none', 'results.db'))).toBe(false);
  }, 180_000);

  it('says how many suites ran when some could not: Chromium hidden, API runs -> "passed (1 of 2 suites ran)"', async () => {
    const hidden = { SHOPFDS_CHROMIUM_PATH: join(temp.dir, 'no-chromium-here', 'chromium'), PLAYWRIGHT_BROWSERS_PATH: join(temp.dir, 'no-browsers-here') };
    const result = await runBin(['demo', '--skip', 'perf'], { cwd: REPO_ROOT, env: env('some', hidden), timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toMatch(/^API collection \(Newman\)\s+passed/m);
    expect(result.stdout).toMatch(/^Not run: E2E scenarios \(Playwright\) \(SHOPFDS_CHROMIUM_PATH points at .*\)\.$/m);
    expect(result.stdout).toContain('demo passed (1 of 2 suites ran).');
    const runs = await storedRuns('some');
    expect(runs.map((r) => `${r.kind}:${r.status}`)).toEqual(['api:passed']);
  }, 180_000);

  it('refuses an unknown suite name in --skip with exit 2', async () => {
    const result = await runBin(['demo', '--skip', 'e2e,load'], { cwd: REPO_ROOT, env: env('usage') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(['shopfds-test: error E_USAGE: --skip takes a comma-separated list of e2e, api, perf (got "load")']);
  });
});
