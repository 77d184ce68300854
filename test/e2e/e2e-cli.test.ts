import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSystemChromium } from '../../src/adapters/playwright/browsers.js';
import type { Run } from '../../src/model/index.js';
import { BIN, REPO_ROOT, cliEnv, makeTempDir, runBin, type BinResult } from '../helpers/cli.js';

/*
 * `shopfds-test e2e` end to end: the real Playwright test runner and a real Chromium against the
 * bundled demo shop. Runs are reused across assertions to keep the browser time down.
 */

const SCENARIOS = join(REPO_ROOT, 'scenarios');
const FIXTURES = join(REPO_ROOT, 'test', 'e2e', 'fixtures');
const LONG = 240_000;

let tmp: ReturnType<typeof makeTempDir>;
const db = () => join(tmp.dir, 'results.db');

function e2e(args: readonly string[], extra: NodeJS.ProcessEnv = {}): Promise<BinResult> {
  return runBin(['--db', db(), ...args], { cwd: tmp.dir, env: cliEnv(extra), timeoutMs: LONG - 10_000 });
}

async function storedRun(id: string): Promise<Run> {
  const shown = await runBin(['--db', db(), '--json', 'runs', 'show', id], { cwd: tmp.dir });
  expect(shown.exitCode, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout) as Run;
}

async function runCount(): Promise<number> {
  if (!existsSync(db())) return 0;
  const listed = await runBin(['--db', db(), '--json', 'runs', 'list', '--limit', '1000'], { cwd: tmp.dir });
  expect(listed.exitCode, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as unknown[]).length;
}

beforeAll(() => {
  // These tests need a browser: fail loudly rather than skip when there is none.
  const chromium = findSystemChromium(process.env);
  if (!chromium) throw new Error('No Chromium found: install one (apt-get install -y chromium) or set SHOPFDS_CHROMIUM_PATH');
  tmp = makeTempDir('shopfds-e2e-');
});
afterAll(() => tmp?.cleanup());

describe('shopfds-test e2e with real Chromium', () => {
  it(
    'runs the example scenarios against the demo shop and stores steps, attempts and artifacts; drafts are skipped in CI',
    async () => {
      const junit = join(tmp.dir, 'out', 'e2e.xml');
      const result = await e2e(['--json', 'e2e', SCENARIOS, '--junit', junit]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toContain('started the ShopFDS demo shop');
      // --json changes stdout only: per-test progress lines stay on stderr, stdout is the run alone.
      expect(result.stderr).toMatch(/✓ \[chromium\] Catalog smoke check \(passed, \d+ ms\)/);
      expect(result.stdout).not.toMatch(/✓ \[chromium\]/);
      const printed = JSON.parse(result.stdout) as Run;
      const run = await storedRun(printed.id);

      expect(run.kind).toBe('e2e');
      expect(run.status).toBe('passed');
      expect(run.trigger).toBe('ci');
      expect(run.tool.name).toBe('playwright');
      expect(run.tool.version).toMatch(/^1\.\d+\.\d+$/);
      expect(run.tool.commandLine).toMatch(/^playwright test --config .*playwright\.config\.mjs$/);
      expect(run.metadata.base_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(run.totals).toEqual({ total: 7, passed: 6, failed: 0, skipped: 1, flaky: 0, timedOut: 0, interrupted: 0 });

      const draft = run.cases.find((c) => c.name === 'Order history asks guests to log in first')!;
      expect(draft.status).toBe('skipped');
      expect(draft.attempts).toEqual([]);
      expect(draft.properties.skip_reason).toBe('draft scenario: not run in CI');

      const approved = run.cases.find((c) => c.name === 'Sign up and pay for a small order (FDS approves)')!;
      expect(approved).toMatchObject({ status: 'passed', project: 'chromium', suitePath: [expect.stringMatching(/scenarios\/signup-to-payment-approved\.yaml$/)] });
      expect(approved.attempts).toHaveLength(1);
      expect(approved.attempts[0]!.status).toBe('passed');
      expect(approved.tags).toEqual(['signup', 'checkout', 'payment', 'fds']);

      // Every scenario step and expected result is a stored step result.
      const e2eDetails = run.e2e!;
      expect(e2eDetails.scenarios.map((s) => s.name).sort()).toEqual(run.cases.map((c) => c.name).sort());
      const testRun = e2eDetails.test_runs.find((r) => r.case_ordinal === approved.ordinal)!;
      expect(testRun).toMatchObject({ scenario_name: approved.name, status: 'passed', browser: 'chromium', viewport: { width: 1280, height: 720 } });
      expect(testRun.steps).toHaveLength(19 + 5);
      expect(testRun.steps.every((s) => s.status === 'passed')).toBe(true);
      expect(testRun.steps[0]).toMatchObject({ step_number: 1, step_name: 'Open the signup page' });
      expect(testRun.steps[19]!.step_name).toMatch(/^expect /);

      // The screenshot step is copied under .shopfds/artifacts/<run-id>/ and linked from its step.
      const shot = testRun.steps.find((s) => s.step_name === 'Screenshot of the approved order')!;
      expect(shot.screenshot_url).toMatch(new RegExp(`^\\.shopfds/artifacts/${run.id}/.+\\.png$`));
      expect(existsSync(join(tmp.dir, shot.screenshot_url!))).toBe(true);
      expect(approved.artifacts).toEqual([expect.objectContaining({ kind: 'screenshot', path: shot.screenshot_url, attempt: 0 })]);
      expect(testRun.screenshots).toEqual([{ step: 'Screenshot of the approved order', url: shot.screenshot_url }]);

      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain('<testsuites');
      expect(xml).toContain('Catalog smoke check');
    },
    LONG,
  );

  it(
    'fails with exit 1 and names the failing step when a fault is injected into the shop',
    async () => {
      const faults = JSON.stringify({ routes: { 'POST /api/orders': { down: true } } });
      const result = await e2e(['e2e', join(SCENARIOS, 'signup-to-payment-approved.yaml'), '--retries', '0'], { SHOPFDS_DEMO_FAULTS: faults });
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stdout).toContain('FAILED');
      expect(result.stdout).toContain('Wait for the order result');
      const id = /run ([0-9a-f-]{36})/.exec(result.stdout)![1]!;
      const run = await storedRun(id);
      expect(run.status).toBe('failed');
      expect(run.totals).toMatchObject({ total: 1, failed: 1 });
      const [kase] = run.cases;
      expect(kase!.status).toBe('failed');
      expect(kase!.attempts.map((a) => a.status)).toEqual(['failed']);
      expect(kase!.errorMessage).toMatch(/^step 18 \(Wait for the order result\): TimeoutError/);
      const testRun = run.e2e!.test_runs[0]!;
      expect(testRun.status).toBe('failed');
      expect(testRun.error_logs).toContain('Wait for the order result');
      expect(testRun.steps.filter((s) => s.status === 'passed')).toHaveLength(17);
      expect(testRun.steps[17]).toMatchObject({ step_number: 18, status: 'failed' });
      expect(testRun.steps.slice(18).every((s) => s.status === 'skipped')).toBe(true);
      // Failure screenshot and trace are copied and exist.
      const kinds = kase!.artifacts.map((a) => a.kind).sort();
      expect(kinds).toEqual(expect.arrayContaining(['screenshot', 'trace']));
      for (const a of kase!.artifacts) expect(existsSync(join(tmp.dir, a.path)), a.path).toBe(true);
    },
    LONG,
  );

  it(
    'runs an ordinary Playwright config as is: a test that fails once then passes is flaky with two attempts',
    async () => {
      const output = join(tmp.dir, 'pw-output');
      const result = await e2e(['--json', 'e2e', '--config', join(FIXTURES, 'playwright.config.ts')], { FIXTURE_OUTPUT_DIR: output });
      expect(result.exitCode, result.stderr).toBe(0);
      const run = await storedRun((JSON.parse(result.stdout) as Run).id);
      expect(run.metadata.mode).toBe('config');
      expect(run.totals).toEqual({ total: 3, passed: 2, failed: 0, skipped: 1, flaky: 1, timedOut: 0, interrupted: 0 });
      const flaky = run.cases.find((c) => c.status === 'flaky')!;
      expect(flaky).toMatchObject({ name: 'fails once, then passes', suitePath: ['flaky.spec.ts', 'retries'], file: 'flaky.spec.ts', project: 'chromium' });
      expect(flaky.attempts.map((a) => a.status)).toEqual(['failed', 'passed']);
      expect(flaky.attempts[0]!.errorMessage).toContain('toHaveText');
      // The failed first attempt's screenshot was copied.
      expect(flaky.artifacts.some((a) => a.kind === 'screenshot' && a.attempt === 0 && existsSync(join(tmp.dir, a.path)))).toBe(true);
      const steps = run.e2e!.test_runs.find((r) => r.case_ordinal === flaky.ordinal)!.steps;
      expect(steps.map((s) => [s.step_name, s.status])).toEqual([
        ['render', 'passed'],
        ['check the attempt', 'passed'],
      ]);
      expect(run.cases.find((c) => c.name === 'always passes')!.tags).toEqual(['stable']);
      expect(run.cases.find((c) => c.status === 'skipped')!.name).toBe('skipped on purpose');
    },
    LONG,
  );

  it(
    'stops Playwright on Ctrl-C, stores the partial run as interrupted and exits 130',
    async () => {
      const child = spawn(process.execPath, [BIN, '--db', db(), 'e2e', SCENARIOS, '--retries', '0'], { cwd: tmp.dir, env: cliEnv() });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      const interrupted = new Promise<void>((resolveSent) => {
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
          // Interrupt once the first test has finished, while the next one runs.
          if (/✓ \[chromium\]/.test(stderr) && !child.killed) {
            setTimeout(() => child.kill('SIGINT'), 500);
            resolveSent();
          }
        });
      });
      const exitCode = await new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)));
      await interrupted;
      expect(exitCode, stderr).toBe(130);
      expect(stdout).toContain('INTERRUPTED');
      const id = /run ([0-9a-f-]{36})/.exec(stdout)![1]!;
      const run = await storedRun(id);
      expect(run.status).toBe('interrupted');
      expect(run.errorMessage).toContain('interrupted');
      expect(run.totals.passed).toBeGreaterThanOrEqual(1);
      expect(run.totals.total).toBe(7);
      expect(run.cases.filter((c) => c.status === 'passed').length).toBeGreaterThanOrEqual(1);
      expect(run.cases.some((c) => c.status === 'interrupted' || c.status === 'skipped')).toBe(true);
    },
    LONG,
  );
});

describe('shopfds-test e2e refuses before running anything', () => {
  it('refuses bad scenario files with exit 2 and stores nothing', async () => {
    const dir = join(tmp.dir, 'bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ok.yaml'), readFileSync(join(SCENARIOS, 'catalog-smoke.yaml')));
    writeFileSync(join(dir, 'broken.yaml'), 'name: Broken one\ntest_type: smoke\nsteps:\n  - action: teleport\n    selector: "#x"\nretry_count: 9\n');
    writeFileSync(join(dir, 'dup.json'), JSON.stringify({ name: 'Catalog smoke check', test_type: 'smoke', steps: [{ action: 'goto', url: '/' }] }));
    const before = await runCount();
    for (const args of [['e2e', 'bad'], ['scenarios', 'validate', 'bad']]) {
      const result = await e2e(args);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain('shopfds-test: error E_USAGE: bad/broken.yaml: Broken one: steps.0.action: must be one of goto, click,');
      expect(result.stderr).toContain('shopfds-test: error E_USAGE: bad/broken.yaml: Broken one: retry_count: ');
      expect(result.stderr).toContain('shopfds-test: error E_USAGE: bad/ok.yaml: Catalog smoke check: name: duplicate scenario name (also in bad/dup.json)');
      expect(result.stderr).not.toContain('started the ShopFDS demo shop');
    }
    expect(await runCount()).toBe(before);
  });

  it('lists scenarios and prints the JSON Schema', async () => {
    const listed = await e2e(['--json', 'scenarios', 'list', SCENARIOS, '--tag', 'fds']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((s) => s.name).sort()).toEqual([
      'High-risk order is blocked by the FDS',
      'Large order with a foreign card is held for review',
      'Sign up and pay for a small order (FDS approves)',
    ]);
    const schema = await e2e(['schema', 'scenario']);
    expect(schema.exitCode).toBe(0);
    expect(JSON.parse(schema.stdout)).toMatchObject({ type: 'object', required: expect.arrayContaining(['name', 'steps']) });
  });

  it('asks for a browser that is not installed with the command that installs it (exit 3)', async () => {
    const dir = join(tmp.dir, 'webkit');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'safari.yaml'), 'name: On WebKit\ntest_type: smoke\nbrowser: webkit\nsteps:\n  - action: goto\n    url: /\n');
    const result = await e2e(['e2e', 'webkit']);
    const core = (await import('playwright-core')) as unknown as { webkit: { executablePath(): string } };
    const installed = existsSync(core.webkit.executablePath());
    if (installed) {
      expect(result.exitCode, result.stderr).not.toBe(2);
    } else {
      expect(result.exitCode, result.stderr).toBe(3);
      expect(result.stderr).toContain('shopfds-test: error E_TOOL_MISSING: webkit is not installed for Playwright');
      expect(result.stderr).toContain('npx playwright install webkit');
    }
  });
});
