import { execFile } from 'node:child_process';
import { cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findSystemChromium } from '../../src/adapters/playwright/browsers.js';
import { REPO_ROOT } from '../helpers/cli.js';

/*
 * The realistic Playwright project under test/fixtures/playwright-project: its own config with its own
 * reporters (list + html), two projects (chromium, firefox; Firefox is not installed here) and specs
 * under tests/. Copied into a temp dir per test file so nothing is written into the repository.
 */

export const PLAYWRIGHT_PROJECT = join(REPO_ROOT, 'test', 'fixtures', 'playwright-project');
const PLAYWRIGHT_CLI = join(REPO_ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

export function requireChromium(): string {
  const chromium = findSystemChromium(process.env);
  if (!chromium) throw new Error('No Chromium found: install one (apt-get install -y chromium) or set SHOPFDS_CHROMIUM_PATH');
  return chromium;
}

/** Copies the project into `dir/project` and returns that path. */
export function copyPlaywrightProject(dir: string): string {
  const target = join(dir, 'project');
  cpSync(PLAYWRIGHT_PROJECT, target, { recursive: true });
  // The project's own @playwright/test, as `npm install` would give it.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(target, 'node_modules'), 'dir');
  return target;
}

const run = promisify(execFile);

/**
 * Runs the project the way its users do (`npx playwright test ...`), with Playwright's own JSON
 * reporter writing `reportFile`. Returns the exit code (1 when a test failed).
 */
export async function runPlaywrightDirectly(projectDir: string, args: readonly string[], reportFile: string): Promise<number> {
  const options = { cwd: projectDir, env: { ...process.env, CI: '1', FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024, timeout: 170_000 };
  try {
    const { stdout } = await run(process.execPath, [PLAYWRIGHT_CLI, 'test', ...args, '--reporter=json'], options);
    writeFileSync(reportFile, stdout);
    return 0;
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number' || !e.stdout?.trim().startsWith('{')) throw new Error(`playwright test failed to run: ${e.stderr ?? String(error)}`);
    writeFileSync(reportFile, e.stdout);
    return e.code;
  }
}
