import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ERROR_CODES, ToolError } from '../../model/index.js';
import type { BrowserLaunch } from './generate.js';

export type Browser = 'chromium' | 'firefox' | 'webkit';

/** Flags that keep a system Chromium quiet and offline (no updates, sync or first-run UI). */
export const SYSTEM_CHROMIUM_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] as const;
const SYSTEM_CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];

/** Where `@playwright/test` lives and which version it is. */
export interface PlaywrightPackage {
  readonly version: string;
  /** The CLI entry (`@playwright/test/cli.js`), run with the current Node. */
  readonly cliPath: string;
  /** `file://` URL of the ESM entry, imported by generated specs and config. */
  readonly testEntryUrl: string;
}

/** Finds the `@playwright/test` this package depends on. */
export function detectPlaywright(): PlaywrightPackage {
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve('@playwright/test/package.json');
  } catch (error) {
    throw new ToolError('@playwright/test is not installed', { hint: 'Install it with: npm install --save-dev @playwright/test', cause: error, code: ERROR_CODES.toolMissing });
  }
  const dir = dirname(pkgJson);
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  return { version, cliPath: join(dir, 'cli.js'), testEntryUrl: pathToFileURL(join(dir, 'index.mjs')).href };
}

function browsersPath(env: Readonly<Record<string, string | undefined>>, coreDir: string): string {
  const explicit = env.PLAYWRIGHT_BROWSERS_PATH;
  if (explicit === '0') return join(coreDir, '.local-browsers');
  if (explicit) return explicit;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'ms-playwright');
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'ms-playwright');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ms-playwright');
}

/**
 * Whether Playwright's own build of a browser is installed. Reads `playwright-core/browsers.json`
 * and looks for `<browsers path>/<name>-<revision>` the way Playwright's registry lays them out,
 * instead of loading playwright-core (about a second of startup on a busy machine).
 */
function installedPlaywrightBrowser(browser: Browser, env: Readonly<Record<string, string | undefined>>): boolean {
  try {
    const require = createRequire(import.meta.url);
    const coreDir = dirname(require.resolve('playwright-core/package.json', { paths: [dirname(require.resolve('@playwright/test/package.json'))] }));
    const { browsers } = JSON.parse(readFileSync(join(coreDir, 'browsers.json'), 'utf8')) as { browsers: { name: string; revision: string }[] };
    const root = browsersPath(env, coreDir);
    // Headless Chromium runs the headless shell when it is there, else the full build.
    const names = browser === 'chromium' ? ['chromium-headless-shell', 'chromium'] : [browser];
    return names.some((name) => {
      const entry = browsers.find((b) => b.name === name);
      return entry !== undefined && existsSync(join(root, `${name.replace(/-/g, '_')}-${entry.revision}`));
    });
  } catch {
    return false;
  }
}

function findOnPath(names: readonly string[], env: Readonly<Record<string, string | undefined>>): string | null {
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) {
    for (const name of names) {
      const file = join(dir, name);
      if (existsSync(file)) return file;
    }
  }
  return null;
}

/** A system Chromium: `SHOPFDS_CHROMIUM_PATH`, the usual install paths, then PATH. */
export function findSystemChromium(env: Readonly<Record<string, string | undefined>>): string | null {
  const explicit = env.SHOPFDS_CHROMIUM_PATH;
  if (explicit) {
    if (!existsSync(explicit)) throw new ToolError(`SHOPFDS_CHROMIUM_PATH points at ${explicit}, which does not exist`, { code: ERROR_CODES.toolMissing });
    return explicit;
  }
  return SYSTEM_CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? findOnPath(['chromium', 'chromium-browser', 'google-chrome'], env);
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * How to launch each requested browser. Playwright's installed builds win; Chromium falls back to a
 * system install. A browser that cannot be launched is a tool error (exit 3) with the install command.
 */
export function resolveBrowsers(browsers: readonly Browser[], env: Readonly<Record<string, string | undefined>>): BrowserLaunch[] {
  const launches: BrowserLaunch[] = [];
  for (const browser of [...new Set(browsers)]) {
    // Chromium refuses to start as root with its sandbox on (containers, CI images).
    const sandboxArgs = browser === 'chromium' && isRoot() ? ['--no-sandbox'] : [];
    if (browser === 'chromium' && env.SHOPFDS_CHROMIUM_PATH) {
      launches.push({ browser, executablePath: findSystemChromium(env), args: [...sandboxArgs, ...SYSTEM_CHROMIUM_ARGS] });
      continue;
    }
    if (installedPlaywrightBrowser(browser, env)) {
      launches.push({ browser, executablePath: null, args: sandboxArgs });
      continue;
    }
    if (browser === 'chromium') {
      const system = findSystemChromium(env);
      if (system) {
        launches.push({ browser, executablePath: system, args: [...sandboxArgs, ...SYSTEM_CHROMIUM_ARGS] });
        continue;
      }
      throw new ToolError('Chromium is not installed', {
        code: ERROR_CODES.toolMissing,
        hint: 'Install it with "npx playwright install chromium", or a system Chromium (apt-get install chromium) or set SHOPFDS_CHROMIUM_PATH.',
      });
    }
    throw new ToolError(`${browser} is not installed for Playwright`, { hint: `Install it with: npx playwright install ${browser}`, code: ERROR_CODES.toolMissing });
  }
  return launches;
}
