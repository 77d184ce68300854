import { RUN_KINDS, RUN_STATUSES, ENVIRONMENTS, type Case, type Run, type RunKind, type RunStatus, type Totals } from '../model/index.js';
import { casePath, formatDuration, formatNumber } from './format.js';
import { CSP_META, PAGE_CSS, esc, renderPage, type ChartSeries, type ChartSpec } from './html-page.js';

/*
 * The dashboard's pages (`shopfds-test serve`), rendered from what the store returns. Pure functions;
 * the server fetches and passes the data in.
 */

/** A run as the runs list shows it (the store's RunSummary fields the page reads). */
export interface DashboardRunRow {
  readonly id: string;
  readonly kind: RunKind;
  readonly name: string;
  readonly status: RunStatus;
  readonly environment: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly totals: Totals;
  readonly runGroup: string | null;
  readonly commitSha: string | null;
  readonly toolName: string;
}

/** A run still in progress, from the store's live-run records. */
export interface DashboardLiveRun {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly state: 'running' | 'abandoned';
  readonly startedAt: string;
  readonly heartbeatAt: string | null;
  readonly progress: string | null;
}

export interface RunListFilter {
  readonly kind?: string;
  readonly status?: string;
  readonly environment?: string;
  readonly since?: string;
  readonly group?: string;
  readonly limit: number;
}

const COLORS = ['#1f5fbf', '#c62828', '#1a7f37', '#b26a00', '#7b1fa2', '#00796b', '#6b7280', '#ad1457'];

/** The navigation bar on every dashboard page. */
export function dashboardHeader(storeLocation: string, active: string): string {
  const link = (href: string, label: string) => `<a href="${href}"${active === href ? ' aria-current="page" style="text-decoration:underline"' : ''}>${label}</a>`;
  return `<header class="top"><strong>shopfds-test</strong>${link('/', 'Runs')}${link('/trends', 'Trends')}${link('/flaky', 'Flaky &amp; failing')}${link('/compare', 'Compare')}<span class="muted" style="margin-left:auto;color:#aab">${esc(storeLocation)} · read-only</span></header>`;
}

function badge(status: string): string {
  return `<span class="badge ${esc(status)}">${esc(status.replace('_', ' '))}</span>`;
}

function options(values: readonly string[], selected: string | undefined, all: string): string {
  return `<option value="">${all}</option>${values.map((v) => `<option value="${esc(v)}"${v === selected ? ' selected' : ''}>${esc(v)}</option>`).join('')}`;
}

function passRate(t: Totals): number | null {
  const ran = t.total - t.skipped;
  return ran > 0 ? (t.passed / ran) * 100 : null;
}

/** Opening of the runs page, sent before the store is queried. */
export function renderRunListHead(storeLocation: string, filter: RunListFilter): string {
  const form = `<form class="filters" method="get" action="/"><select name="kind">${options(RUN_KINDS, filter.kind, 'all kinds')}</select><select name="status">${options(RUN_STATUSES, filter.status, 'all statuses')}</select><select name="environment">${options(ENVIRONMENTS, filter.environment, 'all environments')}</select><input name="since" type="date" value="${esc(filter.since?.slice(0, 10) ?? '')}" title="started on or after"><input name="group" placeholder="run group" value="${esc(filter.group ?? '')}"><input name="limit" type="number" min="1" max="1000" value="${filter.limit}" style="width:6em"><button type="submit">Filter</button></form>`;
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">${CSP_META}<title>Runs · shopfds-test</title><style>${PAGE_CSS}</style></head><body>${dashboardHeader(storeLocation, '/')}<main><section class="card"><h1>Runs</h1>${form}<div id="live"></div>`;
}

/** The runs table and the rest of the runs page. */
export function renderRunListRest(rows: readonly DashboardRunRow[], live: readonly DashboardLiveRun[] | null): string {
  // The live table is redrawn by the events stream (LIVE_SCRIPT) as runs start, beat, end or go stale.
  const liveTable = `<div id="live-table">${live && live.length
    ? `<h2>In progress</h2><table id="live-runs"><thead><tr><th>state</th><th>run</th><th>kind</th><th>started</th><th>last heartbeat</th><th>progress</th></tr></thead><tbody>${live
        .map((l) => `<tr data-id="${esc(l.id)}" data-state="${esc(l.state)}"><td>${badge(l.state)}</td><td>${esc(l.name)}</td><td>${esc(l.kind)}</td><td>${esc(l.startedAt)}</td><td>${esc(l.heartbeatAt ?? '-')}</td><td>${esc(l.progress ?? '')}</td></tr>`)
        .join('')}</tbody></table>`
    : ''}</div>`;
  const body = rows.length
    ? `<table id="runs"><thead><tr><th>status</th><th>run</th><th>kind</th><th>env</th><th>started</th><th class="num">time</th><th class="num">passed</th><th class="num">failed</th><th class="num">skipped</th><th class="num">flaky</th><th>compare</th></tr></thead><tbody>${rows
        .map(
          (r) =>
            `<tr class="s-${r.status}" data-id="${esc(r.id)}"><td>${badge(r.status)}</td><td><a href="/runs/${esc(r.id)}">${esc(r.name)}</a> <span class="muted">${esc(r.id.slice(0, 8))}${r.runGroup ? ` · group <a href="/groups/${encodeURIComponent(r.runGroup)}">${esc(r.runGroup)}</a>` : ''}</span></td><td>${esc(r.kind)}</td><td>${esc(r.environment)}</td><td>${esc(r.startedAt.replace('T', ' ').slice(0, 19))}</td><td class="num">${formatDuration(r.durationMs)}</td><td class="num">${r.totals.passed}</td><td class="num">${r.totals.failed}</td><td class="num">${r.totals.skipped}</td><td class="num">${r.totals.flaky}</td><td><input type="checkbox" name="run" value="${esc(r.id)}" form="compare-form" aria-label="compare ${esc(r.name)}"></td></tr>`,
        )
        .join('')}</tbody></table><form id="compare-form" method="get" action="/compare" class="filters" style="margin-top:8px"><button type="submit">Compare two selected runs</button></form>`
    : '<p class="muted" id="no-runs">No runs match.</p>';
  return `${liveTable}${body}</section></main><script>${LIVE_SCRIPT}</script></body></html>\n`;
}

/**
 * Subscribes to the server's events: redraws the runs in progress (running or abandoned) on every
 * change, and offers a reload when a run lands.
 */
const LIVE_SCRIPT = `
(function(){
  if(!window.EventSource) return;
  var box=document.getElementById('live'); var es=new EventSource('/events');
  function cell(tr,text,cls){var td=document.createElement('td'); if(cls){var s=document.createElement('span'); s.className='badge '+cls; s.textContent=text; td.appendChild(s);} else td.textContent=text; tr.appendChild(td);}
  es.addEventListener('live',function(e){
    var runs=JSON.parse(e.data); var holder=document.getElementById('live-table'); if(!holder) return;
    holder.textContent='';
    if(!runs.length) return;
    var h=document.createElement('h2'); h.textContent='In progress'; holder.appendChild(h);
    var t=document.createElement('table'); t.id='live-runs';
    var head=document.createElement('tr'); ['state','run','kind','started','last heartbeat','progress'].forEach(function(x){var th=document.createElement('th'); th.textContent=x; head.appendChild(th);});
    var thead=document.createElement('thead'); thead.appendChild(head); t.appendChild(thead);
    var tbody=document.createElement('tbody');
    runs.forEach(function(r){var tr=document.createElement('tr'); tr.setAttribute('data-id',r.id); tr.setAttribute('data-state',r.state); cell(tr,r.state,r.state); cell(tr,r.name); cell(tr,r.kind); cell(tr,r.startedAt); cell(tr,r.heartbeatAt||'-'); cell(tr,r.progress||''); tbody.appendChild(tr);});
    t.appendChild(tbody); holder.appendChild(t);
  });
  es.addEventListener('run',function(e){var r=JSON.parse(e.data); if(document.querySelector('#runs tr[data-id="'+r.id+'"]')||document.querySelector('#new-run[data-id="'+r.id+'"]')) return; var p=document.createElement('p'); p.className='banner'; p.id='new-run'; p.setAttribute('data-id',r.id); p.textContent='New run stored: '+r.name+' ('+r.status+'). '; var a=document.createElement('a'); a.href=location.href; a.textContent='Reload'; p.appendChild(a); box.appendChild(p);});
})();
`;

export interface TrendPoint {
  readonly startedAt: string;
  readonly name: string;
  readonly kind: RunKind;
  readonly totals: Totals;
  readonly durationMs: number;
}

export interface TrendsData {
  readonly kind: string | undefined;
  readonly runs: readonly TrendPoint[];
  /** p95 (ms) of performance runs, by scenario. */
  readonly p95: readonly { readonly startedAt: string; readonly scenario: string; readonly p95: number | null }[];
  /** Chaos recovery times (s), by experiment. */
  readonly recovery: readonly { readonly startedAt: string; readonly experiment: string; readonly seconds: number | null }[];
}

/** Several named series over one shared time axis (gaps where a series has no point). */
function multiSeries(input: readonly { t: string; key: string; v: number | null }[]): { x: number[]; series: ChartSeries[] } {
  // Two points of one series at the same instant (shards started together) both stay: the later is
  // moved on by a millisecond.
  const taken = new Set<string>();
  const points = [...input]
    .sort((a, b) => a.t.localeCompare(b.t))
    .map((p) => {
      let ms = Date.parse(p.t);
      while (taken.has(`${p.key}\u0000${ms}`)) ms++;
      taken.add(`${p.key}\u0000${ms}`);
      return { ms, key: p.key, v: p.v };
    });
  const times = [...new Set(points.map((p) => p.ms))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const keys = [...new Set(points.map((p) => p.key))].sort();
  const series = keys.map((key, k) => {
    const values: (number | null)[] = times.map(() => null);
    for (const p of points) if (p.key === key) values[index.get(p.ms)!] = p.v;
    return { label: key, values, color: COLORS[k % COLORS.length]! };
  });
  return { x: times.map((t) => t / 1000), series };
}

export function renderTrends(storeLocation: string, data: TrendsData): string {
  const charts: ChartSpec[] = [];
  const runs = [...data.runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const push = (spec: Omit<ChartSpec, 'id'>) => charts.push({ ...spec, spanGaps: true, id: `chart-${charts.length}` });
  if (runs.length) {
    const pr = multiSeries(runs.map((r) => ({ t: r.startedAt, key: r.kind, v: passRate(r.totals) })));
    push({ title: 'Pass rate by kind', x: pr.x, unit: '%', series: pr.series });
    const du = multiSeries(runs.map((r) => ({ t: r.startedAt, key: r.kind, v: r.durationMs / 1000 })));
    push({ title: 'Run duration by kind', x: du.x, unit: ' s', series: du.series });
  }
  if (data.p95.length) {
    const p = multiSeries(data.p95.map((r) => ({ t: r.startedAt, key: r.scenario, v: r.p95 })));
    push({ title: 'p95 response time by scenario', x: p.x, unit: ' ms', series: p.series });
  }
  if (data.recovery.length) {
    const r = multiSeries(data.recovery.map((x) => ({ t: x.startedAt, key: x.experiment, v: x.seconds })));
    push({ title: 'Chaos recovery time by experiment', x: r.x, unit: ' s', series: r.series });
  }
  const form = `<form class="filters" method="get" action="/trends"><select name="kind">${options(RUN_KINDS, data.kind, 'all kinds')}</select><button type="submit">Show</button></form>`;
  const divs = charts.map((c) => `<div class="chart"><div id="${c.id}"></div></div>`).join('');
  const body = `${dashboardHeader(storeLocation, '/trends')}<main><section class="card"><h1>Trends</h1>${form}<p class="muted">${runs.length} runs</p>${divs || '<p class="muted">No runs to chart yet.</p>'}</section></main>`;
  return renderPage({ title: 'Trends · shopfds-test', body, charts });
}

export interface FailingCaseRow {
  readonly name: string;
  readonly suitePath: readonly string[];
  readonly project: string | null;
  readonly failures: number;
  readonly lastFailedAt: string;
}

export interface FlakyData {
  readonly since: string;
  readonly failing: readonly FailingCaseRow[];
  /** Flaky cases and quarantine, when the store keeps them (null: this store has no such query). */
  readonly flaky: readonly { readonly name: string; readonly detail: string }[] | null;
  readonly quarantine: readonly { readonly name: string; readonly detail: string }[] | null;
}

export function renderFlaky(storeLocation: string, data: FlakyData): string {
  const failing = data.failing.length
    ? `<table id="failing"><thead><tr><th>case</th><th>project</th><th class="num">failures</th><th>last failed</th></tr></thead><tbody>${data.failing
        .map((f) => `<tr><td>${esc(casePath({ suitePath: [...f.suitePath], name: f.name }))}</td><td>${esc(f.project ?? '')}</td><td class="num">${f.failures}</td><td>${esc(f.lastFailedAt)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted">No failures in this period.</p>';
  const list = (title: string, rows: FlakyData['flaky'], id: string) =>
    rows === null
      ? `<h2>${title}</h2><p class="muted">This store does not track ${title.toLowerCase()} yet.</p>`
      : `<h2>${title}</h2>${rows.length ? `<table id="${id}"><tbody>${rows.map((r) => `<tr><td>${esc(r.name)}</td><td>${esc(r.detail)}</td></tr>`).join('')}</tbody></table>` : '<p class="muted">None.</p>'}`;
  const body = `${dashboardHeader(storeLocation, '/flaky')}<main><section class="card"><h1>Failing cases since ${esc(data.since.slice(0, 10))}</h1>${failing}</section><section class="card">${list('Flaky tests', data.flaky, 'flaky')}${list('Quarantine', data.quarantine, 'quarantine')}</section></main>`;
  return renderPage({ title: 'Flaky and failing · shopfds-test', body, charts: [] });
}

function caseIdentity(c: Case): string {
  return `${casePath(c)}\u0000${c.project ?? ''}`;
}

const FAILING = new Set(['failed', 'timed_out', 'interrupted']);

/** Two runs side by side: totals, timings, the cases whose outcome changed, and perf figures. */
export function renderCompare(storeLocation: string, a: Run | null, b: Run | null, recent: readonly DashboardRunRow[]): string {
  const picker = `<form class="filters" method="get" action="/compare"><select name="a">${recent.map((r) => `<option value="${esc(r.id)}"${a?.id === r.id ? ' selected' : ''}>${esc(r.startedAt.slice(0, 16))} ${esc(r.kind)} ${esc(r.name)} (${esc(r.status)})</option>`).join('')}</select><select name="b">${recent.map((r) => `<option value="${esc(r.id)}"${b?.id === r.id ? ' selected' : ''}>${esc(r.startedAt.slice(0, 16))} ${esc(r.kind)} ${esc(r.name)} (${esc(r.status)})</option>`).join('')}</select><button type="submit">Compare</button></form>`;
  let content = '<p class="muted">Pick two runs.</p>';
  if (a && b) {
    const row = (label: string, va: string, vb: string) => `<tr><th>${label}</th><td>${va}</td><td>${vb}</td></tr>`;
    const head = `<table id="compare-summary"><thead><tr><th></th><th><a href="/runs/${esc(a.id)}">A: ${esc(a.name)}</a></th><th><a href="/runs/${esc(b.id)}">B: ${esc(b.name)}</a></th></tr></thead><tbody>${[
      row('status', badge(a.status), badge(b.status)),
      row('started', esc(a.startedAt), esc(b.startedAt)),
      row('duration', formatDuration(a.durationMs), formatDuration(b.durationMs)),
      row('cases', String(a.totals.total), String(b.totals.total)),
      row('passed', String(a.totals.passed), String(b.totals.passed)),
      row('failed', String(a.totals.failed), String(b.totals.failed)),
      row('flaky', String(a.totals.flaky), String(b.totals.flaky)),
      row('pass rate', fmtPct(passRate(a.totals)), fmtPct(passRate(b.totals))),
      ...(a.perf && b.perf
        ? [
            row('p95', `${a.perf.test.p95_response_time ?? '-'} ms`, `${b.perf.test.p95_response_time ?? '-'} ms`),
            row('p99', `${a.perf.test.p99_response_time ?? '-'} ms`, `${b.perf.test.p99_response_time ?? '-'} ms`),
            row('error rate', fmtPct(a.perf.test.error_rate), fmtPct(b.perf.test.error_rate)),
            row('throughput', `${a.perf.test.actual_tps ?? '-'} req/s`, `${b.perf.test.actual_tps ?? '-'} req/s`),
          ]
        : []),
    ].join('')}</tbody></table>`;
    const inA = new Map(a.cases.map((c) => [caseIdentity(c), c]));
    const inB = new Map(b.cases.map((c) => [caseIdentity(c), c]));
    const changes: string[] = [];
    for (const [key, cb] of inB) {
      const ca = inA.get(key);
      const kind = !ca ? 'new' : ca.status === cb.status ? null : FAILING.has(cb.status) && !FAILING.has(ca.status) ? 'newly failing' : FAILING.has(ca.status) && !FAILING.has(cb.status) ? 'fixed' : 'changed';
      if (kind) changes.push(`<tr class="s-${cb.status}"><td>${esc(kind)}</td><td>${esc(casePath(cb))}</td><td>${ca ? badge(ca.status) : '-'}</td><td>${badge(cb.status)}</td></tr>`);
    }
    for (const [key, ca] of inA) if (!inB.has(key)) changes.push(`<tr><td>removed</td><td>${esc(casePath(ca))}</td><td>${badge(ca.status)}</td><td>-</td></tr>`);
    // Newly failing first.
    changes.sort((x, y) => Number(!x.includes('<td>newly failing')) - Number(!y.includes('<td>newly failing')));
    const diff = changes.length
      ? `<h2>Cases that changed (${changes.length})</h2><table id="compare-cases"><thead><tr><th>change</th><th>case</th><th>A</th><th>B</th></tr></thead><tbody>${changes.join('')}</tbody></table>`
      : '<h2>Cases that changed</h2><p class="muted">No case changed its outcome.</p>';
    content = `${head}${diff}`;
  }
  const body = `${dashboardHeader(storeLocation, '/compare')}<main><section class="card"><h1>Compare two runs</h1>${picker}${content}</section></main>`;
  return renderPage({ title: 'Compare · shopfds-test', body, charts: [] });
}

function fmtPct(v: number | null): string {
  return v === null ? '-' : `${formatNumber(v, 1)}%`;
}

/** A short page for errors (unknown run, bad request). */
export function renderMessage(storeLocation: string, title: string, text: string): string {
  return renderPage({ title: `${title} · shopfds-test`, body: `${dashboardHeader(storeLocation, '')}<main><section class="card"><h1>${esc(title)}</h1><p>${esc(text)}</p></section></main>`, charts: [] });
}
