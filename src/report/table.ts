import pc from 'picocolors';
import { caseKey, shortCaseKey, type Case, type Run } from '../model/index.js';
import {
  casePath,
  caseStatusLabel,
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

/*
 * The summary a live run prints at its end; `report` and `runs show` re-render stored runs with it.
 * A pure function of the run and the options: no clock, no environment, so the same run and width
 * give the same text.
 */

type Colors = ReturnType<typeof pc.createColors>;

/** Width used when stdout is not a terminal (CI logs, files). */
const DEFAULT_WIDTH = 120;
/** Rows of failed/flaky cases shown in the summary before pointing at `runs show`. */
const MAX_PROBLEM_ROWS = 30;
const MAX_ARTIFACT_CASES = 10;
const INDENT = '  ';

interface Column {
  readonly header: string;
  readonly cells: readonly string[];
  /** Upper bound for this column; the last column takes what is left of the width. */
  readonly max?: number;
  readonly color?: (cell: string, row: number) => string;
}

/** Left-aligned columns fitted to `width`; colour is applied after padding so alignment holds. */
function table(columns: readonly Column[], width: number, c: Colors): string[] {
  const visible = columns.filter((col) => col.cells.length > 0);
  if (!visible.length) return [];
  const rows = visible[0]!.cells.length;
  const widths = visible.map((col) => {
    const longest = Math.max(col.header.length, ...col.cells.map((s) => s.length));
    return Math.min(longest, col.max ?? longest);
  });
  // Fit the width: the last column (the error) shrinks to 30, then the columns with a `max` (names)
  // to 24, then the last column to 12 and the names to 8.
  const last = widths.length - 1;
  const total = () => widths.reduce((a, w) => a + w, INDENT.length + 2 * last);
  const shrink = (i: number, floor: number) => {
    widths[i] = Math.max(Math.min(widths[i]!, floor), widths[i]! - Math.max(0, total() - width));
  };
  shrink(last, 30);
  for (let i = 0; i < last; i++) if (visible[i]!.max !== undefined) shrink(i, 24);
  shrink(last, 12);
  for (let i = 0; i < last; i++) if (visible[i]!.max !== undefined) shrink(i, 8);
  const line = (cells: string[], color: boolean, row: number) =>
    INDENT +
    cells
      .map((cell, i) => {
        const text = truncate(cell, widths[i]!);
        const padded = i === cells.length - 1 ? text : text.padEnd(widths[i]!);
        const col = visible[i]!;
        return color && col.color ? col.color(padded, row) : padded;
      })
      .join('  ')
      .trimEnd();
  const out = [line(visible.map((col) => col.header), false, -1)];
  out[0] = c.dim(out[0]!);
  for (let r = 0; r < rows; r++) out.push(line(visible.map((col) => col.cells[r] ?? ''), true, r));
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
  const t = run.totals;
  const counts = [
    c.green(`${t.passed} passed`),
    t.failed ? c.red(`${t.failed} failed`) : `${t.failed} failed`,
    t.skipped ? c.dim(`${t.skipped} skipped`) : `${t.skipped} skipped`,
    t.flaky ? c.yellow(`${t.flaky} flaky`) : `${t.flaky} flaky`,
  ].join(', ');
  return `${run.kind} ${c.bold(run.name)}: ${verdict(run, c)}  ${counts} of ${t.total} in ${formatDuration(run.durationMs)}  (${run.environment}, ${toolLabel(run)})`;
}

function errorBlock(run: Run, c: Colors, width: number): string[] {
  if (!run.errorMessage) return [];
  const lines = stripAnsi(run.errorMessage).split(/\r?\n/).filter((l) => l.trim());
  const shown = lines.slice(0, 5).map((l, i) => `${INDENT}${i === 0 ? c.red('error: ') : '       '}${truncate(l, width - 9)}`);
  if (lines.length > 5) shown.push(`${INDENT}       … ${lines.length - 5} more lines`);
  return shown;
}

function caseColumns(cases: readonly Case[], c: Colors, full: boolean, kind?: Run['kind']): Column[] {
  const anyProject = cases.some((x) => x.project);
  const columns: Column[] = [
    { header: 'STATUS', cells: cases.map((x) => caseStatusLabel(x)), color: (s, r) => statusColor(c, cases[r]!.status)(s) },
  ];
  // The key `runs history` and `quarantine add` accept, in its short form.
  if (full && kind) columns.push({ header: 'KEY', cells: cases.map((x) => shortCaseKey(caseKey(kind, x))) });
  columns.push({ header: 'TEST', cells: cases.map(casePath), max: full ? 70 : 60 });
  if (anyProject) columns.push({ header: 'PROJECT', cells: cases.map((x) => x.project ?? ''), max: 16 });
  columns.push({ header: 'TRIES', cells: cases.map((x) => String(Math.max(1, x.attempts.length))) });
  if (full) columns.push({ header: 'TIME', cells: cases.map((x) => formatDuration(x.durationMs)) });
  const errorOf = (x: Case) =>
    x.status === 'flaky' ? firstLine(x.attempts.find((a) => a.errorMessage)?.errorMessage) : firstLine(x.errorMessage);
  if (cases.some((x) => errorOf(x))) columns.push({ header: 'ERROR', cells: cases.map(errorOf), color: (s) => c.dim(s) });
  return columns;
}

function problemSection(run: Run, c: Colors, width: number): string[] {
  const problems = problemCases(run);
  if (!problems.length) return [];
  const failed = problems.filter((x) => x.status !== 'flaky').length;
  const flaky = problems.length - failed;
  const title = [failed ? `${failed} failed` : '', flaky ? `${flaky} flaky` : ''].filter(Boolean).join(', ');
  const shown = problems.slice(0, MAX_PROBLEM_ROWS);
  const out = ['', c.bold(`Failed and flaky (${title})`), ...table(caseColumns(shown, c, false), width, c)];
  const note = quarantineNote(run);
  if (note) out.push(`${INDENT}${c.yellow(note)}`);
  if (problems.length > shown.length) out.push(`${INDENT}… and ${problems.length - shown.length} more`);
  return out;
}

function allCasesSection(run: Run, c: Colors, width: number): string[] {
  if (!run.cases.length) return [];
  return ['', c.bold(`Cases (${run.cases.length})`), ...table(caseColumns(run.cases, c, true, run.kind), width, c)];
}

function artifactSection(run: Run, c: Colors, width: number, full: boolean): string[] {
  const out: string[] = [];
  const cases = full ? run.cases.filter((x) => x.artifacts.length) : problemCases(run).filter((x) => x.status !== 'flaky' && x.artifacts.length);
  if (full && run.artifacts.length) {
    out.push(`${INDENT}run`);
    for (const a of run.artifacts) out.push(`${INDENT}${INDENT}${a.kind.padEnd(10)} ${a.path}`);
  }
  const shown = full ? cases : cases.slice(0, MAX_ARTIFACT_CASES);
  for (const x of shown) {
    out.push(`${INDENT}${truncate(casePath(x), width - INDENT.length)}`);
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

function apiSection(run: Run, c: Colors, width: number): string[] {
  const suites = run.api?.suites;
  if (!suites?.length) return [];
  const out = ['', c.bold('API suites')];
  out.push(
    ...table(
      [
        { header: 'SUITE', cells: suites.map((s) => s.name), max: 50 },
        { header: 'STATUS', cells: suites.map((s) => s.status) },
        { header: 'TESTS', cells: suites.map((s) => String(s.total_tests)) },
        { header: 'PASSED', cells: suites.map((s) => String(s.passed_tests)) },
        { header: 'FAILED', cells: suites.map((s) => String(s.failed_tests)) },
        { header: 'SKIPPED', cells: suites.map((s) => String(s.skipped_tests)) },
        { header: 'TIME', cells: suites.map((s) => orDash(s.duration_ms, formatDuration)) },
      ],
      width,
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
          { header: 'TIME', cells: requests.map((r) => `${r.response_time_ms} ms`) },
          { header: 'METHOD', cells: requests.map((r) => r.http_method) },
          { header: 'STATUS', cells: requests.map((r) => orDash(r.status_code)) },
          { header: 'ENDPOINT', cells: requests.map((r) => r.endpoint) },
        ],
        width,
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

function e2eSection(run: Run, c: Colors, width: number, full: boolean): string[] {
  const runs = run.e2e?.test_runs;
  if (!runs?.length) return [];
  const out: string[] = [];
  for (const r of runs) {
    const failedSteps = r.steps.filter((s) => s.status === 'failed');
    if (!full && !failedSteps.length) continue;
    const label = r.scenario_name ?? (run.cases[r.case_ordinal] ? casePath(run.cases[r.case_ordinal]!) : `case ${r.case_ordinal}`);
    const passed = r.steps.filter((s) => s.status === 'passed').length;
    out.push(`${INDENT}${truncate(label, width - 30)}: ${passed}/${r.steps.length} steps passed (${r.browser})`);
    for (const s of failedSteps) {
      out.push(`${INDENT}${INDENT}${c.red('✗')} step ${s.step_number} ${s.step_name}${s.error_message ? `: ${c.dim(truncate(firstLine(s.error_message), width - 20))}` : ''}`);
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
  for (const key of Object.keys(run.metadata).sort()) out.push(`${INDENT}${key.padEnd(9)} ${run.metadata[key]}`);
  return out;
}

/** Renders the run summary (or every case with `detail: 'full'`). */
export function renderTable(given: Run, options: RenderOptions): string {
  // Titles and messages come from the tested code: no control character reaches the terminal raw.
  const run = terminalSafeRun(given);
  const c = pc.createColors(options.color);
  const width = options.width ? Math.max(40, options.width) : DEFAULT_WIDTH;
  const full = options.detail === 'full';
  const lines: string[] = [header(run, c), ...errorBlock(run, c, width)];
  if (full) lines.push(...runFacts(run));
  switch (run.kind) {
    case 'perf':
      lines.push(...perfSection(run, c));
      break;
    case 'api':
      lines.push(...apiSection(run, c, width));
      break;
    case 'chaos':
      lines.push(...chaosSection(run, c));
      break;
    case 'canary':
      lines.push(...canarySection(run, c));
      break;
    case 'e2e':
      lines.push(...e2eSection(run, c, width, full));
      break;
  }
  lines.push(...(full ? allCasesSection(run, c, width) : problemSection(run, c, width)));
  lines.push(...artifactSection(run, c, width, full));
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
