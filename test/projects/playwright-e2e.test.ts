import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/model/index.js';
import { cliEnv, makeTempDir, runBin, type BinResult } from '../helpers/cli.js';
import { copyPlaywrightProject, requireChromium } from './playwright-project.js';

/*
 * The realistic Playwright project run through `shopfds-test e2e --config`, the way its users already
 * run it: its reporters kept (html included), Chromium present and Firefox missing, retries from the
 * shopfds config file, an unreachable --base-url. Real Playwright, real Chromium.
 */

let tmp: ReturnType<typeof makeTempDir>;
let project: string;
let result: BinResult;
let run: Run;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  requireChromium();
  tmp = makeTempDir('shopfds-pw-e2e-');
  project = copyPlaywrightProject(tmp.dir);
  // The team's shopfds config: one retry. The Playwright config sets no retries, no flag is given.
  writeFileSync(join(tmp.dir, 'shopfds.config.yaml'), 'e2e:\n  retries: 1\n');
  result = await runBin(['--json', 'e2e', '--config', 'project/playwright.config.ts'], { cwd: tmp.dir, env: cliEnv(), timeoutMs: 400_000 });
  run = JSON.parse(result.stdout) as Run;
}, 420_000);
afterAll(() => tmp?.cleanup());

describe('e2e --config on a real project', () => {
  it('keeps the user\'s own reporters: the html report is written, nothing waits, no wrapper is left (item 1)', () => {
    expect(existsSync(join(project, 'playwright-report', 'index.html'))).toBe(true);
    expect(readdirSync(project).filter((f) => f.startsWith('.shopfds'))).toEqual([]);
  });

  it('stores the run when Firefox is missing: its tests as errors with the install command, the others as they ended, exit 3 after saving (item 2)', async () => {
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(3);
    expect(run.status).toBe('error');
    expect(run.errorMessage).toMatch(/firefox is not installed for Playwright: \d+ tests? of project firefox did not run\. Install it with: npx playwright install firefox/);
    const firefox = run.cases.filter((c) => c.project === 'firefox' && c.status !== 'skipped');
    expect(firefox.length).toBeGreaterThan(0);
    for (const c of firefox) expect(c.errorMessage).toContain('npx playwright install firefox');
    const chromium = run.cases.filter((c) => c.project === 'chromium');
    expect(chromium.map((c) => c.status).sort()).toEqual(['failed', 'flaky', 'passed', 'passed', 'skipped']);
    const stored = await runBin(['--json', 'runs', 'show', run.id], { cwd: tmp.dir, env: cliEnv() });
    expect(stored.exitCode, stored.stderr).toBe(0);
    // No orphan folders: every artifacts folder belongs to a stored run.
    const artifacts = join(tmp.dir, '.shopfds', 'artifacts');
    if (existsSync(artifacts)) expect(readdirSync(artifacts)).toEqual([run.id]);
  });

  it('applies the shopfds config\'s retries when the Playwright config and the flags leave them unset (item 6)', () => {
    const coupon = run.cases.find((c) => c.project === 'chromium' && c.name.startsWith('applies a coupon'))!;
    expect(coupon.status).toBe('flaky');
    expect(coupon.attempts).toHaveLength(2);
  });

  it('fails fast with exit 3 and one line when --base-url does not answer (item 7)', async () => {
    const port = await closedPort();
    for (const url of [`http://127.0.0.1:${port}`, 'http://shopfds-no-such-host.invalid']) {
      const r = await runBin(['e2e', '--config', 'project/playwright.config.ts', '--base-url', url], { cwd: tmp.dir, env: cliEnv(), timeoutMs: 60_000 });
      expect(r.exitCode).toBe(3);
      expect(r.stderr.trim().split('\n')[0]).toMatch(new RegExp(`^shopfds-test: error E_TOOL: --base-url ${url.replace(/\./g, '\\.')} is not reachable: (connection refused|host not found)`));
    }
  }, 150_000);
});
