import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/*
 * The page shell shared by the HTML report and the dashboard: styles, the uPlot chart library and the
 * script that turns chart specs into charts, all inlined, so a report file opens with no network.
 */

/** One time-series chart: x in seconds since the epoch (or plain numbers when `time` is false). */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  /** Unit of the left axis. */
  readonly unit?: string;
  /** Unit of the right axis (series with `axis: 'right'`). */
  readonly rightUnit?: string;
  readonly time?: boolean;
  /** Join a series across x values where it has no point (series sampled at different times). */
  readonly spanGaps?: boolean;
  /** Shown under the chart (e.g. "downsampled to 1,000 of 100,000 points"). */
  readonly note?: string;
}

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly axis?: 'left' | 'right';
  /** Thresholds and targets are drawn dashed. */
  readonly dashed?: boolean;
}

export interface PageOptions {
  readonly title: string;
  readonly body: string;
  readonly charts: readonly ChartSpec[];
  /** Extra inline script run after the charts (the dashboard's live updates). */
  readonly script?: string;
}

let assets: { js: string; css: string } | null = null;

/** uPlot's minified build and stylesheet, read once from the installed package. */
function uplotAssets(): { js: string; css: string } {
  if (!assets) {
    const require = createRequire(import.meta.url);
    assets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return assets;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and attribute values. */
export function esc(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

/** JSON safe inside a `<script type="application/json">` element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** At most `max` points: each bucket keeps its first x and, per series, its largest value (peaks stay visible). */
export function downsample(x: readonly number[], series: readonly (readonly (number | null)[])[], max: number): { x: number[]; series: (number | null)[][] } {
  if (x.length <= max) return { x: [...x], series: series.map((s) => [...s]) };
  const size = Math.ceil(x.length / max);
  const outX: number[] = [];
  const outS: (number | null)[][] = series.map(() => []);
  for (let start = 0; start < x.length; start += size) {
    const end = Math.min(x.length, start + size);
    outX.push(x[start]!);
    for (let s = 0; s < series.length; s++) {
      const values = series[s]!;
      let best: number | null = null;
      for (let i = start; i < end; i++) {
        const v = values[i];
        if (v !== null && v !== undefined && (best === null || v > best)) best = v;
      }
      outS[s]!.push(best);
    }
  }
  return { x: outX, series: outS };
}

/** The pages' own stylesheet. */
export const PAGE_CSS = `
:root{--bg:#f6f7f9;--card:#fff;--fg:#1d2330;--muted:#5c6578;--line:#dde1e8;--pass:#1a7f37;--fail:#c62828;--flaky:#b26a00;--skip:#6b7280;--err:#7b1fa2;--int:#8a5a00}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:#1f5fbf}
header.top{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:18px;align-items:center;flex-wrap:wrap}
header.top a{color:#cfe0ff;text-decoration:none}
header.top strong{font-size:15px}
main{max-width:1200px;margin:0 auto;padding:16px 20px 40px}
section.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:14px 0}
h1{font-size:20px;margin:0 0 6px}
h2{font-size:16px;margin:0 0 10px}
h3{font-size:14px;margin:12px 0 6px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;background:var(--skip);text-transform:uppercase;letter-spacing:.02em}
.badge.passed,.badge.completed,.badge.succeeded{background:var(--pass)}
.badge.failed,.badge.timed_out,.badge.rollback{background:var(--fail)}
.badge.flaky{background:var(--flaky)}
.badge.error{background:var(--err)}
.badge.interrupted,.badge.abandoned{background:var(--int)}
.badge.running,.badge.progressing{background:#1f5fbf}
.totals{display:flex;gap:10px;flex-wrap:wrap;margin:10px 0}
.totals div{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:90px}
.totals b{display:block;font-size:20px}
.totals .failed b{color:var(--fail)}.totals .passed b{color:var(--pass)}.totals .flaky b{color:var(--flaky)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:6px 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;word-break:break-word}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;background:#fafbfc;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.s-failed td:first-child,tr.s-timed_out td:first-child,tr.s-interrupted td:first-child{border-left:3px solid var(--fail)}
tr.s-flaky td:first-child{border-left:3px solid var(--flaky)}
pre{background:#f3f4f6;border-radius:6px;padding:8px 10px;overflow:auto;max-height:320px;font-size:12px;white-space:pre-wrap;word-break:break-word}
.failure{border-left:4px solid var(--fail);padding:6px 12px;margin:10px 0;background:#fff7f7}
.failure.flaky{border-color:var(--flaky);background:#fffaf0}
.failure h3{margin:0 0 4px}
.msg{color:var(--fail);font-weight:600;white-space:pre-wrap}
.muted{color:var(--muted)}
.shots{display:flex;gap:10px;flex-wrap:wrap}
.shots figure{margin:0;max-width:320px}
.shots img{max-width:320px;border:1px solid var(--line);border-radius:4px}
.shots figcaption{font-size:12px;color:var(--muted)}
.chart{margin:10px 0 18px}
.chart .note{font-size:12px;color:var(--muted)}
.timeline{list-style:none;padding:0;margin:0;border-left:2px solid var(--line)}
.timeline li{padding:4px 0 6px 14px;position:relative}
.timeline li::before{content:"";position:absolute;left:-6px;top:10px;width:10px;height:10px;border-radius:50%;background:var(--skip)}
.timeline li.t-steady_state_before::before,.timeline li.t-steady_state_after::before{background:var(--pass)}
.timeline li.t-during::before,.timeline li.t-fail_step::before{background:var(--fail)}
.timeline li.t-verdict::before{background:#1f5fbf}
.timeline li.t-recovery::before{background:var(--flaky)}
.banner{padding:8px 12px;border-radius:6px;background:#fdecea;color:#7f1d1d;margin:8px 0}
.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin-bottom:8px}
.filters input,.filters select{padding:4px 6px;border:1px solid var(--line);border-radius:4px;font:inherit}
nav.children a{margin-right:8px}
`;

/** The chart boot script: builds one uPlot per spec and records it on `window.shopfdsCharts`. */
const BOOT = `
(function(){
  var el=document.getElementById('shopfds-charts'); if(!el) return;
  var specs=JSON.parse(el.textContent); window.shopfdsCharts=[];
  function fmt(v,unit){return v==null?'-':(Math.round(v*100)/100)+(unit||'');}
  specs.forEach(function(c){
    var box=document.getElementById(c.id); if(!box) return;
    var hasRight=c.series.some(function(s){return s.axis==='right';});
    var series=[{}].concat(c.series.map(function(s){return {label:s.label,stroke:s.color,width:s.dashed?1:1.6,dash:s.dashed?[6,4]:undefined,scale:s.axis==='right'?'r':'y',spanGaps:!!c.spanGaps,points:{show:c.x.length<60},value:function(u,v){return fmt(v,s.axis==='right'?c.rightUnit:c.unit);}};}));
    var axes=[{},{scale:'y',label:c.unit||''}]; if(hasRight) axes.push({scale:'r',side:1,grid:{show:false},label:c.rightUnit||''});
    var width=Math.max(320,(box.clientWidth||900)-4);
    var u=new uPlot({title:c.title,width:width,height:240,series:series,axes:axes,scales:{x:{time:c.time!==false}}},[c.x].concat(c.series.map(function(s){return s.values;})),box);
    window.shopfdsCharts.push({id:c.id,title:c.title,points:c.x.length,series:c.series.length,plot:u});
  });
  window.shopfdsChartsReadyMs=performance.now();
  window.addEventListener('resize',function(){window.shopfdsCharts.forEach(function(c){var b=document.getElementById(c.id);c.plot.setSize({width:Math.max(320,b.clientWidth-4),height:240});});});
})();
(function(){
  var t=document.getElementById('case-table'); if(!t) return;
  var q=document.getElementById('case-filter'), s=document.getElementById('case-status');
  function apply(){var text=(q.value||'').toLowerCase(), st=s.value; var rows=t.tBodies[0].rows;
    for(var i=0;i<rows.length;i++){var r=rows[i]; var ok=(!st||r.getAttribute('data-s')===st)&&(!text||r.textContent.toLowerCase().indexOf(text)>=0); r.style.display=ok?'':'none';}}
  q.addEventListener('input',apply); s.addEventListener('change',apply);
})();
`;

/** No request may leave a page: everything it needs is inline (the dashboard's pages may call back home). */
export const CSP_META = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data: file:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'">`;

/** A whole HTML document: styles, uPlot and chart data inlined; no external resource. */
export function renderPage(options: PageOptions): string {
  const { js, css } = uplotAssets();
  const parts = [
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    CSP_META,
    `<title>${esc(options.title)}</title>`,
    `<style>${css}${PAGE_CSS}</style></head><body>`,
    options.body,
    `<script type="application/json" id="shopfds-charts">${scriptJson(options.charts)}</script>`,
    `<script>${js}</script>`,
    `<script>${BOOT}</script>`,
    options.script ? `<script>${options.script}</script>` : '',
    '</body></html>\n',
  ];
  return parts.join('');
}
