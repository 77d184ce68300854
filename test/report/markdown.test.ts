import { describe, expect, it } from 'vitest';
import { getRenderer } from '../../src/report/index.js';
import { escapeCell, markdownRenderer, renderMarkdown } from '../../src/report/markdown.js';
import { apiRun, canaryRun, chaosRun, makeRun, normalRun, perfRun, scenarioRun } from './fixtures.js';

describe('markdown renderer', () => {
  it('is what getRenderer("markdown") returns', async () => {
    expect(await getRenderer('markdown')).toBe(markdownRenderer);
  });

  it('writes a verdict headline with an emoji and a counts table', () => {
    const md = renderMarkdown(normalRun());
    expect(md.startsWith('## ❌ e2e checkout: FAILED\n')).toBe(true);
    expect(md).toContain('| Passed | Flaky | Failed | Skipped | Total | Duration |\n|---:|---:|---:|---:|---:|---:|\n| 2 | 1 | 2 | 1 | 6 | 34.6s |');
    expect(renderMarkdown(makeRun({ cases: [{ name: 'ok' }] })).startsWith('## ✅ e2e checkout: PASSED')).toBe(true);
    expect(md.endsWith('\n\n')).toBe(true);
  });

  it('lists failures in a table, flaky cases and artifacts', () => {
    const md = renderMarkdown(normalRun());
    expect(md).toContain('### Failures (2)\n\n| Test | Project | Status | Tries | Error |\n|---|---|---|---|---|\n');
    expect(md).toContain('| checkout.spec.ts › Checkout › pays with card | chromium | failed | 2 | Error: expect(received).toBe(expected) |');
    expect(md).toContain('| checkout.spec.ts › Checkout › shows receipt | chromium | timed out | 1 | Test timeout of 30000ms exceeded. |');
    expect(md).toContain('### Flaky (1)\n\n- checkout.spec.ts › Checkout › applies coupon (chromium): passed after 2 failed tries');
    expect(md).toContain('  - screenshot: `.shopfds/artifacts/pays/test-failed-1.png`');
  });

  it('escapes pipes, newlines and HTML inside table cells', () => {
    const md = renderMarkdown(apiRun());
    expect(md).toContain('| ShopFDS API › FDS › Score \\| risky › scores the order | failed | 1 | expected 201 \\| got 500 |');
    expect(escapeCell('a|b\nc <script>')).toBe('a\\|b c &lt;script&gt;');
    const hostile = makeRun({ cases: [{ name: 'x|y\n<z>', status: 'failed', errorMessage: 'line | one\nline two' }] });
    const rows = renderMarkdown(hostile).split('\n').filter((l) => l.startsWith('| checkout'));
    expect(rows).toEqual(['| checkout.spec.ts › Checkout › x\\|y &lt;z&gt; | chromium | failed | 1 | line \\| one |']);
    // Every row of the failures table has the same number of unescaped separators as the header.
    const cells = (l: string) => l.split(/(?<!\\)\|/).length;
    expect(cells(rows[0]!)).toBe(cells('| Test | Project | Status | Tries | Error |'));
  });

  it('shows the run-level error and kind-specific figures', () => {
    expect(renderMarkdown(makeRun({ cases: [], errorMessage: 'k6 not found' }))).toContain('## 💥 e2e checkout: ERROR');
    expect(renderMarkdown(makeRun({ cases: [], errorMessage: 'k6 not found' }))).toContain('> **Error:** k6 not found');
    expect(renderMarkdown(perfRun())).toContain('| checkout | load | 50 | 96.4 (100) | 412 ms | 730 ms | 180 ms | 1250 ms | 3.4% | 5785 (197) |');
    expect(renderMarkdown(apiRun())).toContain('- 840 ms `POST /api/fds/score` → 500');
    expect(renderMarkdown(chaosRun())).toContain('- Recovery: 42s (target 30s)');
    expect(renderMarkdown(chaosRun())).toContain('- Approval: approved by sre-lead');
    expect(renderMarkdown(canaryRun())).toContain('- Rollback: request-success-rate 95.8% &lt; 99%');
    expect(renderMarkdown(scenarioRun())).toContain('- guest checkout: step 3 pay: locator #pay not visible');
  });

  it('is deterministic', () => {
    for (const make of [normalRun, perfRun, apiRun, chaosRun, canaryRun, scenarioRun]) expect(renderMarkdown(make())).toBe(renderMarkdown(make()));
  });
});
