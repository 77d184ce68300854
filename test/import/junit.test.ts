import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJunit } from '../../src/adapters/junit/import.js';
import type { ImportBase } from '../../src/adapters/import-types.js';
import { UsageError, validateRun, type Run } from '../../src/model/index.js';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

const REF = `${REFERENCE}/junit`;

const base: ImportBase = {
  id: '0b7f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
  name: null,
  environment: 'staging',
  executedBy: 'tester',
  ci: null,
  runGroup: null,
  importedAt: '2025-06-01T12:00:00.000Z',
  kind: null,
};

async function load(file: string, overrides: Partial<ImportBase> = {}): Promise<Run> {
  const input = await importJunit(file, { ...base, ...overrides });
  const checked = validateRun(input);
  if (!checked.ok) throw new Error(`${file}: ${checked.issues.join('; ')}`);
  return checked.run;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shopfds-junit-import-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('importJunit: reference files', () => {
  it('reads Newman 6 JUnit (2 iterations): 37 requests, 90 assertions, 9 failing ones', async () => {
    const run = await load(`${REF}/newman-junit-postman-echo-2-iterations-failures.xml`);
    expect(run.totals).toEqual({ total: 90, passed: 81, failed: 9, skipped: 0, flaky: 0, timedOut: 0, interrupted: 0 });
    expect(run.kind).toBe('api');
    expect(run.tool).toEqual({ name: 'newman', version: null, commandLine: null });
    expect(run.name).toBe('Postman Echo');
    expect(run.status).toBe('failed');
    expect(run.trigger).toBe('import');
    expect(run.environment).toBe('staging');
    // No timestamps in Newman's JUnit: the import time is the start.
    expect(run.startedAt).toBe('2025-06-01T12:00:00.000Z');
    expect(run.durationMs).toBe(12_655);
    expect(run.completedAt).toBe('2025-06-01T12:00:12.655Z');
    expect(new Set(run.cases.map((c) => c.suitePath[0])).size).toBe(37);
    const hawk = run.cases.find((c) => c.suitePath[0] === 'Authentication Methods / Hawk Auth' && c.status === 'failed')!;
    expect(hawk.name).toBe("response body has json saying passed 'status'");
    expect(hawk.errorMessage).toBe("expected { Object (message) } in response to contain property 'status'");
    expect(hawk.errorStack).toContain('Failed 2 times.');
    expect(hawk.errorStack).toContain('at Object.eval sandbox-script.js:2:11).');
    expect(hawk.properties.failedIterations).toBe('2');
    expect(hawk.durationMs).toBe(93);
    expect(hawk.project).toBeNull();
    const quoted = run.cases.find((c) => c.name === 'the "foo1" cookie has correct value');
    expect(quoted).toBeDefined();
    expect(run.cases.filter((c) => c.suitePath[0] === 'Utilities / Postman Collection / Transform collection from format v1 to v2' && c.status === 'failed')).toHaveLength(2);
  });

  it('reads Playwright JUnit with a FAILURE-type failure and four attachments', async () => {
    const run = await load(`${REF}/playwright-junit-jpetstore-failure-FAILURE-type.xml`);
    expect(run.totals).toEqual({ total: 1, passed: 0, failed: 1, skipped: 0, flaky: 0, timedOut: 0, interrupted: 0 });
    expect(run.kind).toBe('e2e');
    expect(run.tool.name).toBe('playwright');
    // The root name is empty, so the file name names the run.
    expect(run.name).toBe('playwright-junit-jpetstore-failure-FAILURE-type');
    expect(run.startedAt).toBe('2025-11-01T18:07:18.664Z');
    expect(run.durationMs).toBe(24_485.797);
    const [c] = run.cases;
    expect(c!.suitePath).toEqual(['compra-simple.spec.ts', 'Compra Completa - Flujo Grabado']);
    expect(c!.name).toBe('Debe completar el flujo de compra con el código grabado');
    expect(c!.file).toBe('compra-simple.spec.ts');
    expect(c!.project).toBe('chromium');
    expect(c!.durationMs).toBe(23_549);
    expect(c!.errorMessage).toBe('compra-simple.spec.ts:5:7 Debe completar el flujo de compra con el código grabado');
    expect(c!.errorStack).toContain('Error: expect(locator).toContainText(expected) failed');
    expect(c!.artifacts.map((a) => [a.kind, a.path])).toEqual([
      ['screenshot', 'compra-simple-Compra-Compl-492e2-ompra-con-el-código-grabado-chromium/test-failed-1.png'],
      ['video', 'compra-simple-Compra-Compl-492e2-ompra-con-el-código-grabado-chromium/video.webm'],
      ['other', 'compra-simple-Compra-Compl-492e2-ompra-con-el-código-grabado-chromium/error-context.md'],
      ['trace', 'compra-simple-Compra-Compl-492e2-ompra-con-el-código-grabado-chromium/trace.zip'],
    ]);
    expect(c!.stdout).toBeNull();
    expect(run.artifacts[0]).toMatchObject({ kind: 'report', path: `${REF}/playwright-junit-jpetstore-failure-FAILURE-type.xml` });
  });

  it('reads Playwright JUnit with four projects, 22 skipped tests and skip annotations', async () => {
    const run = await load(`${REF}/playwright-junit-jtiintern-skipped-properties-multiproject.xml`);
    expect(run.totals).toEqual({ total: 38, passed: 16, failed: 0, skipped: 22, flaky: 0, timedOut: 0, interrupted: 0 });
    expect(run.status).toBe('passed');
    expect(run.startedAt).toBe('2025-12-08T15:49:12.728Z');
    expect(run.durationMs).toBe(107_954.793);
    const byProject = (p: string) => run.cases.filter((c) => c.project === p);
    expect([byProject('admin').length, byProject('mahasiswa').length, byProject('dosen').length, byProject('multi-role').length]).toEqual([14, 15, 5, 4]);
    expect(byProject('admin').filter((c) => c.status === 'skipped')).toHaveLength(9);
    expect(byProject('mahasiswa').filter((c) => c.status === 'skipped')).toHaveLength(6);
    expect(byProject('dosen').filter((c) => c.status === 'skipped')).toHaveLength(3);
    expect(byProject('multi-role').filter((c) => c.status === 'skipped')).toHaveLength(4);
    const skipped = run.cases[0]!;
    expect(skipped.status).toBe('skipped');
    expect(skipped.properties).toEqual({ skip: '' });
    expect(skipped.suitePath).toEqual(['admin\\approve-lamaran.spec.js', 'Admin - Manajemen Lamaran']);
    expect(skipped.name).toBe('E2E_ADM_LAMARAN_001: View daftar lamaran masuk');
    const amp = run.cases.find((c) => c.name.startsWith('E2E_ADM_LOW_003'))!;
    expect(amp.name).toBe('E2E_ADM_LOW_003: Update lowongan (deskripsi & kapasitas)');
    const withOutput = run.cases.find((c) => c.name.startsWith('E2E_ADM_LOW_001'))!;
    expect(withOutput.status).toBe('passed');
    expect(withOutput.stdout).toBe('📸 Screenshot saved: playwright-report/screenshots/admin-lowongan-list-2025-12-08T15-49-27-773Z.png');
  });

  it('reads the testmo conventions: properties, [[PROPERTY]] and [[ATTACHMENT]] lines, attachment properties', async () => {
    const run = await load(`${REF}/testmo-conventions.xml`);
    expect(run.totals).toEqual({ total: 1, passed: 1, failed: 0, skipped: 0, flaky: 0, timedOut: 0, interrupted: 0 });
    expect(run.tool.name).toBe('junit');
    expect(run.kind).toBe('e2e');
    expect(run.name).toBe('testmo-conventions');
    const [c] = run.cases;
    expect(c!.suitePath).toEqual(['Tests']);
    expect(c!.name).toBe('testExample');
    expect(c!.artifacts.map((a) => a.path)).toEqual([
      'screenshots/dashboard.png',
      'screenshots/users.png',
      'logs/browser/console.txt',
      'logs/server/access.txt',
      'https://build-server/runs/45112/screenshot1.png',
    ]);
    expect(c!.properties).toMatchObject({ priority: 'high', author: 'Adrian', language: 'english', 'browser-log': 'Log line #1\nLog line #2\nLog line #3' });
    expect(c!.properties.description).toBe('This text describes the purpose of this test case and provides\nan overview of what the test does and how it works.');
    expect(c!.stdout).toBe('Output line #1\nOutput line #2');
  });

  it('reads testsuite properties into run metadata (testmo testcase output and properties)', async () => {
    for (const name of ['testmo-testcase-output.xml', 'testmo-testcase-properties.xml']) {
      const run = await load(`${REF}/${name}`);
      expect(run.totals).toEqual({ total: 1, passed: 1, failed: 0, skipped: 0, flaky: 0, timedOut: 0, interrupted: 0 });
      expect(run.metadata).toMatchObject({ version: '1.774', commit: 'ef7bebf', browser: 'Google Chrome', ci: 'https://github.com/actions/runs/1234' });
      expect(run.metadata.config).toBe('Config line #1\nConfig line #2\nConfig line #3');
      expect(run.cases[0]!.artifacts.map((a) => a.path)).toEqual(['screenshots/dashboard.png', 'screenshots/users.png']);
    }
  });

  it('takes the run name and kind from --name and --kind when given', async () => {
    const run = await load(`${REF}/newman-junit-postman-echo-2-iterations-failures.xml`, { name: 'echo nightly', kind: 'e2e' });
    expect(run.name).toBe('echo nightly');
    expect(run.kind).toBe('e2e');
  });
});

describe('importJunit: retries, errors and shapes', () => {
  it('turns flakyFailure/flakyError into a flaky case with failed attempts then a pass', async () => {
    const file = write(
      'surefire-flaky.xml',
      `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.shop.CheckoutTest" tests="3" failures="1" errors="0" skipped="0" time="3.5" timestamp="2025-02-03T04:05:06">
  <testcase name="paysWithCard" classname="com.shop.CheckoutTest" time="1.5">
    <flakyFailure message="expected 200 but was 500" type="java.lang.AssertionError"><stackTrace>java.lang.AssertionError: expected 200 but was 500
	at com.shop.CheckoutTest.paysWithCard(CheckoutTest.java:42)</stackTrace></flakyFailure>
    <flakyError message="Read timed out" type="java.net.SocketTimeoutException"/>
  </testcase>
  <testcase name="appliesCoupon" classname="com.shop.CheckoutTest" time="1.2">
    <failure message="coupon rejected" type="java.lang.AssertionError">trace of the last try</failure>
    <rerunFailure message="coupon rejected (first try)" type="java.lang.AssertionError"/>
  </testcase>
  <testcase name="listsProducts" classname="com.shop.CatalogTest" time="0.8"/>
</testsuite>`,
    );
    const run = await load(file);
    expect(run.totals).toEqual({ total: 3, passed: 2, failed: 1, skipped: 0, flaky: 1, timedOut: 0, interrupted: 0 });
    expect(run.name).toBe('com.shop.CheckoutTest');
    expect(run.startedAt).toBe('2025-02-03T04:05:06.000Z');
    expect(run.durationMs).toBe(3_500);
    const [flaky, failed, passed] = run.cases;
    expect(flaky!.status).toBe('flaky');
    expect(flaky!.attempts.map((a) => a.status)).toEqual(['failed', 'timed_out', 'passed']);
    expect(flaky!.attempts[0]!.errorMessage).toBe('expected 200 but was 500');
    expect(flaky!.attempts[0]!.errorStack).toContain('CheckoutTest.java:42');
    expect(flaky!.errorMessage).toBeNull();
    expect(failed!.status).toBe('failed');
    expect(failed!.attempts.map((a) => [a.status, a.errorMessage])).toEqual([
      ['failed', 'coupon rejected (first try)'],
      ['failed', 'coupon rejected'],
    ]);
    expect(failed!.errorMessage).toBe('coupon rejected');
    expect(failed!.errorStack).toBe('trace of the last try');
    expect(passed!.properties['junit.classname']).toBe('com.shop.CatalogTest');
  });

  it('maps <error> to failed, or timed_out when it says timeout, and <skipped message> to a skip reason', async () => {
    const file = write(
      'errors.xml',
      `<testsuites name="mixed"><testsuite name="s" tests="4" failures="0" errors="2">
  <testcase name="crashes" time="0.1"><error type="Error" message="boom">Error: boom
    at x.js:1:1</error></testcase>
  <testcase name="hangs" time="30"><error type="TimeoutError" message="Test timeout of 30000ms exceeded."/></testcase>
  <testcase name="later"><skipped message="not implemented"/></testcase>
  <testcase name="ok"/>
</testsuite></testsuites>`,
    );
    const run = await load(file);
    expect(run.totals).toEqual({ total: 4, passed: 1, failed: 2, skipped: 1, flaky: 0, timedOut: 1, interrupted: 0 });
    expect(run.cases.map((c) => c.status)).toEqual(['failed', 'timed_out', 'skipped', 'passed']);
    expect(run.cases[0]!.errorMessage).toBe('boom');
    expect(run.cases[0]!.errorStack).toBe('Error: boom\n    at x.js:1:1');
    expect(run.cases[2]!.properties.skip).toBe('not implemented');
    expect(run.name).toBe('mixed');
  });

  it('keeps nested testsuites as the suite path', async () => {
    const file = write(
      'nested.xml',
      `<testsuites><testsuite name="outer" tests="2" failures="0" errors="0"><testsuite name="inner" tests="1" failures="0" errors="0"><testcase name="deep"/></testsuite><testcase name="shallow"/></testsuite></testsuites>`,
    );
    const run = await load(file);
    expect(run.cases.map((c) => [c.suitePath, c.name])).toEqual([
      [['outer'], 'shallow'],
      [['outer', 'inner'], 'deep'],
    ]);
  });

  it('keeps a request error Newman reports on the testsuite as a failed case', async () => {
    const file = write(
      'newman-request-error.xml',
      `<testsuites name="Shop" tests="1" time="0.5"><testsuite name="Orders / Create" id="8891e043-8187-48cb-9373-34eab1f73185" tests="1" failures="0" errors="1" time="0.1">
  <testcase name="status is 201" time="0.1"/>
  <system-err><![CDATA[Error: connect ECONNREFUSED 127.0.0.1:4100]]></system-err>
</testsuite></testsuites>`,
    );
    const run = await load(file);
    expect(run.kind).toBe('api');
    expect(run.totals).toMatchObject({ total: 2, passed: 1, failed: 1 });
    expect(run.cases[1]).toMatchObject({ name: 'request error', status: 'failed', errorMessage: 'Error: connect ECONNREFUSED 127.0.0.1:4100' });
  });

  it('tells a machine hostname (pytest) from a Playwright project', async () => {
    const pytest = await load(
      write(
        'pytest.xml',
        `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="1" time="0.5" timestamp="2025-03-04T10:11:12.123456+01:00" hostname="build-agent-7"><testcase classname="tests.test_cart" name="test_total" time="0.01"/></testsuite></testsuites>`,
      ),
    );
    expect(pytest.tool.name).toBe('junit');
    expect(pytest.cases[0]!.project).toBeNull();
    expect(pytest.cases[0]!.properties['junit.classname']).toBe('tests.test_cart');
    expect(pytest.startedAt).toBe('2025-03-04T09:11:12.123Z');
    const playwright = await load(
      write(
        'pw-no-root-id.xml',
        `<testsuites name="" tests="1"><testsuite name="cart.spec.ts" hostname="webkit" tests="1" failures="0" errors="0" time="1"><testcase name="adds an item" classname="cart.spec.ts" time="1"/></testsuite></testsuites>`,
      ),
    );
    expect(playwright.tool.name).toBe('playwright');
    expect(playwright.cases[0]).toMatchObject({ project: 'webkit', file: 'cart.spec.ts', suitePath: ['cart.spec.ts'], name: 'adds an item' });
  });

  it("reads the 2016 Newman reporter's milliseconds (testsuites without tests/failures attributes)", async () => {
    const run = await load(
      write(
        'newman-2016.xml',
        `<?xml version="1.0" encoding="UTF-8"?><testsuites name="Sample" time="1234"><testsuite name="Get products" id="16ffd620-0923-4edb-8805-016c2dfacc76" timestamp="2016-05-12T10:00:00.000Z" time="234"><testcase name="Status code is 200" time="234"/><testcase name="Has items" time="234"><failure type="AssertionFailure"><![CDATA[Failed 1 times.]]></failure></testcase></testsuite></testsuites>`,
      ),
    );
    expect(run.kind).toBe('api');
    expect(run.tool.name).toBe('newman');
    expect(run.durationMs).toBe(1_234);
    expect(run.cases.map((c) => c.durationMs)).toEqual([234, 234]);
    expect(run.totals).toMatchObject({ total: 2, passed: 1, failed: 1 });
    expect(run.cases[1]!.errorMessage).toBe('Failed 1 times.');
  });

  it('stores an empty report as an error run, never as passed', async () => {
    const run = await load(write('empty.xml', '<testsuites name="nothing"/>'));
    expect(run.status).toBe('error');
    expect(run.totals.total).toBe(0);
    expect(run.errorMessage).toContain('has no test cases');
  });

  it('decodes character references and keeps emoji', async () => {
    const run = await load(write('refs.xml', '<testsuite name="s" tests="1" failures="1" errors="0"><testcase name="a &amp; b &#10;c 🚀"><failure message="line1&#10;line2 &lt;x&gt;"/></testcase></testsuite>'));
    expect(run.cases[0]!.name).toBe('a & b \nc 🚀');
    expect(run.cases[0]!.errorMessage).toBe('line1\nline2 <x>');
  });
});

describe('importJunit: bad input', () => {
  const expectUsage = async (file: string, pattern: RegExp) => {
    const error = await importJunit(file, base).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as UsageError).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(pattern);
  };

  it('rejects malformed XML naming the file and the line', async () => {
    await expectUsage(write('broken.xml', '<testsuites>\n<testsuite name="a">\n<testcase name="x">\n</testsuites>'), /broken\.xml: malformed XML at line \d+: .*\(expected JUnit XML\)$/);
  });

  it('rejects XML that is not JUnit', async () => {
    await expectUsage(write('pom.xml', '<?xml version="1.0"?><project><modelVersion>4.0.0</modelVersion></project>'), /pom\.xml: not JUnit XML \(the root element is <project>; expected a <testsuites> or <testsuite> root element\)$/);
  });

  it("rejects JSON and says when it is Newman's JSON report", async () => {
    await expectUsage(write('report.json', JSON.stringify({ collection: { info: {} }, run: { stats: {} } })), /report\.json: not JUnit XML \(it is JSON; expected a <testsuites> or <testsuite> root element\); this is Newman's JSON report, import it with --format newman-json$/);
  });

  it('rejects an empty file and a missing one', async () => {
    await expectUsage(write('blank.xml', '  \n'), /blank\.xml: not JUnit XML \(the file is empty/);
    await expectUsage(join(dir, 'missing.xml'), /missing\.xml: cannot be read \(ENOENT\)$/);
  });
});
