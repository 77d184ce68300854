import { describe, expect, it } from 'vitest';
import { downsample, scriptJson } from '../../src/report/html-page.js';
import { MAX_CHART_POINTS, renderGroupHtml, renderRunHtml } from '../../src/report/html.js';
import { getRenderer } from '../../src/report/index.js';
import { makeRun, normalRun } from './fixtures.js';
import { bigPerfRun, shardRuns } from './html-fixtures.js';

/* The HTML renderer as a pure function; the page in a browser is tested in html-browser.test.ts. */

describe('HTML report renderer', () => {
  it('is the html format of getRenderer and a pure function of the run', async () => {
    const renderer = await getRenderer('html');
    expect(renderer.extension).toBe('html');
    const run = normalRun();
    expect(renderer.render(run, { color: false })).toBe(renderer.render(run, { color: false }));
  });

  it('loads nothing from outside the file', () => {
    const html = renderRunHtml(normalRun());
    expect(html).not.toMatch(/<(script|img|link|iframe)[^>]+(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('uPlot');
  });

  it('escapes names, messages and chart data so run text cannot become markup', () => {
    const evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const run = makeRun({ cases: [{ name: evil, status: 'failed', errorMessage: evil, errorStack: evil }], metadata: { note: evil } });
    const html = renderRunHtml(run);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
    expect(scriptJson({ t: evil })).not.toContain('</script>');
    expect(JSON.parse(scriptJson({ t: evil }))).toEqual({ t: evil });
  });

  it('downsamples long series to the cap and keeps each bucket peak', () => {
    const x = Array.from({ length: 100_000 }, (_, i) => i);
    const y = x.map((i) => (i === 54_321 ? 9_999 : i % 10));
    const out = downsample(x, [y], MAX_CHART_POINTS);
    expect(out.x.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    expect(Math.max(...(out.series[0] as number[]))).toBe(9_999);
    const html = renderRunHtml(bigPerfRun(100_000));
    expect(html).toContain(`downsampled to ${out.x.length} of 100000 points`);
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
  });

  it('lists failures before every case, failed before flaky', () => {
    const html = renderRunHtml(normalRun());
    const failures = html.indexOf('id="failures"');
    expect(failures).toBeGreaterThan(html.indexOf('id="summary"'));
    expect(failures).toBeLessThan(html.indexOf('id="cases"'));
    const section = html.slice(failures, html.indexOf('id="cases"'));
    expect(section.indexOf('pays with card')).toBeLessThan(section.indexOf('applies coupon'));
  });

  it('renders a group with one section per child, failing children first in the index', () => {
    const html = renderGroupHtml('build-4711', shardRuns('build-4711'));
    const index = html.slice(html.indexOf('class="children"'), html.indexOf('</table>', html.indexOf('class="children"')));
    expect(index.indexOf('checkout shard 2')).toBeLessThan(index.indexOf('checkout shard 1'));
    for (const r of shardRuns()) expect(html).toContain(`id="run-${r.id}"`);
  });
});
