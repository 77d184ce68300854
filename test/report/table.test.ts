import { describe, expect, it } from 'vitest';
import { caseKey } from '../../src/model/index.js';
import { getRenderer } from '../../src/report/index.js';
import { renderTable, tableRenderer } from '../../src/report/table.js';
import { apiRun, canaryRun, chaosRun, largeRun, makeRun, normalRun, perfRun, scenarioRun } from './fixtures.js';

const ANSI = /\u001b\[[0-9;]*m/;

describe('table renderer', () => {
  it('is what getRenderer("table") returns', async () => {
    expect(await getRenderer('table')).toBe(tableRenderer);
  });

  it('starts with a header line: kind, name, verdict, counts, duration, environment, tool', () => {
    const [headerLine] = renderTable(normalRun(), { color: false }).split('\n');
    // As Playwright counts: passed excludes flaky, the four parts sum to the total.
    expect(headerLine).toBe('e2e checkout: FAILED  2 passed, 1 flaky, 2 failed, 1 skipped of 6 in 34.6s  (local, playwright 1.65.1)');
  });

  it('lists failed and flaky cases with project, tries and the first error line, then artifacts of failures and the run id', () => {
    const text = renderTable(normalRun(), { color: false });
    const lines = text.split('\n');
    const tableStart = lines.indexOf('Failed and flaky (2 failed, 1 flaky)');
    expect(tableStart).toBeGreaterThan(0);
    expect(lines[tableStart + 1]).toMatch(/^ {2}STATUS +TRIES +PROJECT +TEST$/);
    expect(lines[tableStart + 2]).toMatch(/^ {2}failed +2 +chromium +checkout\.spec\.ts › Checkout › pays with card$/);
    // The error goes under its case, with Expected/Received and where it failed.
    expect(lines.slice(tableStart + 3, tableStart + 7)).toEqual([
      '      Error: expect(received).toBe(expected)',
      '      Expected: 200',
      '      Received: 500',
      '      at checkout.spec.ts:11',
    ]);
    expect(lines[tableStart + 7]).toMatch(/^ {2}timed out +1 +chromium +checkout\.spec\.ts › Checkout › shows receipt$/);
    expect(lines[tableStart + 8]).toMatch(/^ {6}Test timeout/);
    expect(text).toMatch(/\n {2}flaky +3 +chromium +checkout\.spec\.ts › Checkout › applies coupon\n {6}try 1: /);
    // Passing and skipped cases are not in the summary.
    expect(text).not.toContain('adds to cart');
    expect(text).not.toContain('gift wrap');
    expect(text).toContain('Artifacts of failed cases\n  checkout.spec.ts › Checkout › pays with card\n    screenshot .shopfds/artifacts/pays/test-failed-1.png (try 1)\n');
    expect(lines.at(-2)).toBe('run 6f1c2a4e-8b9d-4e2f-9a31-0c5d7e8f9a10; details: shopfds-test runs show 6f1c2a4e-8b9d-4e2f-9a31-0c5d7e8f9a10');
  });

  it('lists every case and all artifacts with detail "full"', () => {
    const text = renderTable(normalRun(), { color: false, detail: 'full', width: 160 });
    expect(text).toContain('Cases (6)');
    for (const name of ['adds to cart', 'pays with card', 'shows receipt', 'applies coupon', 'gift wrap', 'auth.spec.ts › login']) expect(text).toContain(name);
    // Each case's key (its first 12 hex digits), as runs history and quarantine add take it.
    expect(text).toMatch(/\n {2}STATUS +TRIES +TIME +KEY +PROJECT +TEST/);
    const run = normalRun();
    const gift = caseKey(run.kind, run.cases.find((c) => c.name === 'gift wrap')!).slice(0, 12);
    expect(text).toMatch(new RegExp(`\\n {2}skipped +1 +1\\.2s +${gift} +chromium +checkout\\.spec\\.ts › Checkout › gift wrap`));
    expect(text).toContain('  run\n    report     .shopfds/artifacts/results.json');
    expect(text).toContain('ci        github-actions, build 9876, main, a1b2c3d');
    expect(text).not.toContain('details: shopfds-test runs show');
  });

  it('keeps every line within the width and truncates long names', () => {
    const run = makeRun({ cases: [{ name: `${'n'.repeat(10_000)}`, status: 'failed', errorMessage: `E: ${'e'.repeat(5000)}` }] });
    for (const width of [60, 100, 200]) {
      const text = renderTable(run, { color: false, width });
      const tableLines = text.split('\n').filter((l) => l.startsWith('  failed') || l.startsWith('  STATUS'));
      expect(tableLines).toHaveLength(2);
      for (const l of tableLines) expect(Array.from(l).length).toBeLessThanOrEqual(width);
      expect(text).toContain('…');
    }
  });

  it('shows the run-level error', () => {
    const run = makeRun({ cases: [], errorMessage: 'k6 exited with code 107\nscript error at line 3', kind: 'perf', tool: { name: 'k6', version: null, commandLine: null } });
    const text = renderTable(run, { color: false });
    expect(text.split('\n')[0]).toBe('perf checkout: ERROR  0 passed, 0 flaky, 0 failed, 0 skipped of 0 in 34.6s  (local, k6)');
    expect(text).toContain('  error: k6 exited with code 107\n         script error at line 3\n');
  });

  it('caps the summary at 30 failure rows and says how many more there are', () => {
    const run = largeRun(10_000);
    const text = renderTable(run, { color: false });
    const problems = run.totals.failed + run.totals.flaky;
    expect(text).toContain(`  … and ${problems - 30} more`);
  });

  it('shows perf key figures and thresholds', () => {
    const text = renderTable(perfRun(), { color: false });
    expect(text).toContain('Performance\n  checkout (load): 50 VUs for 60s, TPS 96.4 (target 100)\n  p95 412 ms  p99 730 ms  avg 180 ms  max 1250 ms\n  error rate 3.4%  requests 5785 (197 failed)');
    expect(text).toContain('✓ thresholds › http_req_duration p(95)<500');
    expect(text).toContain('✗ thresholds › http_req_failed rate<0.01');
  });

  it('shows API suites and the slowest requests', () => {
    const text = renderTable(apiRun(), { color: false });
    // Requests and assertions (TESTS) are separate figures.
    expect(text).toMatch(/API suites\n {2}SUITE +STATUS +REQUESTS +TESTS +PASSED +FAILED +SKIPPED +TIME\n {2}ShopFDS API +failed +\d+ +2 +1 +1 +0 +2\.0s/);
    expect(text).toMatch(/Slowest requests\n {3}TIME +METHOD +STATUS +ENDPOINT\n {2}840ms +POST +500 +\/api\/fds\/score\n {2}120ms/);
  });

  it('shows the chaos verdict, recovery against its target and the approver', () => {
    const text = renderTable(chaosRun(), { color: false });
    expect(text).toContain('verdict failed, status completed, recovery 42s (target 30s) ✗');
    expect(text).toContain('approved by sre-lead');
  });

  it('shows canary status, weight and the rollback reason', () => {
    const text = renderTable(canaryRun(), { color: false });
    expect(text).toContain('payments v1.4.0 → v1.5.0: rollback, weight 20%');
    expect(text).toContain('rollback: request-success-rate 95.8% < 99%');
  });

  it('shows failed scenario steps of e2e runs', () => {
    const text = renderTable(scenarioRun(), { color: false });
    expect(text).toContain('Scenario steps\n  guest checkout: 2/3 steps passed (chromium)\n    ✗ step 3 pay: locator #pay not visible\n      screenshot .shopfds/artifacts/pay.png');
  });

  it('colours only when asked', () => {
    expect(renderTable(normalRun(), { color: false })).not.toMatch(ANSI);
    const coloured = renderTable(normalRun(), { color: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderTable(normalRun(), { color: false }));
  });

  it('is deterministic: the same run renders to the same text', () => {
    for (const make of [normalRun, perfRun, apiRun, chaosRun, canaryRun, scenarioRun]) {
      expect(renderTable(make(), { color: false })).toBe(renderTable(make(), { color: false }));
      expect(renderTable(make(), { color: false, detail: 'full' })).toBe(renderTable(make(), { color: false, detail: 'full' }));
    }
  });
});
