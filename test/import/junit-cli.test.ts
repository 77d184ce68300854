import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, makeTempDir, runBin } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { JUNIT_REFERENCE_DIR, allCases, parseJunit, validateWithXmllint } from '../report/xml.js';

/*
 * The built bin, spawned for real: `import --format junit` stores a run, `report --latest --format
 * junit` prints it back as JUnit that validates, and bad input stores nothing and exits 2.
 */

// Hand counts of each reference file: testcases, failed, skipped (none has flaky cases).
const REFERENCES: readonly [file: string, kind: string, total: number, failed: number, skipped: number][] = [
  ['newman-junit-postman-echo-2-iterations-failures.xml', 'api', 90, 9, 0],
  ['playwright-junit-jpetstore-failure-FAILURE-type.xml', 'e2e', 1, 1, 0],
  ['playwright-junit-jtiintern-skipped-properties-multiproject.xml', 'e2e', 38, 0, 22],
  ['testmo-conventions.xml', 'e2e', 1, 0, 0],
  ['testmo-testcase-output.xml', 'e2e', 1, 0, 0],
  ['testmo-testcase-properties.xml', 'e2e', 1, 0, 0],
];

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
let pgDatabase: TestDatabase | null = null;
beforeEach(() => {
  tmp = makeTempDir('shopfds-junit-cli-');
  db = join(tmp.dir, 'results.db');
});
afterEach(async () => {
  tmp.cleanup();
  await pgDatabase?.drop();
  pgDatabase = null;
});

const bin = (args: string[]) => runBin([...args, '--db', db], { cwd: tmp.dir });

async function storedRuns(): Promise<unknown[]> {
  const listed = await bin(['runs', 'list', '--json']);
  // A refused import creates no store, and a read command never creates one (exit 2, "no result store").
  if (listed.exitCode === 2 && /no result store at /.test(listed.stderr)) return [];
  expect({ exitCode: listed.exitCode, stderr: listed.stderr }).toEqual({ exitCode: 0, stderr: '' });
  return JSON.parse(listed.stdout) as unknown[];
}

describe.each(['sqlite', 'postgres'] as const)('import --format junit, then report --latest --format junit (built bin, %s store)', (backend) => {
  beforeEach(async () => {
    // The same commands against a real PostgreSQL server, in a database of this test's own.
    if (backend === 'postgres') {
      pgDatabase = await createTestDatabase();
      db = pgDatabase.url;
    }
  });

  for (const [file, kind, total, failed, skipped] of REFERENCES) {
    it(`${file}: ${total} cases, ${failed} failed, ${skipped} skipped survive the round trip`, async () => {
      const imported = await bin(['import', join(JUNIT_REFERENCE_DIR, file), '--format', 'junit']);
      expect(imported.stderr).toBe('');
      expect(imported.exitCode).toBe(0);
      expect(imported.stdout).toMatch(new RegExp(`^imported ${kind} run [0-9a-f-]{36} ".+": (passed|failed) \\(${total - failed - skipped} passed, 0 flaky, ${failed} failed, ${skipped} skipped of ${total}\\)\\n$`));

      const reported = await bin(['report', '--latest', '--format', 'junit']);
      expect(reported.exitCode).toBe(0);
      const verdict = validateWithXmllint(reported.stdout);
      expect(verdict.output).toContain('validates');
      expect(verdict.ok).toBe(true);
      const doc = parseJunit(reported.stdout);
      const cases = allCases(doc);
      expect(cases).toHaveLength(total);
      expect(Number(doc.testsuites.tests)).toBe(total);
      expect(Number(doc.testsuites.failures) + Number(doc.testsuites.errors)).toBe(failed);
      expect(cases.filter((c) => c.skipped.length)).toHaveLength(skipped);

      // The stored run re-renders to the same text every time.
      const again = await bin(['report', '--latest', '--format', 'junit']);
      expect({ exitCode: again.exitCode, stderr: again.stderr }).toEqual({ exitCode: 0, stderr: '' });
      expect(again.stdout).toBe(reported.stdout);
      expect(await storedRuns()).toHaveLength(1);
    });
  }

  it('writes the report to a file with --output and prints the table summary by default', async () => {
    await bin(['import', join(JUNIT_REFERENCE_DIR, 'playwright-junit-jpetstore-failure-FAILURE-type.xml'), '--format', 'junit', '--name', 'jpetstore']);
    const table = await bin(['report', '--latest']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout.split('\n')[0]).toBe('e2e jpetstore: FAILED  0 passed, 0 flaky, 1 failed, 0 skipped of 1 in 24.5s  (local, playwright)');
    const written = await bin(['report', '--latest', '--format', 'markdown', '--output', 'summary.md']);
    expect(written.exitCode).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(tmp.dir, 'summary.md'), 'utf8')).toContain('## ❌ e2e jpetstore: FAILED');
  });
});

describe('import --format junit with bad input (built bin)', () => {
  const expectRefused = async (args: string[], message: RegExp) => {
    const result = await bin(['import', ...args, '--format', 'junit']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await storedRuns()).toEqual([]);
  };

  it('refuses a missing file', async () => {
    await expectRefused(['nope.xml'], /^shopfds-test: error E_USAGE: nope\.xml: no such file$/);
  });

  it('refuses malformed XML', async () => {
    writeFileSync(join(tmp.dir, 'broken.xml'), '<testsuites><testsuite name="a"><testcase name="x"></testsuite>');
    await expectRefused(['broken.xml'], /^shopfds-test: error E_USAGE: broken\.xml: malformed XML at line 1: .+ \(expected JUnit XML\)$/);
  });

  it("refuses Newman's JSON report passed as JUnit", async () => {
    await expectRefused(
      [join(REPO_ROOT, '..', 'shared', 'reference', 'newman', 'tredgate-newman-run-report-failures.json')],
      /^shopfds-test: error E_USAGE: .*tredgate-newman-run-report-failures\.json: not JUnit XML \(it is JSON; expected a <testsuites> or <testsuite> root element\); this is Newman's JSON report, import it with --format newman-json$/,
    );
  });

  it('refuses XML of another kind', async () => {
    writeFileSync(join(tmp.dir, 'feed.xml'), '<?xml version="1.0"?><rss version="2.0"><channel/></rss>');
    await expectRefused(['feed.xml'], /^shopfds-test: error E_USAGE: feed\.xml: not JUnit XML \(the root element is <rss>; expected a <testsuites> or <testsuite> root element\)$/);
  });

  it('stores nothing when one of several files is bad', async () => {
    writeFileSync(join(tmp.dir, 'broken.xml'), '<testsuites>');
    await expectRefused([join(JUNIT_REFERENCE_DIR, 'testmo-conventions.xml'), 'broken.xml'], /^shopfds-test: error E_USAGE: broken\.xml: malformed XML/);
  });
});
