import type { Artifact, Case, Run, RunStatus, Totals } from '../model/index.js';
import { formatDuration, formatNumber, problemCases, statusLabel, stripAnsi, toolLabel } from './format.js';
import { downsample, esc, renderPage, type ChartSeries, type ChartSpec } from './html-page.js';
import type { Renderer, RenderOptions } from './types.js';
import { planGateRows, planItemRows, planTierRows } from './plan.js';

/*
 * The HTML report: one self-contained page per run (or run group). Text is rendered here; charts are
 * specs that the inlined uPlot draws in the browser. A pure function of the run plus the caller's
 * artifact links, so a stored run re-renders to the same page.
 */

/** How the page refers to a stored artifact path. */
export interface HtmlArtifactLinks {
  /** Link target for an artifact path (relative to the report file, or a dashboard URL); null: not reachable. */
  href(path: string): string | null;
  /** A `data:` URL to inline an image, or null to link it. */
  inline?(path: string, contentType: string | null): string | null;
}

export interface HtmlRenderOptions extends RenderOptions {
  readonly artifacts?: HtmlArtifactLinks;
  /** HTML placed above the report (the dashboard's navigation). */
  readonly header?: string;
  /** Inline script appended to the page (the dashboard's live updates). */
  readonly script?: string;
}

/** Most points one chart series keeps; more are bucketed keeping each bucket's peak. */
export const MAX_CHART_POINTS = 1500;

/** Above this many cases the full case table lists only failing, flaky and the first passing ones. */
const CASE_TABLE_LIMIT = 20_000;

const COLORS = { blue: '#1f5fbf', green: '#1a7f37', red: '#c62828', orange: '#b26a00', purple: '#7b1fa2', grey: '#6b7280', teal: '#00796b' };

interface Ctx {
  readonly charts: ChartSpec[];
  readonly links: HtmlArtifactLinks | undefined;
  readonly prefix: string;
}

const epochSec = (iso: string): number => Date.parse(iso) / 1000;

/** Suites and name as Playwright shows them, escaped; `&rsaquo;` keeps the page's text one byte per character. */
function pathHtml(c: Pick<Case, 'suitePath' | 'name'>): string {
  let out = '';
  for (const part of c.suitePath) out += `${esc(part)} &rsaquo; `;
  return out + esc(c.name);
}

const badges = new Map<string, string>();

function badge(status: string): string {
  let html = badges.get(status);
  if (html === undefined) {
    html = `<span class="badge ${esc(status)}">${esc(status.replace('_', ' '))}</span>`;
    if (badges.size < 64) badges.set(status, html);
  }
  return html;
}

function artifactHref(ctx: Ctx, path: string): string | null {
  if (/^(https?:|data:)/i.test(path)) return path;
  return ctx.links ? ctx.links.href(path) : null;
}

function renderArtifactLink(ctx: Ctx, a: Pick<Artifact, 'name' | 'kind' | 'path' | 'contentType'>): string {
  const href = artifactHref(ctx, a.path);
  const label = `${esc(a.kind)}: ${esc(a.name)}`;
  const trace = a.kind === 'trace' ? ` <span class="muted">(open with <code>npx playwright show-trace ${esc(a.path)}</code>)</span>` : '';
  return href ? `<a href="${esc(href)}">${label}</a>${trace}` : `${label} <span class="muted">${esc(a.path)}</span>${trace}`;
}

function renderImage(ctx: Ctx, path: string, caption: string, contentType: string | null = 'image/png'): string {
  const inline = /^data:/i.test(path) ? path : ctx.links?.inline?.(path, contentType) ?? null;
  const href = artifactHref(ctx, path);
  const src = inline ?? href;
  if (!src) return `<figure><figcaption>${esc(caption)}: <span class="muted">${esc(path)}</span></figcaption></figure>`;
  const img = `<img loading="lazy" alt="${esc(caption)}" src="${esc(src)}">`;
  return `<figure>${href ? `<a href="${esc(href)}">${img}</a>` : img}<figcaption>${esc(caption)}</figcaption></figure>`;
}

function isImage(a: Artifact): boolean {
  return a.kind === 'screenshot' || (a.contentType ?? '').startsWith('image/');
}

function renderTotals(t: Totals): string {
  const cell = (cls: string, label: string, n: number) => `<div class="${cls}"><b>${n}</b>${label}</div>`;
  return `<div class="totals">${cell('total', 'total', t.total)}${cell('passed', 'passed', t.passed)}${cell('failed', 'failed', t.failed)}${cell('skipped', 'skipped', t.skipped)}${cell('flaky', 'flaky', t.flaky)}${t.timedOut ? cell('failed', 'timed out', t.timedOut) : ''}${t.interrupted ? cell('failed', 'interrupted', t.interrupted) : ''}</div>`;
}

function facts(rows: readonly (readonly [string, string | null | undefined])[]): string {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '');
  return `<dl class="facts">${shown.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function renderSummary(run: Run, ctx: Ctx, level: 'h1' | 'h2'): string {
  const ci = run.ci;
  const rows: [string, string | null][] = [
    ['run id', `<code>${esc(run.id)}</code>`],
    ['kind', esc(run.kind)],
    ['tool', esc(toolLabel(run))],
    ['command', run.tool.commandLine ? `<code>${esc(run.tool.commandLine)}</code>` : null],
    ['started', esc(run.startedAt)],
    ['completed', esc(run.completedAt)],
    ['duration', esc(formatDuration(run.durationMs))],
    ['environment', esc(run.environment)],
    ['trigger', esc(run.trigger)],
    ['executed by', esc(run.executedBy)],
    ['run group', run.runGroup ? esc(run.runGroup) : null],
    ['shard', run.shard ? `${run.shard.current} of ${run.shard.total}` : null],
  ];
  if (ci) {
    rows.push(['CI', esc(ci.provider)]);
    rows.push(['build', ci.buildId ? (ci.jobUrl ? `<a href="${esc(ci.jobUrl)}">${esc(ci.buildId)}</a>` : esc(ci.buildId)) : null]);
    rows.push(['commit', ci.commitSha ? `<code>${esc(ci.commitSha)}</code>` : null]);
    rows.push(['branch', ci.branch ? esc(ci.branch) : null]);
  }
  for (const [k, v] of Object.entries(run.metadata)) rows.push([k, esc(v)]);
  const error = run.errorMessage ? `<div class="banner"><b>${run.status === 'interrupted' ? 'Interrupted' : 'Error'}:</b> ${esc(stripAnsi(run.errorMessage))}</div>` : '';
  const arts = run.artifacts.length ? `<h3>Artifacts</h3><ul>${run.artifacts.map((a) => `<li>${renderArtifactLink(ctx, a)}</li>`).join('')}</ul>` : '';
  return `<section class="card summary" id="${ctx.prefix}summary"><${level}>${badge(run.status)} ${esc(run.name)}</${level}>${renderTotals(run.totals)}${error}${facts(rows)}${arts}</section>`;
}

function renderCaseAttachments(ctx: Ctx, c: Case): string {
  if (!c.artifacts.length) return '';
  const images = c.artifacts.filter(isImage);
  const others = c.artifacts.filter((a) => !isImage(a));
  const shots = images.length ? `<div class="shots">${images.map((a) => renderImage(ctx, a.path, `${a.name}${a.attempt !== null ? ` (attempt ${a.attempt + 1})` : ''}`, a.contentType)).join('')}</div>` : '';
  const list = others.length ? `<ul>${others.map((a) => `<li>${renderArtifactLink(ctx, a)}</li>`).join('')}</ul>` : '';
  return `<h3>Attachments</h3>${shots}${list}`;
}

const testRunIndex = new WeakMap<Run, Map<number, NonNullable<Run['e2e']>['test_runs'][number]>>();

/** The scenario execution of a case, if any (indexed once per run). */
function testRunOf(run: Run, ordinal: number): NonNullable<Run['e2e']>['test_runs'][number] | undefined {
  if (!run.e2e) return undefined;
  let index = testRunIndex.get(run);
  if (!index) testRunIndex.set(run, (index = new Map(run.e2e.test_runs.map((t) => [t.case_ordinal, t]))));
  return index.get(ordinal);
}

function renderSteps(run: Run, ctx: Ctx, c: Case): string {
  const testRun = testRunOf(run, c.ordinal);
  if (!testRun || !testRun.steps.length) return '';
  const shotByStep = new Map(testRun.screenshots.map((s) => [s.step, s.url]));
  const rows = testRun.steps.map((s) => {
    const shot = s.screenshot_url ?? shotByStep.get(String(s.step_number)) ?? shotByStep.get(s.step_name) ?? null;
    return `<tr class="s-${esc(s.status)}"><td class="num">${s.step_number}</td><td>${esc(s.step_name)}</td><td>${badge(s.status)}</td><td class="num">${esc(formatDuration(s.duration_ms))}</td><td>${s.error_message ? `<span class="msg">${esc(stripAnsi(s.error_message))}</span>` : ''}${shot ? `<div class="shots">${renderImage(ctx, shot, `step ${s.step_number}`)}</div>` : ''}</td></tr>`;
  });
  const video = testRun.video_url ? `<p>${renderArtifactLink(ctx, { name: 'video', kind: 'video', path: testRun.video_url, contentType: null })}</p>` : '';
  return `<h3>Steps${testRun.scenario_name ? ` of scenario ${esc(testRun.scenario_name)}` : ''}</h3><table class="steps"><thead><tr><th class="num">#</th><th>step</th><th>status</th><th class="num">time</th><th>error / screenshot</th></tr></thead><tbody>${rows.join('')}</tbody></table>${video}`;
}

function renderFailures(run: Run, ctx: Ctx): string {
  const problems = problemCases(run);
  if (!problems.length) return '';
  const items = problems.map((c) => {
    const flaky = c.status === 'flaky';
    const lastFailure = flaky ? c.attempts.find((a) => a.status !== 'passed') : null;
    const message = c.errorMessage ?? lastFailure?.errorMessage ?? null;
    const stack = c.errorStack ?? lastFailure?.errorStack ?? null;
    const where = c.file ? `<span class="muted">${esc(c.file)}${c.line !== null ? `:${c.line}` : ''}${c.project ? ` · ${esc(c.project)}` : ''}</span>` : c.project ? `<span class="muted">${esc(c.project)}</span>` : '';
    const attempts = c.attempts.length > 1 ? `<p class="muted">${c.attempts.length} attempts: ${c.attempts.map((a) => esc(statusLabel(a.status as Case['status']))).join(', ')}</p>` : '';
    const showStack = stack && stripAnsi(stack).trim() !== stripAnsi(message ?? '').trim();
    const props = Object.entries(c.properties).filter(([k]) => k !== 'observed_value');
    return `<div class="failure ${flaky ? 'flaky' : ''}" data-case="${c.ordinal}"><h3>${badge(c.status)} ${pathHtml(c)}</h3>${where}${message ? `<div class="msg">${esc(stripAnsi(message))}</div>` : ''}${showStack ? `<pre>${esc(stripAnsi(stack!))}</pre>` : ''}${attempts}${props.length ? facts(props.map(([k, v]) => [k, esc(v)])) : ''}${renderCaseAttachments(ctx, c)}${renderSteps(run, ctx, c)}</div>`;
  });
  return `<section class="card failures" id="${ctx.prefix}failures"><h2>Failures (${problems.length})</h2>${items.join('')}</section>`;
}

function renderScenarioSteps(run: Run, ctx: Ctx): string {
  // Passing scenarios: their steps (failing ones are shown with their failure above).
  const failing = new Set(problemCases(run).map((c) => c.ordinal));
  const passing = (run.e2e?.test_runs ?? []).filter((t) => t.steps.length && !failing.has(t.case_ordinal));
  if (!passing.length) return '';
  const blocks = passing.map((t) => {
    const c = run.cases[t.case_ordinal];
    return `<div>${c ? `<h3>${badge(c.status)} ${pathHtml(c)}</h3>` : ''}${c ? renderSteps(run, ctx, c) : ''}</div>`;
  });
  return `<section class="card scenarios" id="${ctx.prefix}scenarios"><h2>Scenario steps</h2>${blocks.join('')}</section>`;
}

function renderCaseTable(run: Run, ctx: Ctx): string {
  if (!run.cases.length) return '';
  let cases = run.cases;
  let note = '';
  if (cases.length > CASE_TABLE_LIMIT) {
    const problems = new Set(problemCases(run).map((c) => c.ordinal));
    cases = cases.filter((c, i) => problems.has(c.ordinal) || i < CASE_TABLE_LIMIT);
    note = `<p class="muted">Showing ${cases.length} of ${run.cases.length} cases (every failing and flaky case).</p>`;
  }
  // One string grown by concatenation: V8 builds it as a rope, over twice as fast as push and join
  // for 10,000 rows.
  let rows = '';
  for (const c of cases) {
    const retries = c.attempts.length > 1 ? String(c.attempts.length - 1) : '';
    rows += `<tr class="s-${c.status}" data-s="${c.status}"><td>${badge(c.status)}</td><td>${pathHtml(c)}</td><td>${c.project === null ? '' : esc(c.project)}</td><td class="num">${formatDuration(c.durationMs)}</td><td class="num">${retries}</td></tr>`;
  }
  const statuses = [...new Set(run.cases.map((c) => c.status))].sort();
  const filters = ctx.prefix ? '' : `<div class="filters"><input id="case-filter" type="search" placeholder="filter cases"><select id="case-status"><option value="">all statuses</option>${statuses.map((s) => `<option value="${s}">${esc(statusLabel(s))}</option>`).join('')}</select></div>`;
  return `<section class="card cases" id="${ctx.prefix}cases"><h2>All cases (${run.cases.length})</h2>${note}${filters}<table${ctx.prefix ? '' : ' id="case-table"'}><thead><tr><th>status</th><th>case</th><th>project</th><th class="num">time</th><th class="num">retries</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function renderApi(run: Run, ctx: Ctx): string {
  const suites = run.api?.suites ?? [];
  if (!suites.length) return '';
  const byPath = new Map<string, Case[]>();
  for (const c of run.cases) {
    const key = c.suitePath.join('\u0000');
    let list = byPath.get(key);
    if (!list) byPath.set(key, (list = []));
    list.push(c);
  }
  const blocks = suites.map((s) => {
    const rows = s.results.map((r) => {
      const c = r.case_ordinal === null ? undefined : run.cases[r.case_ordinal];
      const siblings = c ? (byPath.get(c.suitePath.join('\u0000')) ?? []).filter((x) => x.name !== 'request') : [];
      const passed = siblings.filter((x) => x.status === 'passed' || x.status === 'flaky').length;
      const failedNames = siblings.filter((x) => x.status === 'failed' || x.status === 'timed_out').map((x) => x.name);
      const name = c ? c.suitePath.slice(1).join(' › ') : '';
      return `<tr class="s-${esc(r.test_status)}"><td>${badge(r.test_status)}</td><td><code>${esc(r.http_method)}</code></td><td>${esc(r.endpoint)}${name ? `<div class="muted">${esc(name)}</div>` : ''}</td><td class="num">${r.status_code ?? '-'}</td><td class="num">${r.response_time_ms === null ? '-' : `${r.response_time_ms} ms`}</td><td>${siblings.length ? `${passed}/${siblings.length}` : '-'}${failedNames.length ? `<div class="msg">${failedNames.map(esc).join('<br>')}</div>` : ''}${r.error_message ? `<div class="msg">${esc(stripAnsi(r.error_message))}</div>` : ''}</td></tr>`;
    });
    const head = facts([
      ['collection', esc(s.postman_collection_path)],
      ['service', esc(s.service_name)],
      ['tests', `${s.passed_tests} passed, ${s.failed_tests} failed, ${s.skipped_tests} skipped of ${s.total_tests}`],
      ['duration', s.duration_ms === null ? null : esc(formatDuration(s.duration_ms))],
    ]);
    return `<h3>${badge(s.status)} ${esc(s.name)}</h3>${head}<table class="requests"><thead><tr><th>result</th><th>method</th><th>endpoint</th><th class="num">status</th><th class="num">time</th><th>assertions</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  });
  // Response times of the requests, in run order.
  const from = ctx.charts.length;
  const times = suites.flatMap((s) => s.results.map((r) => r.response_time_ms));
  if (times.some((t) => t !== null)) {
    const x = times.map((_, i) => i + 1);
    pushChart(ctx, { title: 'Response time per request', x, unit: ' ms', time: false, series: [{ label: 'response time', values: times, color: COLORS.blue }] });
  }
  return `<section class="card api" id="${ctx.prefix}requests"><h2>Requests</h2>${chartDivs(ctx, from)}${blocks.join('')}</section>`;
}

function pushChart(ctx: Ctx, spec: Omit<ChartSpec, 'id'> & { readonly group?: string }): void {
  const { x, series } = downsample(spec.x, spec.series.map((s) => s.values), MAX_CHART_POINTS);
  const note = spec.x.length > x.length ? `downsampled to ${x.length} of ${spec.x.length} points (peak of each bucket)` : spec.note;
  ctx.charts.push({
    ...spec,
    id: `${ctx.prefix}chart-${ctx.charts.length}`,
    x,
    series: spec.series.map((s, i) => ({ ...s, values: series[i]! })),
    note,
  });
}

/** Chart containers for the charts pushed since index `from`. */
function chartDivs(ctx: Ctx, from: number): string {
  return ctx.charts
    .slice(from)
    .map((c) => `<div class="chart"><div id="${c.id}" data-title="${esc(c.title)}"></div>${c.note ? `<div class="note">${esc(c.note)}</div>` : ''}</div>`)
    .join('');
}

function thresholdValue(run: Run, metric: string, aggregation: RegExp): number | null {
  for (const c of run.cases) {
    if (c.suitePath[0] !== 'thresholds') continue;
    const m = c.properties.metric ?? c.suitePath[1];
    if (m !== metric) continue;
    const expr = c.properties.expression ?? c.name;
    const match = aggregation.exec(expr);
    if (match) return Number(match[1]);
  }
  return null;
}

function renderPerf(run: Run, ctx: Ctx): string {
  const test = run.perf?.test;
  const from = ctx.charts.length;
  const rows = test?.metrics ?? [];
  if (rows.length) {
    const x = rows.map((r) => epochSec(r.measured_at));
    pushChart(ctx, {
      title: 'Virtual users and requests per second',
      x,
      unit: ' VUs',
      rightUnit: ' req/s',
      series: [
        { label: 'VUs', values: rows.map((r) => r.virtual_users), color: COLORS.purple },
        { label: 'requests/s', values: rows.map((r) => r.requests_per_sec), color: COLORS.blue, axis: 'right' },
      ],
    });
    const p99 = new Map(run.metrics.filter((m) => m.name === 'http_req_duration_p99_ms').map((m) => [m.time, m.value]));
    const p95Limit = thresholdValue(run, 'http_req_duration', /p\(95\)\s*<=?\s*([\d.]+)/);
    const p99Limit = thresholdValue(run, 'http_req_duration', /p\(99\)\s*<=?\s*([\d.]+)/);
    const latency: ChartSeries[] = [{ label: 'p95', values: rows.map((r) => r.response_time_p95), color: COLORS.orange }];
    if (p99.size) latency.push({ label: 'p99', values: rows.map((r) => p99.get(r.measured_at) ?? null), color: COLORS.red });
    if (p95Limit !== null) latency.push({ label: `p95 threshold ${p95Limit} ms`, values: rows.map(() => p95Limit), color: COLORS.orange, dashed: true });
    if (p99Limit !== null) latency.push({ label: `p99 threshold ${p99Limit} ms`, values: rows.map(() => p99Limit), color: COLORS.red, dashed: true });
    pushChart(ctx, { title: 'Response time', x, unit: ' ms', series: latency });
    const errLimit = thresholdValue(run, 'http_req_failed', /rate\s*<=?\s*([\d.]+)/);
    const errors: ChartSeries[] = [{ label: 'error rate', values: rows.map((r) => r.error_rate), color: COLORS.red }];
    if (errLimit !== null) errors.push({ label: `threshold ${formatNumber(errLimit * 100, 2)}%`, values: rows.map(() => errLimit * 100), color: COLORS.red, dashed: true });
    pushChart(ctx, { title: 'Error rate', x, unit: '%', series: errors });
  } else {
    renderGenericMetrics(run, ctx);
  }
  const figures = test
    ? facts([
        ['test type', esc(test.test_type)],
        ['scenario', esc(test.scenario_name)],
        ['script', `<code>${esc(test.k6_script_path)}</code>`],
        ['virtual users', String(test.virtual_users)],
        ['duration', `${test.duration_sec} s`],
        ['throughput', `${test.actual_tps === null ? '-' : formatNumber(test.actual_tps, 2)} req/s (target ${test.target_tps})`],
        ['requests', `${test.total_requests ?? '-'} (${test.failed_requests ?? '-'} failed, error rate ${test.error_rate === null ? '-' : `${formatNumber(test.error_rate, 2)}%`})`],
        ['response time', `avg ${test.avg_response_time ?? '-'} ms · p95 ${test.p95_response_time ?? '-'} ms · p99 ${test.p99_response_time ?? '-'} ms · max ${test.max_response_time ?? '-'} ms`],
      ])
    : '';
  const thresholds = run.cases.filter((c) => c.suitePath[0] === 'thresholds');
  const tTable = thresholds.length
    ? `<h3>Thresholds</h3><table class="thresholds"><thead><tr><th>result</th><th>metric</th><th>threshold</th><th>observed</th></tr></thead><tbody>${thresholds
        .map((c) => `<tr class="s-${c.status}"><td>${badge(c.status)}</td><td>${esc(c.properties.metric ?? c.suitePath[1] ?? '')}</td><td><code>${esc(c.properties.expression ?? c.name)}</code></td><td>${esc(c.properties.observed ?? '-')}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const charts = chartDivs(ctx, from);
  if (!figures && !charts && !tTable) return '';
  return `<section class="card perf" id="${ctx.prefix}performance"><h2>Performance</h2>${figures}${charts || '<p class="muted">No time series was recorded for this run.</p>'}${tTable}</section>`;
}

/** One chart per metric name for samples no kind-specific view covers. */
function renderGenericMetrics(run: Run, ctx: Ctx): void {
  const byName = new Map<string, { x: number[]; v: number[] }>();
  for (const m of run.metrics) {
    let s = byName.get(m.name);
    if (!s) byName.set(m.name, (s = { x: [], v: [] }));
    s.x.push(epochSec(m.time));
    s.v.push(m.value);
  }
  const palette = Object.values(COLORS);
  let i = 0;
  for (const [name, s] of byName) {
    const order = s.x.map((_, k) => k).sort((a, b) => s.x[a]! - s.x[b]!);
    pushChart(ctx, { title: name, x: order.map((k) => s.x[k]!), series: [{ label: name, values: order.map((k) => s.v[k]!), color: palette[i++ % palette.length]! }] });
  }
}

const OBSERVATION_LABELS: Record<string, string> = {
  steady_state_before: 'steady state before',
  during: 'during injection',
  steady_state_after: 'steady state after',
  verdict: 'verdict',
  probe: 'probe',
  recovery: 'recovery',
  fail_step: 'failed step',
};

function renderChaos(run: Run, ctx: Ctx): string {
  const e = run.chaos?.experiment;
  if (!e) return '';
  const from = ctx.charts.length;
  const head = facts([
    ['experiment', `${esc(e.name)} (${esc(e.experiment_type)})`],
    ['target', `${esc(e.kubernetes_namespace)}/${esc(e.target_service)}${e.target_pod ? ` pod ${esc(e.target_pod)}` : ''}`],
    ['hypothesis', esc(e.hypothesis)],
    ['chaos engine', esc(e.chaos_engine_name)],
    ['status', `${badge(e.status)}${e.result ? ` result ${badge(e.result)}` : ''}`],
    ['recovery', `${e.recovery_time_sec === null ? 'not measured' : `${e.recovery_time_sec} s`} (target ${e.recovery_target_sec} s)`],
    ['duration', `${e.duration_sec} s`],
    ['approval', e.approval_required ? `required; approved by ${esc(e.approved_by ?? 'nobody')}` : 'not required'],
    ['created by', esc(e.created_by)],
  ]);
  const obs = [...e.observations].sort((a, b) => a.observed_at.localeCompare(b.observed_at));
  const timeline = obs.length
    ? `<h3>Observation timeline</h3><ol class="timeline">${obs
        .map((o) => `<li class="t-${esc(o.observation_type)}"><span class="muted">${esc(o.observed_at)}</span> <b>${esc(OBSERVATION_LABELS[o.observation_type] ?? o.observation_type)}</b>: ${esc(o.metric_name)} = <code>${esc(o.metric_value)}</code>${o.notes ? ` <span class="muted">${esc(o.notes)}</span>` : ''}</li>`)
        .join('')}</ol>`
    : '<p class="muted">No observations were recorded.</p>';
  // Numeric observations over time (latency, ready pods, success rate), one chart per metric.
  const numeric = new Map<string, { x: number[]; v: number[] }>();
  for (const o of obs) {
    const v = Number(o.metric_value);
    if (o.metric_value.trim() === '' || !Number.isFinite(v)) continue;
    let s = numeric.get(o.metric_name);
    if (!s) numeric.set(o.metric_name, (s = { x: [], v: [] }));
    s.x.push(epochSec(o.observed_at));
    s.v.push(v);
  }
  for (const [name, s] of numeric) if (s.x.length > 1) pushChart(ctx, { title: name, x: s.x, series: [{ label: name, values: s.v, color: COLORS.teal }] });
  if (!numeric.size || [...numeric.values()].every((s) => s.x.length < 2)) renderGenericMetrics(run, ctx);
  const audit = e.audit.length
    ? `<h3>Audit trail</h3><table class="audit"><thead><tr><th>time</th><th>actor</th><th>action</th><th>detail</th></tr></thead><tbody>${e.audit
        .map((a) => `<tr><td>${esc(a.at)}</td><td>${esc(a.actor)}</td><td>${esc(a.action)}</td><td>${esc(a.detail ?? '')}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<section class="card chaos" id="${ctx.prefix}chaos"><h2>Chaos experiment</h2>${head}${chartDivs(ctx, from)}${timeline}${audit}</section>`;
}

function renderCanary(run: Run, ctx: Ctx): string {
  const d = run.canary?.deployment;
  if (!d) return '';
  const from = ctx.charts.length;
  const head = facts([
    ['service', `${esc(d.kubernetes_namespace)}/${esc(d.service_name)} (canary ${esc(d.flagger_canary_name)})`],
    ['versions', `${esc(d.old_version)} &rarr; ${esc(d.new_version)}`],
    ['status', badge(d.status)],
    ['final weight', `${d.traffic_weight}%`],
    ['thresholds', `error rate &le; ${d.threshold_max_error_rate}% · p95 &le; ${d.threshold_max_response_time} ms · every ${d.analysis_interval_sec} s`],
  ]);
  const rollback = d.rollback_reason ? `<div class="banner"><b>Rolled back:</b> ${esc(d.rollback_reason)}</div>` : '';
  const m = d.metrics;
  if (m.length) {
    const x = m.map((r) => epochSec(r.measured_at));
    pushChart(ctx, { title: 'Traffic weight', x, unit: '%', series: [{ label: 'canary weight', values: m.map((r) => r.traffic_weight), color: COLORS.blue }] });
    pushChart(ctx, {
      title: 'Error rate',
      x,
      unit: '%',
      series: [
        { label: 'error rate', values: m.map((r) => r.error_rate), color: COLORS.red },
        { label: `max ${d.threshold_max_error_rate}%`, values: m.map(() => d.threshold_max_error_rate), color: COLORS.red, dashed: true },
      ],
    });
    pushChart(ctx, {
      title: 'Response time p95',
      x,
      unit: ' ms',
      series: [
        { label: 'p95', values: m.map((r) => r.response_time_p95), color: COLORS.orange },
        { label: `max ${d.threshold_max_response_time} ms`, values: m.map(() => d.threshold_max_response_time), color: COLORS.orange, dashed: true },
      ],
    });
  } else {
    renderGenericMetrics(run, ctx);
  }
  const phases = m.length
    ? `<h3>Analysis</h3><table><thead><tr><th>time</th><th>phase</th><th class="num">weight</th><th class="num">error rate</th><th class="num">p95</th><th class="num">failed checks</th></tr></thead><tbody>${m
        .map((r) => `<tr><td>${esc(r.measured_at)}</td><td>${esc(r.phase ?? '')}</td><td class="num">${r.traffic_weight}%</td><td class="num">${r.error_rate === null ? '-' : `${formatNumber(r.error_rate, 2)}%`}</td><td class="num">${r.response_time_p95 ?? '-'}</td><td class="num">${r.failed_checks ?? '-'}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<section class="card canary" id="${ctx.prefix}canary"><h2>Canary</h2>${rollback}${head}${chartDivs(ctx, from)}${phases}</section>`;
}

function renderPlan(run: Run): string {
  const cls = (ok: boolean | null) => (ok === null ? 'skipped' : ok ? 'passed' : 'failed');
  const items = planItemRows(run);
  const tiers = planTierRows(run);
  const gates = planGateRows(run);
  const itemTable = `<table><thead><tr><th>item</th><th>result</th><th>notes</th></tr></thead><tbody>${items
    .map((r) => `<tr><td>${esc(r.item)}</td><td class="${cls(r.ok)}">${esc(r.result)}</td><td>${esc(r.notes)}${r.runIds.length ? ` <code>${esc(r.runIds[r.runIds.length - 1]!.slice(0, 8))}</code>` : ''}</td></tr>`)
    .join('')}</tbody></table>`;
  const tierTable = tiers.length
    ? `<h3>Tiers</h3><table><thead><tr><th>tier</th><th>result</th><th class="num">time</th><th class="num">target</th><th>notes</th></tr></thead><tbody>${tiers
        .map((t) => `<tr><td>${esc(t.tier)}</td><td class="${cls(t.ok)}">${esc(t.result)}</td><td class="num">${esc(t.time)}</td><td class="num">${esc(t.target)}</td><td>${esc(t.reason)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const gateTable = gates.length
    ? `<h3>Gates</h3><table><thead><tr><th>gate</th><th>where</th><th>result</th><th>measured</th></tr></thead><tbody>${gates
        .map((g) => `<tr><td><code>${esc(g.gate)}</code></td><td>${esc(g.scope)}</td><td class="${g.ok ? 'passed' : 'failed'}">${esc(g.result)}${g.reason ? `: ${esc(g.reason)}` : ''}</td><td>${esc(g.actual)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<section class="card plan" id="plan"><h2>Summary</h2>${itemTable}${tierTable}${gateTable}</section>`;
}

function renderKindView(run: Run, ctx: Ctx): string {
  switch (run.kind) {
    case 'plan':
      return renderPlan(run);
    case 'api':
      return renderApi(run, ctx);
    case 'perf':
      return renderPerf(run, ctx);
    case 'chaos':
      return renderChaos(run, ctx);
    case 'canary':
      return renderCanary(run, ctx);
    case 'e2e': {
      const from = ctx.charts.length;
      if (run.metrics.length) renderGenericMetrics(run, ctx);
      const charts = chartDivs(ctx, from);
      return `${renderScenarioSteps(run, ctx)}${charts ? `<section class="card metrics"><h2>Metrics</h2>${charts}</section>` : ''}`;
    }
  }
}

/** A run's sections: summary, failures first, the kind's own view, then every case. */
function renderRunSections(run: Run, ctx: Ctx, level: 'h1' | 'h2'): string {
  return [renderSummary(run, ctx, level), renderFailures(run, ctx), renderKindView(run, ctx), renderCaseTable(run, ctx)].join('');
}

/** The body of one run's report (without the page shell); charts are appended to `charts`. */
export function renderRunBody(run: Run, charts: ChartSpec[], options: Pick<HtmlRenderOptions, 'artifacts'> = {}): string {
  return renderRunSections(run, { charts, links: options.artifacts, prefix: '' }, 'h1');
}

/** The whole page of one run. */
export function renderRunHtml(run: Run, options: Partial<HtmlRenderOptions> = {}): string {
  const charts: ChartSpec[] = [];
  const body = renderRunBody(run, charts, options);
  return renderPage({ title: `${run.status} · ${run.name} · shopfds-test`, body: `${options.header ?? ''}<main>${body}</main>`, charts, script: options.script });
}

const SEVERITY: Record<RunStatus, number> = { passed: 0, failed: 1, error: 2, interrupted: 3 };

/** A run group (shards, plan steps) as one page: the combined verdict, each child linked, then each child in full. */
export function renderGroupHtml(group: string, runs: readonly Run[], options: Partial<HtmlRenderOptions> = {}): string {
  const sorted = [...runs].sort((a, b) => (a.shard?.current ?? 0) - (b.shard?.current ?? 0) || a.startedAt.localeCompare(b.startedAt));
  const charts: ChartSpec[] = [];
  const status = sorted.map((r) => r.status).reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), 'passed' as RunStatus);
  const totals = sorted.reduce<Totals>(
    (t, r) => ({
      total: t.total + r.totals.total,
      passed: t.passed + r.totals.passed,
      failed: t.failed + r.totals.failed,
      skipped: t.skipped + r.totals.skipped,
      flaky: t.flaky + r.totals.flaky,
      timedOut: t.timedOut + r.totals.timedOut,
      interrupted: t.interrupted + r.totals.interrupted,
    }),
    { total: 0, passed: 0, failed: 0, skipped: 0, flaky: 0, timedOut: 0, interrupted: 0 },
  );
  // Failing children first in the index.
  const indexOrder = [...sorted].sort((a, b) => SEVERITY[b.status] - SEVERITY[a.status]);
  const index = `<table class="children"><thead><tr><th>status</th><th>run</th><th>kind</th><th>shard</th><th class="num">cases</th><th class="num">failed</th><th class="num">time</th></tr></thead><tbody>${indexOrder
    .map((r) => `<tr class="s-${r.status}"><td>${badge(r.status)}</td><td><a href="#run-${esc(r.id)}-summary">${esc(r.name)}</a> <span class="muted">${esc(r.id.slice(0, 8))}</span></td><td>${esc(r.kind)}</td><td>${r.shard ? `${r.shard.current}/${r.shard.total}` : ''}</td><td class="num">${r.totals.total}</td><td class="num">${r.totals.failed}</td><td class="num">${formatDuration(r.durationMs)}</td></tr>`)
    .join('')}</tbody></table>`;
  const head = `<section class="card group" id="group-summary"><h1>${badge(status)} run group ${esc(group)}</h1>${renderTotals(totals)}<p class="muted">${sorted.length} runs</p>${index}</section>`;
  const children = sorted.map((r) => `<div class="child-run" id="run-${esc(r.id)}">${renderRunSections(r, { charts, links: options.artifacts, prefix: `run-${r.id}-` }, 'h2')}</div>`);
  return renderPage({ title: `${status} · group ${group} · shopfds-test`, body: `${options.header ?? ''}<main>${head}${children.join('')}</main>`, charts, script: options.script });
}

export const htmlRenderer: Renderer = {
  name: 'html',
  extension: 'html',
  render(run: Run, options: RenderOptions): string {
    return renderRunHtml(run, options as HtmlRenderOptions);
  },
};
