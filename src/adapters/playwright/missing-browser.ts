import type { ParsedPlaywrightRun } from './parse.js';

/*
 * A project of the user's config whose browser Playwright has not downloaded fails every one of its
 * tests with "Executable doesn't exist at ...". That is a missing tool, not a test failure: the run is
 * still stored (the other projects ran), those tests carry the install command, and the run's verdict
 * is an infrastructure error (exit 3).
 */

const MISSING = /Executable doesn't exist at/;

function browserOf(text: string, project: string | null): 'chromium' | 'firefox' | 'webkit' {
  const s = `${project ?? ''} ${text}`.toLowerCase();
  if (s.includes('firefox')) return 'firefox';
  if (s.includes('webkit')) return 'webkit';
  return 'chromium';
}

export interface MissingBrowsers {
  readonly parsed: ParsedPlaywrightRun;
  /** One line per missing browser with the command that installs it; null when none is missing. */
  readonly message: string | null;
}

/** Marks the tests of projects whose browser is missing, and says which browsers to install. */
export function markMissingBrowsers(parsed: ParsedPlaywrightRun): MissingBrowsers {
  const byBrowser = new Map<string, { projects: Set<string>; tests: number }>();
  const cases = parsed.cases.map((c) => {
    if (!c.errorMessage || !MISSING.test(c.errorMessage)) return c;
    const browser = browserOf(c.errorMessage, c.project);
    const entry = byBrowser.get(browser) ?? { projects: new Set<string>(), tests: 0 };
    entry.tests++;
    if (c.project) entry.projects.add(c.project);
    byBrowser.set(browser, entry);
    const install = `npx playwright install ${browser}`;
    return {
      ...c,
      status: 'failed' as const,
      errorMessage: `${browser} is not installed for Playwright, so this test did not run; install it with: ${install}`,
      properties: { ...c.properties, error_kind: 'missing_browser', install_command: install },
    };
  });
  if (!byBrowser.size) return { parsed, message: null };
  const testRuns = parsed.testRuns.map((t) => {
    const c = cases[t.case_ordinal];
    return c?.properties.error_kind === 'missing_browser' ? { ...t, status: 'failed' as const, error_logs: c.errorMessage } : t;
  });
  const message = [...byBrowser]
    .map(([browser, e]) => {
      const projects = [...e.projects];
      return (
        `${browser} is not installed for Playwright: ${e.tests} test${e.tests === 1 ? '' : 's'} of project${projects.length === 1 ? '' : 's'} ` +
        `${projects.join(', ') || browser} did not run. Install it with: npx playwright install ${browser}`
      );
    })
    .join('\n');
  return { parsed: { ...parsed, cases, testRuns }, message };
}
