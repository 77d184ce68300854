import pc from 'picocolors';
import { SHARD_RUNS, caseKey, displayCounts, isFailure, shortCaseKey, type Case, type Run } from '../model/index.js';
import {
  casePath,
  caseStatusLabel,
  displayWidth,
  pad,
  wrapLine,
  firstLine,
  quarantineNote,
  formatDuration,
  formatNumber,
  orDash,
  problemCases,
  statusLabel,
  stripAnsi,
  terminalSafeRun,
  toolLabel,
  truncate,
} from './format.js';
import type { Renderer, RenderOptions } from './types.js';
import { planGateRows, planItemRows, planTierRows } from './plan.js';

/*
 * The summary a live run prints at its end; `report` and `runs show` re-render stored runs with it.
 * A pure function of the run and the options: no clock, no environment, so the same run and width
 * give the same text.
 */

type Colors = ReturnType<typeof pc.createColors>;

/** Width long lines wrap at when stdout is not a terminal (CI logs, files); nothing is cut there. */
const DEFAULT_WIDTH = 120;
/** Rows of failed/flaky cases shown in the summary before pointing at `runs show`. */
const MAX_PROBLEM_ROWS = 30;
const MAX_ARTIFACT_CASES = 10;
const INDENT = '  ';

interface Column {
  readonly header: string;
  readonly cells: readonly string[];
  /** Upper bound for this column when fitting a terminal; the last column takes what is left. */
  readonly max?: number;
  /** Numbers are right-aligned. */
  readonly align?: 'left' | 'right';
  readonly color?: (cell: string, row: number) => string;
}

/** How the text is laid out: fitted to a terminal's width, or (pipes, CI logs, files) never cut. */
interface Layout {
  /** Width long lines wrap at. */
  readonly width: number;
  /** True on a terminal: table cells are shortened to fit; elsewhere nothing is cut. */
  readonly fit: boolean;
}

/**
 * Aligned columns measured in terminal columns (wide characters count 2); colour is applied after
 * padding so alignment holds. On a terminal the columns are fitted to the width; elsewhere every cell
 * is shown whole.
 */
function table(columns: readonly Column[], layout: Layout, c: Colors): string[] {
  const visible = columns.filter((col) => col.cells.length > 0);
  if (!visible.length) return [];
  const rows = visible[0]!.cells.length;
  const widths = visible.map((col) => Math.max(displayWidth(col.header), ...col.cells.map(displayWidth)));
  if (layout.fit) {
    visible.forEach((col, i) => {
      if (col.max !== undefined) widths[i] = Math.min(widths[i]!, col.max);
    });
    // Fit the width: the last column shrinks to 30, then the columns with a `max` (names) to 24,
    // then the last column to 12 and the names to 8.
    const last = widths.length - 1;
    const total = () => widths.reduce((a, w) => a + w, INDENT.length + 2 * last);
    const shrink = (i: number, floor: number) => {
      widths[i] = Math.max(Math.min(widths[i]!, floor), widths[i]! - Math.max(0, total() - layout.width));
    };
    shrink(last, 30);
    for (let i = 0; i < last; i++) if (visible[i]!.max !== undefined) shrink(i, 24);
    shrink(last, 12);
    for (let i = 0; i < last; i++) if (visible[i]!.max !== undefined) shrink(i, 8);
  }
  const line = (cells: string[], color: boolean, row: number) =>
    INDENT +
    cells
      .map((cell, i) => {
        const col = visible[i]!;
        const text = layout.fit ? truncate(cell, widths[i]!) : cell;
        const right = col.align === 'right';
        const padded = i === cells.length - 1 && !right ? text : pad(text, widths[i]!, right ? 'right' : 'left');
        return color && col.color ? col.color(padded, row) : padded;
      })
      .join('  ')
      .trimEnd();
  const out = [line(visible.map((col) => col.header), false, -1)];
  out[0] = c.dim(out[0]!);
  for (let r = 0; r < rows; r++) out.push(line(visible.map((col) => col.cells[r] ?? ''), true, r));
  return out;
}

/** Wraps each line to the layout's width under an indent; nothing is cut. */
function wrapped(lines: readonly string[], indent: string, layout: Layout): string[] {
  const room = Math.max(20, layout.width - displayWidth(indent));
  return lines.flatMap((l) => wrapLine(l, room).map((piece) => indent + piece));
}

/** Message lines worth showing under a failed case: up to Playwright's "Call log:", without blank runs. */
function messageLines(message: string, all: boolean): string[] {
  const lines = stripAnsi(message).split(/\r?\n/).map((l) => l.trimEnd());
  const cut = lines.findIndex((l) => /^\s*Call log:/.test(l));
  const body = (cut >= 0 ? lines.slice(0, cut) : lines).filter((l) => l.trim());
  if (all) return body;
  // On a terminal: the whole first line, then Expected/Received when the message has them.
  const first = body[0] ? [body[0].trim()] : [];
  const diff = body.filter((l) => /^\s*(Expected|Received)( (string|pattern|value|length))?:/.test(l)).map((l) => l.trim());
  return [...first, ...diff];
}

/** Where a case failed: the error location, or the test's own file:line. */
function failureLocation(x: Case): string | null {
  if (x.properties.error_location) return x.properties.error_location;
  if (x.file && x.line !== null) return `${x.file}:${x.line}`;
  return null;
}

/** The lines under a failed or flaky case's row: its error (whole first line at least) and where. */
function failureDetails(x: Case, layout: Layout, c: Colors): string[] {
  const indent = INDENT + INDENT + '  ';
  if (x.status === 'flaky') {
    const failed = x.attempts.find((a) => a.errorMessage);
    if (!failed?.errorMessage) return [];
    const lines = messageLines(failed.errorMessage, false).slice(0, 1);
    return wrapped(lines.map((l) => `try ${failed.index + 1}: ${l}`), indent, layout).map((l) => c.dim(l));
  }
  if (!isFailure(x) || !x.errorMessage) return [];
  const lines = messageLines(x.errorMessage, !layout.fit);
  const where = failureLocation(x);
  if (where) lines.push(`at ${where}`);
  return wrapped(lines, indent, layout).map((l) => c.dim(l));
}

/** A case table with each failed or flaky case's error under its row. */
function caseTable(cases: readonly Case[], columns: readonly Column[], layout: Layout, c: Colors): string[] {
  const lines = table(columns, layout, c);
  if (!lines.length) return [];
  const out = [lines[0]!];
  cases.forEach((x, i) => out.push(lines[i + 1]!, ...failureDetails(x, layout, c)));
  return out;
}

function statusColor(c: Colors, status: Case['status']): (s: string) => string {
  switch (status) {
    case 'passed':
      return c.green;
    case 'failed':
    case 'timed_out':
      return c.red;
    case 'flaky':
    case 'interrupted':
      return c.yellow;
    case 'skipped':
      return c.dim;
  }
}

function verdict(run: Run, c: Colors): string {
  const label = run.status.toUpperCase();
  switch (run.status) {
    case 'passed':
      return c.bold(c.green(label));
    case 'failed':
      return c.bold(c.red(label));
    case 'error':
      return c.bold(c.magenta(label));
    case 'interrupted':
      return c.bold(c.yellow(label));
  }
}

function header(run: Run, c: Colors): string {
  // As Playwright counts: passed excludes flaky, so the four parts sum to the total.
  const t = displayCounts(run.totals);
  const counts = [
    c.green(`${t.passed} passed`),
    t.flaky ? c.yellow(`${t.flaky} flaky`) : `${t.flaky} flaky`,
    t.failed ? c.red(`${t.failed} failed`) : `${t.failed} failed`,
    t.skipped ? c.dim(`${t.skipped} skipped`) : `${t.skipped} skipped`,
  ].join(', ');
  return `${run.kind} ${c.bold(run.name)}: ${verdict(run, c)}  ${counts} of ${t.total} in ${formatDuration(run.durationMs)}  (${run.environment}, ${toolLabel(run)})`;
}

function errorBlock(run: Run, c: Colors, layout: Layout): string[] {
  if (!run.errorMessage) return [];
  const lines = stripAnsi(run.errorMessage).split(/\r?\n/).filter((l) => l.trim());
  const limit = layout.fit ? 5 : lines.length;
  const shown = lines.slice(0, limit).flatMap((l, i) =>
    wrapLine(l, Math.max(20, layout.width - 9)).map((piece, j) => `${INDENT}${i === 0 && j === 0 ? c.red('error: ') : '       '}${piece}`),
  );
  if (lines.length > limit) shown.push(`${INDENT}       … ${lines.length - limit} more lines`);
  return shown;
}

function caseColumns(cases: readonly Case[], c: Colors, full: boolean, kind?: Run['kind']): Column[] {
  const anyProject = cases.some((x) => x.project);
  const columns: Column[] = [
    { header: 'STATUS', cells: cases.map((x) => caseStatusLabel(x)), color: (s, r) => statusColor(c, cases[r]!.status)(s) },
    { header: 'TRIES', cells: cases.map((x) => String(Math.max(1, x.attempts.length))), align: 'right' },
  ];
  if (full) columns.push({ header: 'TIME', cells: cases.map((x) => formatDuration(x.durationMs)), align: 'right' });
  // The key `runs history` and `quarantine add` accept, in its short form.
  if (full && kind) columns.push({ header: 'KEY', cells: cases.map((x) => shortCaseKey(caseKey(kind, x))) });
  if (anyProject) columns.push({ header: 'PROJECT', cells: cases.map((x) => x.project ?? ''), max: 16 });
  columns.push({ header: 'TEST', cells: cases.map(casePath) });
  return columns;
}

function problemSection(run: Run, c: Colors, layout: Layout): string[] {
  const problems = problemCases(run);
  if (!problems.length) return [];
  const failed = problems.filter((x) => x.status !== 'flaky').length;
  const flaky = problems.length - failed;
  const title = [failed ? `${failed} failed` : '', flaky ? `${flaky} flaky` : ''].filter(Boolean).join(', ');
  const shown = problems.slice(0, MAX_PROBLEM_ROWS);
  const out = ['', c.bold(`Failed and flaky (${title})`), ...caseTable(shown, caseColumns(shown, c, false), layout, c)];
  const note = quarantineNote(run);
  if (note) out.push(`${INDENT}${c.yellow(note)}`);
  if (problems.length > shown.length) out.push(`${INDENT}… and ${problems.length - shown.length} more`);
  return out;
}

function allCasesSection(run: Run, c: Colors, layout: Layout): string[] {
  if (!run.cases.length) return [];
  return ['', c.bold(`Cases (${run.cases.length})`), ...caseTable(run.cases, caseColumns(run.cases, c, true, run.kind), layout, c), ...attemptOutput(run, layout, c)];
}

/** Each retried case's attempts with their own output (runs show). */
function attemptOutput(run: Run, layout: Layout, c: Colors): string[] {
  const out: string[] = [];
  for (const x of run.cases) {
    if (x.attempts.length < 2 || !x.attempts.some((a) => a.stdout || a.stderr || a.errorMessage)) continue;
    out.push(`${INDENT}${layout.fit ? truncate(casePath(x), layout.width - INDENT.length) : casePath(x)}${x.project ? ` [${x.project}]` : ''}`);
    for (const a of x.attempts) {
      out.push(`${INDENT}${INDENT}try ${a.index + 1}: ${a.status}${a.errorMessage ? `: ${firstLine(a.errorMessage)}` : ''}`);
      for (const [label, text] of [['stdout', a.stdout], ['stderr', a.stderr]] as const) {
        if (!text) continue;
        const lines = stripAnsi(text).split(/\r?\n/).filter((l) => l.trim());
        out.push(...wrapped(lines.map((l) => `${label} | ${l}`), INDENT + INDENT + '  ', layout).map((l) => c.dim(l)));
      }
    }
  }
  return out.length ? ['', c.bold('Attempts'), ...out] : [];
}

function artifactSection(run: Run, c: Colors, layout: Layout, full: boolean): string[] {
  const out: string[] = [];
  const cases = full ? run.cases.filter((x) => x.artifacts.length) : problemCases(run).filter((x) => x.status !== 'flaky' && x.artifacts.length);
  if (full && run.artifacts.length) {
    out.push(`${INDENT}run`);
    for (const a of run.artifacts) out.push(`${INDENT}${INDENT}${a.kind.padEnd(10)} ${a.path}`);
  }
  const shown = full ? cases : cases.slice(0, MAX_ARTIFACT_CASES);
  for (const x of shown) {
    out.push(`${INDENT}${layout.fit ? truncate(casePath(x), layout.width - INDENT.length) : casePath(x)}`);
    for (const a of x.artifacts) out.push(`${INDENT}${INDENT}${a.kind.padEnd(10)} ${a.path}${a.attempt !== null ? c.dim(` (try ${a.attempt + 1})`) : ''}`);
  }
  if (cases.length > shown.length) out.push(`${INDENT}… artifacts of ${cases.length - shown.length} more failed cases`);
  if (!out.length) return [];
  return ['', c.bold(full ? 'Artifacts' : 'Artifacts of failed cases'), ...out];
}

function passMark(c: Colors, ok: boolean): string {
  return ok ? c.green('✓') : c.red('✗');
}

function perfSection(run: Run, c: Colors): string[] {
  const p = run.perf?.test;
  const out: string[] = [];
  if (p) {
    const ms = (v: number | null) => orDash(v, (n) => `${n} ms`);
    out.push(
      `${INDENT}${p.scenario_name} (${p.test_type}): ${p.virtual_users} VUs for ${p.duration_sec}s, TPS ${orDash(p.actual_tps, (v) => formatNumber(v, 1))} (target ${p.target_tps})`,
      `${INDENT}p95 ${ms(p.p95_response_time)}  p99 ${ms(p.p99_response_time)}  avg ${ms(p.avg_response_time)}  max ${ms(p.max_response_time)}`,
      `${INDENT}error rate ${orDash(p.error_rate, (v) => `${formatNumber(v, 2)}%`)}  requests ${orDash(p.total_requests)} (${orDash(p.failed_requests)} failed)`,
    );
  }
  // k6 thresholds are the cases of a perf run.
  if (run.cases.length && run.cases.length <= 40) {
    out.push(`${INDENT}thresholds and checks:`);
    for (const x of run.cases) out.push(`${INDENT}${INDENT}${passMark(c, x.status !== 'failed' && x.status !== 'timed_out' && x.status !== 'interrupted')} ${casePath(x)}`);
  } else if (run.cases.length) {
    out.push(`${INDENT}thresholds and checks: ${run.totals.passed} of ${run.totals.total} passed`);
  }
  return out.length ? ['', c.bold('Performance'), ...out] : [];
}

/** A plan run: the summary table (ITEM / RESULT / NOTES), the tiers against their targets, the gates. */
function planSection(run: Run, c: Colors, layout: Layout): string[] {
  if (!run.plan) return [];
  const color = (ok: boolean | null) => (ok === null ? c.dim : ok ? c.green : c.red);
  const items = planItemRows(run);
  const out = ['', c.bold('Summary')];
  out.push(
    ...table(
      [
        { header: 'ITEM', cells: items.map((r) => r.item), max: 40 },
        { header: 'RESULT', cells: items.map((r) => r.result), color: (cell, i) => color(items[i]!.ok)(cell) },
        { header: 'NOTES', cells: items.map((r) => r.notes + (r.runIds.length ? ` (run ${r.runIds[r.runIds.length - 1]!.slice(0, 8)})` : '')) },
      ],
      layout,
      c,
    ),
  );
  const tiers = planTierRows(run);
  if (tiers.length) {
    out.push('', c.bold('Tiers'));
    out.push(
      ...table(
        [
          { header: 'TIER', cells: tiers.map((t) => t.tier), max: 40 },
          { header: 'RESULT', cells: tiers.map((t) => t.result), color: (cell, i) => color(tiers[i]!.ok)(cell) },
          { header: 'TIME', cells: tiers.map((t) => t.time), align: 'right', color: (cell, i) => (tiers[i]!.over ? c.yellow(cell) : cell) },
          { header: 'TARGET', cells: tiers.map((t) => t.target), align: 'right' },
          { header: 'NOTES', cells: tiers.map((t) => t.reason) },
        ],
        layout,
        c,
      ),
    );
  }
  const gates = planGateRows(run);
  if (gates.length) {
    out.push('', c.bold('Gates'));
    out.push(
      ...table(
        [
          { header: 'GATE', cells: gates.map((g) => `${g.ok ? '✓' : '✗'} ${g.gate}`), max: 40, color: (cell, i) => (gates[i]!.ok ? c.green(cell) : c.red(cell)) },
          { header: 'WHERE', cells: gates.map((g) => g.scope), max: 40 },
          { header: 'MEASURED', cells: gates.map((g) => g.actual), align: 'right' },
          { header: 'NOTES', cells: gates.map((g) => g.reason) },
        ],
        layout,
        c,
      ),
    );
  }
  return out;
}

function apiSection(run: Run, c: Colors, layout: Layout): string[] {
  const suites = run.api?.suites;
  if (!suites?.length) return [];
  const out = ['', c.bold('API suites')];
  out.push(
    ...table(
      [
        { header: 'SUITE', cells: suites.map((s) => s.name), max: 50 },
        { header: 'STATUS', cells: suites.map((s) => s.status) },
        // Requests and assertions are separate figures: TESTS are Newman's assertions.
        { header: 'REQUESTS', cells: suites.map((s) => String(s.results.length)), align: 'right' },
        { header: 'TESTS', cells: suites.map((s) => String(s.total_tests)), align: 'right' },
        { header: 'PASSED', cells: suites.map((s) => String(s.passed_tests)), align: 'right' },
        { header: 'FAILED', cells: suites.map((s) => String(s.failed_tests)), align: 'right' },
        { header: 'SKIPPED', cells: suites.map((s) => String(s.skipped_tests)), align: 'right' },
        { header: 'TIME', cells: suites.map((s) => orDash(s.duration_ms, formatDuration)), align: 'right' },
      ],
      layout,
      c,
    ),
  );
  const requests = suites
    .flatMap((s) => s.results)
    .filter((r) => r.response_time_ms !== null)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.response_time_ms! - a.r.response_time_ms! || a.i - b.i)
    .slice(0, 5)
    .map(({ r }) => r);
  if (requests.length) {
    out.push('', c.bold('Slowest requests'));
    out.push(
      ...table(
        [
          { header: 'TIME', cells: requests.map((r) => formatDuration(r.response_time_ms!)), align: 'right' },
          { header: 'METHOD', cells: requests.map((r) => r.http_method) },
          { header: 'STATUS', cells: requests.map((r) => orDash(r.status_code)) },
          { header: 'ENDPOINT', cells: requests.map((r) => r.endpoint) },
        ],
        layout,
        c,
      ),
    );
  }
  return out;
}

function chaosSection(run: Run, c: Colors): string[] {
  const e = run.chaos?.experiment;
  if (!e) return [];
  const result = e.result === null ? c.yellow('no verdict') : e.result === 'passed' ? c.green('passed') : c.red('failed');
  const recovery =
    e.recovery_time_sec === null
      ? `recovery not observed (target ${e.recovery_target_sec}s)`
      : `recovery ${e.recovery_time_sec}s (target ${e.recovery_target_sec}s) ${passMark(c, e.recovery_time_sec <= e.recovery_target_sec)}`;
  return [
    '',
    c.bold('Chaos experiment'),
    `${INDENT}${e.name}: ${e.experiment_type} on ${e.target_service}${e.target_pod ? ` (${e.target_pod})` : ''} in ${e.kubernetes_namespace}, ${e.duration_sec}s`,
    `${INDENT}verdict ${result}, status ${e.status}, ${recovery}`,
    `${INDENT}${e.approval_required ? `approved by ${e.approved_by ?? c.red('nobody')}` : 'approval not required'}; engine ${e.chaos_engine_name}`,
    `${INDENT}hypothesis: ${firstLine(e.hypothesis)}`,
    ...chaosTrail(e),
  ];
}

/** The audit trail and the observations, one line each: what the release-engineering doc promises. */
function chaosTrail(e: NonNullable<Run['chaos']>['experiment']): string[] {
  return [
    `${INDENT}audit trail:`,
    ...e.audit.map((a) => `${INDENT}${INDENT}${a.at} ${a.action} by ${a.actor}${a.detail ? `: ${firstLine(a.detail)}` : ''}`),
    `${INDENT}observations:`,
    ...e.observations.map((o) => `${INDENT}${INDENT}${o.observed_at} ${o.observation_type} ${o.metric_name}=${o.metric_value}${o.notes ? ` (${firstLine(o.notes)})` : ''}`),
  ];
}

function canarySection(run: Run, c: Colors): string[] {
  const d = run.canary?.deployment;
  if (!d) return [];
  const status = d.status === 'succeeded' ? c.green(d.status) : d.status === 'failed' || d.status === 'rollback' ? c.red(d.status) : c.yellow(d.status);
  const out = [
    '',
    c.bold('Canary'),
    `${INDENT}${d.service_name} ${d.old_version} → ${d.new_version}: ${status}, weight ${d.traffic_weight}%`,
    `${INDENT}error rate ${orDash(d.error_rate, (v) => `${formatNumber(v, 2)}%`)} (max ${formatNumber(d.threshold_max_error_rate, 2)}%)  p95 ${orDash(d.response_time_p95, (v) => `${v} ms`)} (max ${d.threshold_max_response_time} ms)  success ${orDash(d.request_success_rate, (v) => `${formatNumber(v, 2)}%`)}`,
  ];
  if (d.rollback_reason) out.push(`${INDENT}rollback: ${c.red(firstLine(d.rollback_reason))}`);
  return out;
}

function e2eSection(run: Run, c: Colors, layout: Layout, full: boolean): string[] {
  const runs = run.e2e?.test_runs;
  if (!runs?.length) return [];
  const out: string[] = [];
  for (const r of runs) {
    // Steps only where the test has any (scenarios, specs with test.step()).
    if (!r.steps.length) continue;
    const failedSteps = r.steps.filter((s) => s.status === 'failed');
    if (!full && !failedSteps.length) continue;
    const label = r.scenario_name ?? (run.cases[r.case_ordinal] ? casePath(run.cases[r.case_ordinal]!) : `case ${r.case_ordinal}`);
    const passed = r.steps.filter((s) => s.status === 'passed').length;
    out.push(`${INDENT}${layout.fit ? truncate(label, layout.width - 30) : label}: ${passed}/${r.steps.length} steps passed (${r.browser})`);
    for (const s of failedSteps) {
      const text = `✗ step ${s.step_number} ${s.step_name}${s.error_message ? `: ${firstLine(s.error_message)}` : ''}`;
      out.push(...wrapped([text], INDENT + INDENT, layout).map((l, i) => (i === 0 ? l.replace('✗', c.red('✗')) : l)));
      if (s.screenshot_url) out.push(`${INDENT}${INDENT}  screenshot ${s.screenshot_url}`);
    }
  }
  return out.length ? ['', c.bold('Scenario steps'), ...out] : [];
}

function runFacts(run: Run): string[] {
  const out = [
    '',
    `${INDENT}started   ${run.startedAt}`,
    `${INDENT}completed ${run.completedAt}`,
    `${INDENT}trigger   ${run.trigger} by ${run.executedBy}`,
  ];
  if (run.tool.commandLine) out.push(`${INDENT}command   ${run.tool.commandLine}`);
  if (run.ci) {
    const ci = run.ci;
    out.push(`${INDENT}ci        ${[ci.provider, ci.buildId && `build ${ci.buildId}`, ci.branch, ci.commitSha?.slice(0, 12)].filter(Boolean).join(', ')}`);
    if (ci.jobUrl) out.push(`${INDENT}job       ${ci.jobUrl}`);
  }
  if (run.runGroup) out.push(`${INDENT}group     ${run.runGroup}${run.shard ? ` (shard ${run.shard.current}/${run.shard.total})` : ''}`);
  for (const key of Object.keys(run.metadata).sort()) if (key !== SHARD_RUNS) out.push(`${INDENT}${key.padEnd(9)} ${run.metadata[key]}`);
  return out;
}

/** A merged shard group names each shard's run (or says it is missing). */
function shardFooter(run: Run, c: Colors): string[] {
  const shards = run.metadata[SHARD_RUNS];
  if (!shards) return [];
  return ['', c.bold(`Shards of group ${run.runGroup ?? ''}`.trimEnd()), ...shards.split('\n').map((l) => `${INDENT}${/missing/.test(l) ? c.red(l) : l}`)];
}

/** Renders the run summary (or every case with `detail: 'full'`). */
export function renderTable(given: Run, options: RenderOptions): string {
  // Titles and messages come from the tested code: no control character reaches the terminal raw.
  const run = terminalSafeRun(given);
  const c = pc.createColors(options.color);
  const layout: Layout = options.width ? { width: Math.max(40, options.width), fit: true } : { width: DEFAULT_WIDTH, fit: false };
  const full = options.detail === 'full';
  const lines: string[] = [header(run, c), ...errorBlock(run, c, layout)];
  if (full) lines.push(...runFacts(run));
  switch (run.kind) {
    case 'perf':
      lines.push(...perfSection(run, c));
      break;
    case 'api':
      lines.push(...apiSection(run, c, layout));
      break;
    case 'chaos':
      lines.push(...chaosSection(run, c));
      break;
    case 'canary':
      lines.push(...canarySection(run, c));
      break;
    case 'e2e':
      lines.push(...e2eSection(run, c, layout, full));
      break;
    case 'plan':
      lines.push(...planSection(run, c, layout));
      break;
  }
  lines.push(...(full ? allCasesSection(run, c, layout) : problemSection(run, c, layout)));
  lines.push(...artifactSection(run, c, layout, full));
  lines.push(...shardFooter(run, c));
  lines.push('');
  lines.push(full ? c.dim(`run ${run.id}`) : c.dim(`run ${run.id}; details: shopfds-test runs show ${run.id}`));
  return `${lines.join('\n')}\n`;
}

/** The summary printed at the end of a live run (and by `report` and `runs show`). */
export const tableRenderer: Renderer = {
  name: 'table',
  extension: 'txt',
  render: renderTable,
};
