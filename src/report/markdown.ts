import { displayCounts, type Case, type Run } from '../model/index.js';
import { casePath, caseStatusLabel, firstLine, quarantineNote, formatDuration, formatNumber, orDash, problemCases, statusLabel, terminalSafeRun, toolLabel, truncate } from './format.js';
import type { Renderer } from './types.js';
import { planGateRows, planItemRows, planTierRows } from './plan.js';

/*
 * A GitHub-flavoured summary for `$GITHUB_STEP_SUMMARY` (appended to, so several runs of one job
 * stack up). Deterministic like every renderer: the same run gives the same text.
 */

const MAX_FAILURE_ROWS = 50;
const MAX_CELL = 200;

const VERDICT_EMOJI: Record<Run['status'], string> = {
  passed: '✅',
  failed: '❌',
  error: '💥',
  interrupted: '⏹️',
};

/** Makes text safe inside a table cell: one line, no pipe or HTML breaking the row. */
export function escapeCell(text: string, max = MAX_CELL): string {
  const oneLine = text.replace(/\r?\n+/g, ' ').replace(/\s+/g, ' ').trim();
  return truncate(oneLine, max)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function countsTable(run: Run): string[] {
  // As Playwright counts: Passed excludes Flaky, so the four sum to Total.
  const t = displayCounts(run.totals);
  return [
    row(['Passed', 'Flaky', 'Failed', 'Skipped', 'Total', 'Duration']),
    '|---:|---:|---:|---:|---:|---:|',
    row([String(t.passed), String(t.flaky), String(t.failed), String(t.skipped), String(t.total), formatDuration(run.durationMs)]),
  ];
}

function failuresSection(run: Run): string[] {
  const failures = problemCases(run).filter((c) => c.status !== 'flaky');
  if (!failures.length) return [];
  const anyProject = failures.some((c) => c.project);
  const head = ['Test', ...(anyProject ? ['Project'] : []), 'Status', 'Tries', 'Error'];
  const out = ['', `### Failures (${failures.length})`, '', row(head), `|${head.map(() => '---').join('|')}|`];
  for (const c of failures.slice(0, MAX_FAILURE_ROWS)) {
    out.push(
      row([
        escapeCell(casePath(c)),
        ...(anyProject ? [escapeCell(c.project ?? '')] : []),
        caseStatusLabel(c),
        String(Math.max(1, c.attempts.length)),
        escapeCell(firstLine(c.errorMessage)),
      ]),
    );
  }
  if (failures.length > MAX_FAILURE_ROWS) out.push('', `…and ${failures.length - MAX_FAILURE_ROWS} more; see \`shopfds-test runs show ${run.id}\`.`);
  const note = quarantineNote(run);
  if (note) out.push('', `> **Quarantined:** ${note}.`);
  return out;
}

function flakySection(run: Run): string[] {
  const flaky = run.cases.filter((c) => c.status === 'flaky');
  if (!flaky.length) return [];
  const out = ['', `### Flaky (${flaky.length})`, ''];
  for (const c of flaky.slice(0, MAX_FAILURE_ROWS)) {
    const failedTries = c.attempts.filter((a) => a.status !== 'passed' && a.status !== 'skipped').length;
    const first = firstLine(c.attempts.find((a) => a.errorMessage)?.errorMessage);
    out.push(
      `- ${escapeCell(casePath(c))}${c.project ? ` (${escapeCell(c.project)})` : ''}: passed after ${failedTries} failed ${failedTries === 1 ? 'try' : 'tries'}${first ? `; first error: ${escapeCell(first)}` : ''}`,
    );
  }
  if (flaky.length > MAX_FAILURE_ROWS) out.push(`- …and ${flaky.length - MAX_FAILURE_ROWS} more`);
  return out;
}

function artifactsSection(run: Run): string[] {
  const withArtifacts = problemCases(run).filter((c) => c.status !== 'flaky' && c.artifacts.length);
  if (!withArtifacts.length && !run.artifacts.length) return [];
  const out = ['', '### Artifacts', ''];
  for (const a of run.artifacts) out.push(`- ${a.kind}: ${code(a.path)}`);
  for (const c of withArtifacts.slice(0, MAX_FAILURE_ROWS)) {
    out.push(`- ${escapeCell(casePath(c))}`);
    for (const a of c.artifacts) out.push(`  - ${a.kind}: ${code(a.path)}`);
  }
  return out;
}

function perfSection(run: Run): string[] {
  const p = run.perf?.test;
  if (!p) return [];
  const ms = (v: number | null) => orDash(v, (n) => `${n} ms`);
  return [
    '',
    '### Performance',
    '',
    row(['Scenario', 'Type', 'VUs', 'TPS (target)', 'p95', 'p99', 'avg', 'max', 'Error rate', 'Requests (failed)']),
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    row([
      escapeCell(p.scenario_name),
      p.test_type,
      String(p.virtual_users),
      `${orDash(p.actual_tps, (v) => formatNumber(v, 1))} (${p.target_tps})`,
      ms(p.p95_response_time),
      ms(p.p99_response_time),
      ms(p.avg_response_time),
      ms(p.max_response_time),
      orDash(p.error_rate, (v) => `${formatNumber(v, 2)}%`),
      `${orDash(p.total_requests)} (${orDash(p.failed_requests)})`,
    ]),
  ];
}

function apiSection(run: Run): string[] {
  const suites = run.api?.suites;
  if (!suites?.length) return [];
  const out = ['', '### API suites', '', row(['Suite', 'Status', 'Tests', 'Passed', 'Failed', 'Skipped', 'Duration']), '|---|---|---:|---:|---:|---:|---:|'];
  for (const s of suites) {
    out.push(row([escapeCell(s.name), s.status, String(s.total_tests), String(s.passed_tests), String(s.failed_tests), String(s.skipped_tests), orDash(s.duration_ms, formatDuration)]));
  }
  const slowest = suites
    .flatMap((s) => s.results)
    .filter((r) => r.response_time_ms !== null)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.response_time_ms! - a.r.response_time_ms! || a.i - b.i)
    .slice(0, 5);
  if (slowest.length) {
    out.push('', '**Slowest requests**', '');
    for (const { r } of slowest) out.push(`- ${r.response_time_ms} ms ${code(`${r.http_method} ${r.endpoint}`)} → ${orDash(r.status_code)}`);
  }
  return out;
}

function chaosSection(run: Run): string[] {
  const e = run.chaos?.experiment;
  if (!e) return [];
  return [
    '',
    '### Chaos experiment',
    '',
    `- **${escapeCell(e.name)}**: ${e.experiment_type} on ${escapeCell(e.target_service)} in ${escapeCell(e.kubernetes_namespace)}, ${e.duration_sec}s`,
    `- Verdict: **${e.result ?? 'none'}** (status ${e.status})`,
    `- Recovery: ${e.recovery_time_sec === null ? 'not observed' : `${e.recovery_time_sec}s`} (target ${e.recovery_target_sec}s)`,
    `- Approval: ${e.approval_required ? `approved by ${escapeCell(e.approved_by ?? 'nobody')}` : 'not required'}`,
    '',
    '#### Audit trail',
    '',
    '| At | Action | Actor | Detail |',
    '|---|---|---|---|',
    ...e.audit.map((a) => `| ${a.at} | ${a.action} | ${escapeCell(a.actor)} | ${escapeCell(a.detail ?? '')} |`),
    '',
    '#### Observations',
    '',
    '| At | Type | Metric | Value | Notes |',
    '|---|---|---|---|---|',
    ...e.observations.map((o) => `| ${o.observed_at} | ${o.observation_type} | ${escapeCell(o.metric_name)} | ${escapeCell(o.metric_value)} | ${escapeCell(o.notes ?? '')} |`),
  ];
}

function canarySection(run: Run): string[] {
  const d = run.canary?.deployment;
  if (!d) return [];
  const out = [
    '',
    '### Canary',
    '',
    `- **${escapeCell(d.service_name)}** ${d.old_version} → ${d.new_version}: **${d.status}**, weight ${d.traffic_weight}%`,
    `- Error rate ${orDash(d.error_rate, (v) => `${formatNumber(v, 2)}%`)} (max ${formatNumber(d.threshold_max_error_rate, 2)}%), p95 ${orDash(d.response_time_p95, (v) => `${v} ms`)} (max ${d.threshold_max_response_time} ms)`,
  ];
  if (d.rollback_reason) out.push(`- Rollback: ${escapeCell(d.rollback_reason)}`);
  return out;
}

function e2eSection(run: Run): string[] {
  const runs = (run.e2e?.test_runs ?? []).filter((r) => r.steps.some((s) => s.status === 'failed'));
  if (!runs.length) return [];
  const out = ['', '### Failed scenario steps', ''];
  for (const r of runs) {
    const c: Case | undefined = run.cases[r.case_ordinal];
    const label = r.scenario_name ?? (c ? casePath(c) : `case ${r.case_ordinal}`);
    for (const s of r.steps.filter((x) => x.status === 'failed')) {
      out.push(`- ${escapeCell(label)}: step ${s.step_number} ${escapeCell(s.step_name)}${s.error_message ? `: ${escapeCell(firstLine(s.error_message))}` : ''}`);
    }
  }
  return out;
}

/** A plan run in the validation report's form: ITEM / RESULT / NOTES, tiers against targets, gates. */
function planSection(run: Run): string[] {
  const items = planItemRows(run);
  const out = ['', '| Item | Result | Notes |', '|---|---|---|'];
  for (const r of items) out.push(`| ${escapeCell(r.item)} | ${r.ok === null ? r.result : r.ok ? `✅ ${r.result}` : `❌ ${r.result}`} | ${escapeCell(r.notes, 300)}${r.runIds.length ? ` (${code(r.runIds[r.runIds.length - 1]!.slice(0, 8))})` : ''} |`);
  const tiers = planTierRows(run);
  if (tiers.length) {
    out.push('', '| Tier | Result | Time | Target | Notes |', '|---|---|---:|---:|---|');
    for (const t of tiers) out.push(`| ${escapeCell(t.tier)} | ${t.result} | ${t.time} | ${t.target} | ${escapeCell(t.reason)} |`);
  }
  const gates = planGateRows(run);
  if (gates.length) {
    out.push('', '| Gate | Where | Result | Measured |', '|---|---|---|---|');
    for (const g of gates) out.push(`| ${code(g.gate)} | ${escapeCell(g.scope)} | ${g.ok ? '✅' : '❌'} ${g.result}${g.reason ? `: ${escapeCell(g.reason)}` : ''} | ${escapeCell(g.actual)} |`);
  }
  return out;
}

/** Renders the run as a GitHub step summary. */
export function renderMarkdown(given: Run): string {
  const run = terminalSafeRun(given);
  const lines = [
    `## ${VERDICT_EMOJI[run.status]} ${run.kind} ${escapeCell(run.name)}: ${run.status.toUpperCase()}`,
    '',
    ...countsTable(run),
    '',
    `Environment **${run.environment}** · tool ${code(toolLabel(run))} · run ${code(run.id)}`,
  ];
  if (run.errorMessage) lines.push('', `> **Error:** ${escapeCell(firstLine(run.errorMessage), 500)}`);
  switch (run.kind) {
    case 'perf':
      lines.push(...perfSection(run));
      break;
    case 'api':
      lines.push(...apiSection(run));
      break;
    case 'chaos':
      lines.push(...chaosSection(run));
      break;
    case 'canary':
      lines.push(...canarySection(run));
      break;
    case 'e2e':
      lines.push(...e2eSection(run));
      break;
    case 'plan':
      lines.push(...planSection(run));
      break;
  }
  lines.push(...failuresSection(run), ...flakySection(run), ...artifactsSection(run));
  return `${lines.join('\n')}\n\n`;
}

export const markdownRenderer: Renderer = {
  name: 'markdown',
  extension: 'md',
  render: (run) => renderMarkdown(run),
};
