import {
  computeTotals,
  makeRun,
  type Artifact,
  type Case,
  type KindDetails,
  type CiInfo,
  type Environment,
  type MetricSample,
  type RunInput,
  type RunStatus,
  type Trigger,
} from '../../model/index.js';
import { addFigureMetadata, stoppedVerdict, intOrNull, perfCases, perfDetails, perfRows, perfSeriesSamples, round2, type PerfCaseDraft, type PerfFigures, type PerfInterval } from '../perf-run.js';
import type { PerfRunIdentity } from '../perf-run.js';
import type { K6JsonStream, SeriesRow } from './stream.js';
import type { K6Summary, K6SummaryMetric, K6Threshold } from './summary.js';
import { formatObserved, observedValue, parseThreshold, thresholdHolds } from './thresholds.js';

export const PERF_TYPES = ['load', 'spike', 'soak', 'stress'] as const;
export type PerfType = (typeof PERF_TYPES)[number];

/** k6's exit codes (errext/exitcodes/codes.go) and what they mean. */
export const K6_EXIT_CODES: Readonly<Record<number, string>> = {
  97: 'cloud test run failed',
  98: 'cloud failed to get progress',
  99: 'thresholds have been crossed',
  100: 'setup() timed out',
  101: 'teardown() timed out',
  102: 'generic timeout',
  103: 'generic engine error or stopped through the REST API',
  104: 'invalid config',
  105: 'aborted from outside (signal)',
  106: 'cannot start the REST API',
  107: 'script exception',
  108: 'aborted by test.abort()',
  109: 'Go panic',
  110: 'marked as failed by the script',
};

/** What the caller decided about a run before k6's outputs are read. */
export interface K6RunContext extends PerfRunIdentity {
  readonly testType: PerfType;
  readonly scenarioName: string;
  readonly scriptPath: string;
  /** --target-tps, or null when no target was set. */
  readonly targetTps: number | null;
  readonly failUnderTarget: boolean;
  /** --vus, when given. */
  readonly vus: number | null;
  readonly artifacts: readonly Artifact[];
}

/** What k6 left behind: its exit code, its error output, and its machine-readable files. */
export interface K6Capture {
  /** k6's exit code; null for an import (no process) or when it died from a signal. */
  readonly exitCode: number | null;
  readonly stderr: string;
  /** The summary export, or null when k6 wrote none (or none was given). */
  readonly summary: K6Summary | null;
  /** Why the summary is missing or unreadable, when it should have been there. */
  readonly summaryProblem: string | null;
  readonly stream: K6JsonStream | null;
  /** True when we stopped k6 (Ctrl-C). */
  readonly interrupted: boolean;
  /** The signal that killed k6, when it did not exit by itself (e.g. SIGKILL from the OOM killer). */
  readonly signal?: string | null;
  /** How long k6 ran, when it was run here. */
  readonly wallMs: number | null;
}

/** k6's summary rebuilt from a JSON output stream, with the declared thresholds evaluated here. */
export function summaryFromStream(stream: K6JsonStream): K6Summary {
  const durationMs = stream.firstTime !== null && stream.lastTime !== null ? stream.lastTime - stream.firstTime : null;
  const seconds = durationMs && durationMs > 0 ? durationMs / 1000 : null;
  const metrics = new Map<string, K6SummaryMetric>();
  for (const m of stream.metrics.values()) {
    let values: Record<string, number> = {};
    switch (m.type) {
      case 'counter':
        values = { count: m.sum, rate: seconds ? m.sum / seconds : 0 };
        break;
      case 'gauge':
        if (m.points) values = { value: m.last, min: m.min, max: m.max };
        break;
      case 'rate': {
        const n = m.passes + m.fails;
        values = { rate: n ? m.passes / n : 0, passes: m.passes, fails: m.fails };
        break;
      }
      case 'trend': {
        const h = m.hist;
        if (h && h.count) {
          values = { avg: h.avg!, min: h.min, med: h.quantile(0.5)!, max: h.max, 'p(90)': h.quantile(0.9)!, 'p(95)': h.quantile(0.95)!, 'p(99)': h.quantile(0.99)!, count: h.count };
        }
        break;
      }
    }
    const thresholds: K6Threshold[] = m.thresholds.map((expression) => {
      const parsed = parseThreshold(expression);
      const observed = parsed ? observedValue(parsed, values) : null;
      return { expression, ok: parsed && observed !== null ? thresholdHolds(parsed, observed) : null };
    });
    metrics.set(m.name, { name: m.name, type: m.type, contains: m.contains, values, thresholds });
  }
  return {
    format: 'json-output',
    metrics,
    checks: stream.checkList().map((c) => ({ name: c.name, group: c.group, passes: c.passes, fails: c.fails })),
    durationMs,
    k6Version: null,
    passed: null,
  };
}

/** The first error k6 logged (its own message), from logfmt or coloured log lines. */
export function k6ErrorMessage(stderr: string): string | null {
  const lines = stderr.split(/\r?\n/);
  let found: string | null = null;
  for (const line of lines) {
    const logfmt = /\blevel=(?:error|fatal)\b.*?\bmsg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (logfmt) {
      const msg = logfmt[1]!.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      const hint = /\bhint="((?:[^"\\]|\\.)*)"/.exec(line);
      found = hint ? `${msg.trim()} (${hint[1]})` : msg.trim();
      if (!/thresholds on metrics .* have been crossed|some thresholds have failed/.test(found)) return found;
      continue;
    }
    const coloured = /^(?:\x1b\[[0-9;]*m)?ERRO(?:\x1b\[[0-9;]*m)?\[\d+\]\s*(.*)$/.exec(line);
    if (coloured) {
      found = coloured[1]!.replace(/\x1b\[[0-9;]*m/g, '').trim();
      if (!/thresholds on metrics .* have been crossed|some thresholds have failed/.test(found)) return found;
    }
  }
  if (found) return found;
  const last = lines.map((l) => l.trim()).filter(Boolean).pop();
  return last ? last.replace(/\x1b\[[0-9;]*m/g, '') : null;
}

/** The figures of `performance_tests`, from the summary first and the stream second. */
export function perfFigures(summary: K6Summary | null, stream: K6JsonStream | null, wallMs: number | null): PerfFigures {
  const metric = (name: string) => summary?.metrics.get(name)?.values;
  const reqs = metric('http_reqs');
  const dur = metric('http_req_duration');
  const failed = metric('http_req_failed');
  const hist = stream?.metrics.get('http_req_duration')?.hist ?? null;
  const vusMax = metric('vus_max');
  const vus = metric('vus');

  let durationMs = summary?.durationMs ?? null;
  if (durationMs === null && reqs && reqs.count && reqs.rate) durationMs = (reqs.count / reqs.rate) * 1000;
  if (durationMs === null) {
    const it = metric('iterations');
    if (it && it.count && it.rate) durationMs = (it.count / it.rate) * 1000;
  }
  durationMs ??= wallMs;
  if (durationMs === null && stream?.firstTime != null && stream.lastTime != null) durationMs = stream.lastTime - stream.firstTime;

  let p95 = intOrNull(dur?.['p(95)'] ?? hist?.quantile(0.95));
  const p99 = intOrNull(dur?.['p(99)'] ?? hist?.quantile(0.99));
  if (p95 !== null && p99 !== null && p95 > p99) p95 = p99;
  const failRate = failed?.rate;
  return {
    actualTps: reqs?.rate !== undefined ? round2(reqs.rate) : null,
    p95,
    p99,
    avg: intOrNull(dur?.avg ?? hist?.avg),
    max: intOrNull(dur?.max ?? (hist && hist.count ? hist.max : null)),
    errorRate: failRate !== undefined ? Math.min(100, Math.max(0, round2(failRate * 100))) : null,
    totalRequests: intOrNull(reqs?.count),
    failedRequests: failedRequests(failed),
    durationMs,
    virtualUsers: intOrNull(vusMax?.max ?? vusMax?.value ?? vus?.max) ?? null,
  };
}

/**
 * http_req_failed counts a FAILED request as a pass (value 1). When passes/fails disagree with the
 * rate k6 printed (the official machine-readable example does), the rate wins.
 */
function failedRequests(v: Readonly<Record<string, number>> | undefined): number | null {
  if (!v || v.passes === undefined) return null;
  const n = v.passes + (v.fails ?? 0);
  if (v.rate !== undefined && n > 0 && Math.abs(v.passes / n - v.rate) > 1e-6) return Math.round(v.rate * n);
  return Math.round(v.passes);
}

/** k6's series as the intervals every load tool reports. */
function intervalsOf(rows: readonly SeriesRow[]): PerfInterval[] {
  return rows.map((r) => ({ time: r.time, spanMs: r.spanMs, users: r.vus, requests: r.requests, p95: r.p95, errorRate: r.failedSamples ? round2((r.failed / r.failedSamples) * 100) : null }));
}

function thresholdCases(summary: K6Summary): PerfCaseDraft[] {
  const out: PerfCaseDraft[] = [];
  const names = [...summary.metrics.keys()].sort();
  for (const name of names) {
    const m = summary.metrics.get(name)!;
    for (const t of m.thresholds) {
      const parsed = parseThreshold(t.expression);
      const observed = parsed ? observedValue(parsed, m.values) : null;
      const shown = parsed && observed !== null ? formatObserved(parsed.aggregation, observed, m.contains ?? (isTimeMetric(name) ? 'time' : null), m.type) : null;
      const properties: Record<string, string> = { metric: name, expression: t.expression };
      if (shown) properties.observed = shown;
      if (observed !== null) properties.observed_value = String(observed);
      out.push({
        suitePath: ['thresholds', name],
        name: t.expression,
        status: t.ok === null ? 'skipped' : t.ok ? 'passed' : 'failed',
        errorMessage:
          t.ok === false ? `threshold '${t.expression}' on ${name} crossed${shown ? `: ${shown}` : ''}`
          : t.ok === null ? `threshold '${t.expression}' on ${name} could not be evaluated from this output`
          : null,
        properties,
      });
    }
  }
  return out;
}

function isTimeMetric(name: string): boolean {
  return /^(http_req_|iteration_duration|group_duration)/.test(name) && !name.startsWith('http_req_failed');
}

/*
 * A k6 check does not fail a test by itself (thresholds on `checks` decide, and k6 exits 0), so a
 * check that failed some of the time is reported as flaky (counted as passed, shown apart), with one
 * failed and one passed attempt; a check that never passed is failed.
 */
function checkCases(summary: K6Summary): PerfCaseDraft[] {
  return summary.checks.map((c) => {
    const total = c.passes + c.fails;
    return {
      suitePath: ['checks', ...c.group.split('::').filter(Boolean)],
      name: c.name,
      status: c.fails === 0 ? 'passed' : c.passes === 0 ? 'failed' : 'flaky',
      errorMessage: c.fails === 0 ? null : `check '${c.name}' failed ${c.fails} of ${total} times`,
      properties: {
        passes: String(c.passes),
        fails: String(c.fails),
        pass_rate: total ? `${round2((c.passes / total) * 100)}%` : 'n/a',
      },
    };
  });
}

/** The parts of a perf run that k6's outputs decide; `makeRun` adds totals and the run's identity. */
export interface K6Outcome {
  readonly status: RunStatus;
  readonly errorMessage: string | null;
  readonly toolVersion: string | null;
  readonly metadata: Record<string, string>;
  readonly cases: Case[];
  readonly metrics: MetricSample[];
  readonly details: KindDetails;
}

/**
 * The perf run's verdict, cases, series and record from k6's outputs. Pure: the caller reads the files.
 * Verdict: exit 99 is a failed run; any other non-zero exit is a tool error carrying k6's own
 * message; a run we stopped is interrupted. Thresholds and checks are cases either way.
 */
export function buildK6Outcome(ctx: K6RunContext, capture: K6Capture): K6Outcome {
  const summary = capture.summary ?? (capture.stream && capture.stream.points > 0 ? summaryFromStream(capture.stream) : null);
  const figures = perfFigures(summary, capture.stream, capture.wallMs);
  const exit = capture.exitCode;
  const drafts: PerfCaseDraft[] = summary ? [...thresholdCases(summary), ...checkCases(summary)] : [];

  let status: RunStatus;
  let errorMessage: string | null = null;
  const toolCodeError = exit !== null && exit !== 0 && exit !== 99;
  const stopped = stoppedVerdict('k6', capture);
  if (stopped) {
    ({ status, errorMessage } = stopped);
  } else if (toolCodeError) {
    status = 'error';
    const meaning = K6_EXIT_CODES[exit] ?? 'unknown error';
    const message = k6ErrorMessage(capture.stderr);
    errorMessage = `k6 exited with code ${exit} (${meaning})${message ? `: ${message}` : ''}`;
  } else if (exit === null && capture.stream === null && capture.summary === null) {
    status = 'error';
    errorMessage = capture.summaryProblem ?? 'k6 ended without a result';
  } else if (capture.summary === null && exit !== null) {
    status = 'error';
    errorMessage = `k6 exited with code ${exit} but ${capture.summaryProblem ?? 'wrote no summary export'}`;
  } else {
    status = 'passed';
  }

  if (ctx.targetTps !== null && figures.actualTps !== null && status !== 'error') {
    const met = figures.actualTps >= ctx.targetTps;
    drafts.push({
      suitePath: ['throughput'],
      name: `actual_tps >= target_tps (${ctx.targetTps})`,
      status: met ? 'passed' : ctx.failUnderTarget ? 'failed' : 'skipped',
      errorMessage: met ? null : `actual throughput ${figures.actualTps} req/s is below the target of ${ctx.targetTps}${ctx.failUnderTarget ? '' : ' (not enforced; add --fail-under-target to fail the run)'}`,
      properties: { target_tps: String(ctx.targetTps), actual_tps: String(figures.actualTps) },
    });
  }
  if (status === 'passed' || (status === 'interrupted' && summary)) {
    if (exit === 99 && !drafts.some((d) => d.status === 'failed')) {
      drafts.push({ suitePath: ['thresholds'], name: 'k6 thresholds', status: 'failed', errorMessage: 'k6 reported crossed thresholds (exit code 99)', properties: {} });
    }
    if (summary?.passed === false && !drafts.some((d) => d.status === 'failed')) {
      drafts.push({ suitePath: ['thresholds'], name: 'k6 verdict', status: 'failed', errorMessage: 'the k6 summary reports the test as failed', properties: {} });
    }
    if (status === 'passed' && !drafts.some((d) => d.status !== 'skipped')) {
      drafts.push({ suitePath: [], name: 'k6 run (no thresholds or checks defined)', status: 'passed', errorMessage: null, properties: { note: 'define thresholds in the script to make the run pass or fail on numbers' } });
    }
  }

  const durationMs = Math.max(0, Date.parse(ctx.completedAt) - Date.parse(ctx.startedAt));
  const cases = perfCases(drafts, ctx.scriptPath || null);
  const totals = computeTotals(cases);
  if (status === 'passed' && totals.failed > 0) status = 'failed';
  if (status === 'passed' && exit === 99) status = 'failed';

  const rows = capture.stream ? perfRows(intervalsOf(capture.stream.series().rows)) : [];
  const perfDurationMs = figures.durationMs ?? durationMs;
  const metadata: Record<string, string> = { k6_script_path: ctx.scriptPath, test_type: ctx.testType };
  if (summary) metadata.k6_summary_format = summary.format;
  if (exit !== null) metadata.k6_exit_code = String(exit);
  addFigureMetadata(metadata, figures, ctx.targetTps);
  if (capture.stream) {
    metadata.k6_json_points = String(capture.stream.points);
    metadata.series_interval_ms = String(capture.stream.series().intervalMs);
  }

  return {
    status,
    errorMessage,
    toolVersion: ctx.toolVersion ?? summary?.k6Version ?? null,
    metadata,
    cases,
    metrics: perfSeriesSamples(rows),
    details: perfDetails({
      testType: ctx.testType,
      scenarioName: ctx.scenarioName,
      targetTps: ctx.targetTps,
      figures: { ...figures, durationMs: perfDurationMs },
      fallbackDurationMs: durationMs,
      requestedUsers: ctx.vus,
      status,
      run: ctx,
      scriptPath: ctx.scriptPath,
      rows,
    }),
  };
}

/** Builds the complete perf run from k6's outputs (an import, or a run made here). Pure. */
export function buildK6Run(ctx: K6RunContext, capture: K6Capture): RunInput {
  const outcome = buildK6Outcome(ctx, capture);
  return makeRun({
    id: ctx.id,
    kind: 'perf',
    name: ctx.name,
    startedAt: ctx.startedAt,
    completedAt: ctx.completedAt,
    environment: ctx.environment,
    trigger: ctx.trigger,
    executedBy: ctx.executedBy,
    ci: ctx.ci,
    runGroup: ctx.runGroup,
    tool: { name: 'k6', version: outcome.toolVersion, commandLine: ctx.commandLine },
    artifacts: ctx.artifacts,
    ...outcome,
  });
}
