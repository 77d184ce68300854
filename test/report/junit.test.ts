import { describe, expect, it } from 'vitest';
import { junitRenderer, renderJunit, escapeXmlAttr, escapeXmlText, formatJunitSeconds } from '../../src/report/junit.js';
import { getRenderer } from '../../src/report/index.js';
import { largeRun, makeRun, normalRun } from './fixtures.js';
import { allCases, parseJunit, validateWithXmllint } from './xml.js';

function expectValid(xml: string): void {
  const result = validateWithXmllint(xml);
  expect(result.output).toContain('validates');
  expect(result.ok).toBe(true);
}

describe('JUnit renderer', () => {
  it('is what getRenderer("junit") returns', async () => {
    expect(await getRenderer('junit')).toBe(junitRenderer);
    expect(junitRenderer.extension).toBe('xml');
  });

  it('writes a normal run that validates against the Jenkins schema, with counts per suite', () => {
    const run = normalRun();
    const xml = renderJunit(run);
    expectValid(xml);
    const doc = parseJunit(xml);
    expect(doc.testsuites).toMatchObject({ name: 'checkout', tests: '6', failures: '1', errors: '1', time: '34.568' });
    const suites = doc.testsuites.testsuite!;
    expect(suites.map((s) => [s.name, s.hostname, s.tests, s.failures, s.errors, s.skipped])).toEqual([
      ['checkout.spec.ts', 'chromium', '5', '1', '1', '1'],
      ['auth.spec.ts', 'firefox', '1', '0', '0', '0'],
    ]);
    const cases = allCases(doc);
    expect(cases.map((c) => c.name)).toEqual([
      'Checkout › adds to cart',
      'Checkout › pays with card',
      'Checkout › shows receipt',
      'Checkout › applies coupon',
      'Checkout › gift wrap',
      'login',
    ]);
    expect(cases.every((c) => /^\d+(\.\d{1,3})?$/.test(c.time))).toBe(true);
    expect(cases[0]!.classname).toBe('checkout.spec.ts');
  });

  it('writes failures, timeouts as errors, skips with their reason, and attachments', () => {
    const cases = allCases(parseJunit(renderJunit(normalRun())));
    const [passed, failed, timedOut, flaky, skipped, withOutput] = cases;
    expect(passed!.failure).toHaveLength(0);
    expect(failed!.failure).toHaveLength(1);
    expect(failed!.failure[0]!.message).toBe('Error: expect(received).toBe(expected)\n\nExpected: 200\nReceived: 500');
    expect(failed!.failure[0]!.type).toBe('Error');
    expect(failed!.failure[0]!['#text']).toContain('at checkout.spec.ts:12:7');
    expect(failed!['system-out'][0]).toContain('[[ATTACHMENT|.shopfds/artifacts/pays/test-failed-1.png]]');
    expect(failed!['system-out'][0]).toContain('[[ATTACHMENT|.shopfds/artifacts/pays/test-failed-2.png]]');
    expect(timedOut!.error).toHaveLength(1);
    expect(timedOut!.error[0]!.type).toBe('TimeoutError');
    expect(timedOut!.error[0]!.message).toBe('Test timeout of 30000ms exceeded.');
    expect(flaky!.failure).toHaveLength(0);
    expect(skipped!.skipped).toHaveLength(1);
    expect(skipped!.skipped[0]!.message).toBe('not in this release');
    expect(skipped!['system-out'][0]).toContain('[[PROPERTY|skip=not in this release]]');
    // Output first, then where the test lives (file and line, as properties).
    expect(withOutput!['system-out'][0]).toBe('logged in\n[[PROPERTY|file=auth.spec.ts]]\n[[PROPERTY|line=15]]\n');
  });

  it('writes flaky cases as passed with one flakyFailure/flakyError per failed attempt, and reruns of failed cases', () => {
    const xml = renderJunit(normalRun());
    const cases = allCases(parseJunit(xml));
    const failed = cases[1]!;
    const flaky = cases[3]!;
    expect(failed.rerunFailure).toHaveLength(1);
    expect(failed.rerunFailure[0]!.message).toBe('Error: attempt 1 of pays with card failed');
    expect(flaky.flakyFailure).toHaveLength(1);
    expect(flaky.flakyError).toHaveLength(1);
    expect(flaky.flakyFailure[0]!.message).toBe('Error: attempt 1 of applies coupon failed');
    expect(flaky.flakyError[0]!.type).toBe('TimeoutError');
    expect(xml).toContain('<stackTrace>Error: attempt 1 failed\n    at spec.ts:10:5</stackTrace>');
  });

  it('carries run metadata as properties on each testsuite', () => {
    const run = makeRun({ cases: [{ name: 'a' }, { name: 'b', suitePath: ['other.spec.ts'] }], metadata: { baseUrl: 'http://127.0.0.1:4100' }, shard: { current: 2, total: 3 } });
    const suites = parseJunit(renderJunit(run)).testsuites.testsuite!;
    expect(suites).toHaveLength(2);
    for (const suite of suites) {
      const props = Object.fromEntries(suite.properties!.property.map((p) => [p.name, p.value]));
      expect(props).toMatchObject({
        'shopfds.runId': run.id,
        'shopfds.kind': 'e2e',
        'shopfds.environment': 'local',
        'shopfds.tool': 'playwright',
        'shopfds.toolVersion': '1.65.1',
        'shopfds.runGroup': '9876',
        'shopfds.shard': '2/3',
        'ci.buildId': '9876',
        'ci.commitSha': 'a1b2c3d',
        'ci.branch': 'main',
        'ci.jobUrl': 'https://ci.example/run/9876',
        baseUrl: 'http://127.0.0.1:4100',
      });
    }
  });

  it('escapes hostile names and messages, strips XML-illegal characters, keeps emoji and 10,000-character names', () => {
    const longName = `long ${'x'.repeat(9995)}`;
    expect(longName).toHaveLength(10_000);
    const hostile = 'a & b < c > d "quoted" \'single\' ]]> end';
    const run = makeRun({
      name: 'hostile & <run> "name"',
      cases: [
        { name: hostile, suitePath: ['suite ]]> & <x>'], status: 'failed', errorMessage: `boom ]]> & <tag> "q"\u0000\u0001\u0008\u000b\u000c\u001f\u001b[31mred\u001b[39m \uFFFE\uD800 lone`, errorStack: 'stack ]]> <at> &amp;\u0007' },
        { name: 'emoji 🚀 𝒳 한국어 café', suitePath: ['suite ]]> & <x>'], stdout: 'out ]]> <b>\u0002' },
        { name: longName, suitePath: ['suite ]]> & <x>'] },
        { name: 'tab\there\nnewline', suitePath: ['suite ]]> & <x>'], status: 'skipped', properties: { skip: 'reason & <why>', multi: 'line 1\nline 2' } },
      ],
    });
    const xml = renderJunit(run);
    expectValid(xml);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    const doc = parseJunit(xml);
    expect(doc.testsuites.name).toBe('hostile & <run> "name"');
    const cases = allCases(doc);
    expect(cases[0]!.suite.name).toBe('suite ]]> & <x>');
    expect(cases[0]!.name).toBe(hostile);
    expect(cases[0]!.failure[0]!.message).toBe('boom ]]> & <tag> "q"\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDred \uFFFD\uFFFD lone');
    expect(cases[0]!.failure[0]!['#text']).toBe('stack ]]> <at> &amp;\uFFFD');
    expect(cases[1]!.name).toBe('emoji 🚀 𝒳 한국어 café');
    expect(cases[1]!['system-out'][0]).toBe('out ]]> <b>\uFFFD\n[[PROPERTY|file=checkout.spec.ts]]\n[[PROPERTY|line=11]]\n');
    expect(cases[2]!.name).toBe(longName);
    expect(cases[3]!.name).toBe('tab\there\nnewline');
    expect(cases[3]!.skipped[0]!.message).toBe('reason & <why>');
    expect(cases[3]!['system-out'][0]).toContain('[[PROPERTY|multi]]\nline 1\nline 2\n[[/PROPERTY]]');
  });

  it('writes a run-level tool error as an <error> testcase next to the cases', () => {
    const run = makeRun({
      cases: [{ name: 'a' }, { name: 'b', status: 'failed' }],
      errorMessage: 'playwright exited with code 1 and wrote no report\nsecond line',
    });
    const xml = renderJunit(run);
    expectValid(xml);
    const doc = parseJunit(xml);
    expect(doc.testsuites).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    const errorCase = allCases(doc).find((c) => c.classname === 'shopfds-test.run')!;
    expect(errorCase.name).toBe('playwright error');
    expect(errorCase.error[0]).toMatchObject({ type: 'ToolError', message: 'playwright exited with code 1 and wrote no report' });
    expect(errorCase.error[0]!['#text']).toBe('playwright exited with code 1 and wrote no report\nsecond line');
  });

  it('writes an error run without cases as one testsuite holding the error testcase', () => {
    const run = makeRun({ cases: [], errorMessage: 'k6 not found on PATH', tool: { name: 'k6', version: null, commandLine: null }, kind: 'perf', name: 'load' });
    expect(run.status).toBe('error');
    const xml = renderJunit(run);
    expectValid(xml);
    const doc = parseJunit(xml);
    expect(doc.testsuites).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    expect(doc.testsuites.testsuite!.map((s) => s.name)).toEqual(['load']);
    expect(allCases(doc)[0]!.error[0]!.message).toBe('k6 not found on PATH');
  });

  it('writes an interrupted run with its reason as an Interrupted error', () => {
    const run = makeRun({ cases: [{ name: 'a' }, { name: 'b', status: 'interrupted' }], status: 'interrupted', errorMessage: 'interrupted by SIGINT' });
    const xml = renderJunit(run);
    expectValid(xml);
    const cases = allCases(parseJunit(xml));
    expect(cases.find((c) => c.classname === 'shopfds-test.run')!.error[0]!.type).toBe('Interrupted');
    expect(cases.find((c) => c.name === 'Checkout › b')!.error[0]!.type).toBe('Interrupted');
  });

  it('renders a run with no cases and no error as an empty but valid document', () => {
    const run = makeRun({ cases: [], status: 'error' });
    const xml = renderJunit(run);
    expectValid(xml);
    expect(parseJunit(xml).testsuites).toMatchObject({ tests: '0', failures: '0', errors: '0' });
  });

  it('renders 10,000 cases that validate and parse back to the same counts', () => {
    const run = largeRun(10_000);
    const xml = renderJunit(run);
    expectValid(xml);
    const doc = parseJunit(xml);
    const cases = allCases(doc);
    expect(cases).toHaveLength(10_000);
    expect(Number(doc.testsuites.tests)).toBe(run.totals.total);
    expect(Number(doc.testsuites.failures) + Number(doc.testsuites.errors)).toBe(run.totals.failed);
    expect(cases.filter((c) => c.skipped.length).length).toBe(run.totals.skipped);
    expect(cases.filter((c) => c.flakyFailure.length).length).toBe(run.totals.flaky);
  });

  it('is deterministic', () => {
    expect(renderJunit(normalRun())).toBe(renderJunit(normalRun()));
    expect(junitRenderer.render(normalRun(), { color: true })).toBe(renderJunit(normalRun()));
  });
});

describe('JUnit escaping and time helpers', () => {
  it('escapes text and attributes', () => {
    expect(escapeXmlText('a & b < c > ]]>')).toBe('a &amp; b &lt; c &gt; ]]&gt;');
    expect(escapeXmlAttr('"x"\n\ty')).toBe('&quot;x&quot;&#10;&#9;y');
    expect(escapeXmlText('plain 🚀')).toBe('plain 🚀');
    expect(escapeXmlText('bad \u0000 \uDC00 ok')).toBe('bad \uFFFD \uFFFD ok');
  });

  it('formats seconds with at most three decimals', () => {
    expect(formatJunitSeconds(0)).toBe('0');
    expect(formatJunitSeconds(23_549)).toBe('23.549');
    expect(formatJunitSeconds(24_485.797)).toBe('24.486');
    expect(formatJunitSeconds(1_000)).toBe('1');
    expect(formatJunitSeconds(0.4)).toBe('0');
    expect(formatJunitSeconds(3_600_123.4)).toBe('3600.123');
  });
});
