import { computeTotals, makeRun, type Artifact, type CiInfo, type Environment, type RunInput, type RunStatus, type Trigger } from '../../model/index.js';
import { addFigureMetadata, stoppedVerdict, intOrNull, perfCases, perfDetails, perfRows, perfSeriesSamples, round2, type PerfCaseDraft, type PerfFigures } from '../perf-run.js';
import type { PerfRunIdentity } from '../perf-run.js';
import { locustSeries, type LocustException, type LocustFailure, type LocustHistoryPoint, type LocustStats, type LocustStatsEntry } from './stats.js';

export type LocustPerfType = 'load' | 'spike' | 'soak' | 'stress';

/** Pass/fail criteria (Locust has no thresholds of its own). Null: not checked. */
export interface LocustCriteria {
  /** Highest share of failed requests, percent. */
  readonly maxErrorRate: number | null;
  readonly maxP95Ms: number | null;
  readonly maxP99Ms: number | null;
  readonly maxAvgMs: number | null;
  readonly targetTps: number | null;
  readonly failUnderTarget: boolean;
}

export const NO_CRITERIA: LocustCriteria = { maxErrorRate: null, maxP95Ms: null, maxP99Ms: null, maxAvgMs: null, targetTps: null, failUnderTarget: false };

/** What the caller decided about a run before Locust's files are read. */
export interface LocustRunContext extends PerfRunIdentity {
  readonly testType: LocustPerfType;
  readonly scenarioName: string;
  readonly locustfile: string;
  /** --users, when known. */
  readonly users: number | null;
  readonly criteria: LocustCriteria;
  /** Locust's --exit-code-on-error; 0 means request failures and task exceptions do not fail the run. */
  readonly exitCodeOnError: number;
  readonly intervalMs: number;
  readonly artifacts: readonly Artifact[];
}

/** What Locust left behind. */
export interface LocustCapture {
  /** null for an import (no process) or when Locust died from a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  /** PREFIX_stats.csv, or null when Locust wrote none. */
  readonly stats: LocustStats | null;
  /** Why the statistics are missing or unreadable. */
  readonly statsProblem: string | null;
  readonly failures: readonly LocustFailure[];
  readonly exceptions: readonly LocustException[];
  readonly history: readonly LocustHistoryPoint[];
  readonly interrupted: boolean;
  readonly wallMs: number | null;
}

type CaseDraft = PerfCaseDraft;

/** The last meaningful line Locust printed to stderr (a traceback's last line, a log error). */
export function locustErrorMessage(stderr: string): string | null {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (/^\[[^\]]+\] [^/]+\/(?:ERROR|CRITICAL)\//.test(l)) return l.replace(/^\[[^\]]+\] [^/]+\/(?:ERROR|CRITICAL)\/[^:]+:\s*/, '');
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (/^\[[^\]]+\] [^/]+\/INFO\//.test(l)) continue;
    if (/^(Type|Name|-{3,}|Aggregated|Response time percentiles|Error report|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/.test(l) || /^[-|]+$/.test(l) || /^\|/.test(l)) continue;
    return l;
  }
  return null;
}

/** The figures of `performance_tests` from Locust's Aggregated row and history. */
export function locustFigures(stats: LocustStats | null, history: readonly LocustHistoryPoint[], wallMs: number | null): PerfFigures {
  const a = stats?.aggregated ?? null;
  let p95 = intOrNull(a?.percentiles['95%']);
  const p99 = intOrNull(a?.percentiles['99%']);
  if (p95 !== null && p99 !== null && p95 > p99) p95 = p99;
  const first = history[0];
  const last = history[history.length - 1];
  // Locust's own rate is requests over the time from the start to the last request.
  const durationMs = a && a.rps && a.requests > 0 ? (a.requests / a.rps) * 1000 : first && last && last.time > first.time ? last.time - first.time : wallMs;
  let users: number | null = null;
  for (const p of history) users = Math.max(users ?? 0, p.users);
  return {
    actualTps: a?.rps !== null && a?.rps !== undefined ? round2(a.rps) : null,
    p95,
    p99,
    avg: intOrNull(a?.avgMs),
    max: intOrNull(a?.maxMs),
    errorRate: a && a.requests > 0 ? Math.min(100, round2((a.failures / a.requests) * 100)) : a ? 0 : null,
    totalRequests: a ? a.requests : null,
    failedRequests: a ? a.failures : null,
    durationMs,
    virtualUsers: users && users > 0 ? users : null,
  };
}

function requestName(e: LocustStatsEntry): string {
  return e.type && !e.name.startsWith(`${e.type} `) ? `${e.type} ${e.name}` : e.name;
}

function requestCases(stats: LocustStats, failures: readonly LocustFailure[], failOnErrors: boolean): CaseDraft[] {
  return stats.entries.map((e) => {
    const errors = failures.filter((f) => f.name === e.name && (f.method === e.type || !e.type)).sort((x, y) => y.occurrences - x.occurrences);
    const shownErrors = errors.slice(0, 3).map((f) => `${f.error} (x${f.occurrences})`);
    const message = e.failures > 0 ? `${e.failures} of ${e.requests} requests failed${shownErrors.length ? `: ${shownErrors.join('; ')}` : ''}` : null;
    const properties: Record<string, string> = { method: e.type, requests: String(e.requests), failures: String(e.failures) };
    if (e.avgMs !== null) properties.avg_ms = String(Math.round(e.avgMs));
    if (e.percentiles['95%'] != null) properties.p95_ms = String(e.percentiles['95%']);
    if (e.percentiles['99%'] != null) properties.p99_ms = String(e.percentiles['99%']);
    if (e.maxMs !== null) properties.max_ms = String(Math.round(e.maxMs));
    if (e.rps !== null) properties.rps = String(round2(e.rps));
    if (e.failures > 0 && !failOnErrors) properties.note = 'failures do not fail the run (--exit-code-on-error 0)';
    return {
      suitePath: ['requests'],
      name: requestName(e),
      status: e.failures > 0 && failOnErrors ? 'failed' : 'passed',
      errorMessage: message,
      properties,
    } satisfies CaseDraft;
  });
}

function exceptionCases(exceptions: readonly LocustException[], failOnErrors: boolean): CaseDraft[] {
  return exceptions.map((x) => ({
    suitePath: ['exceptions'],
    name: x.message.split('\n')[0]!.slice(0, 200),
    status: failOnErrors ? 'failed' : 'passed',
    errorMessage: `raised ${x.count} time${x.count === 1 ? '' : 's'} in a task: ${x.message}`,
    errorStack: x.traceback || null,
    properties: { count: String(x.count) },
  }));
}

function criteriaCases(c: LocustCriteria, f: ReturnType<typeof locustFigures>): CaseDraft[] {
  const out: CaseDraft[] = [];
  const check = (name: string, observed: number | null, limit: number | null, unit: string, cmp: 'max' | 'min', enforce = true) => {
    if (limit === null) return;
    if (observed === null) {
      out.push({ suitePath: ['criteria'], name, status: 'failed', errorMessage: `${name}: Locust reported no value to compare`, properties: { limit: String(limit) } });
      return;
    }
    const ok = cmp === 'max' ? observed <= limit : observed >= limit;
    out.push({
      suitePath: ['criteria'],
      name,
      status: ok ? 'passed' : enforce ? 'failed' : 'skipped',
      errorMessage: ok ? null : `${name} not met: observed ${observed}${unit}${enforce ? '' : ' (not enforced; add --fail-under-target to fail the run)'}`,
      properties: { limit: String(limit), observed: String(observed) },
    });
  };
  check(`error_rate <= ${c.maxErrorRate}%`, f.errorRate, c.maxErrorRate, '%', 'max');
  check(`p95 <= ${c.maxP95Ms} ms`, f.p95, c.maxP95Ms, ' ms', 'max');
  check(`p99 <= ${c.maxP99Ms} ms`, f.p99, c.maxP99Ms, ' ms', 'max');
  check(`avg <= ${c.maxAvgMs} ms`, f.avg, c.maxAvgMs, ' ms', 'max');
  check(`actual_tps >= target_tps (${c.targetTps})`, f.actualTps, c.targetTps, ' req/s', 'min', c.failUnderTarget);
  return out;
}

/** Locust 2.12's exit codes: 0, --exit-code-on-error (default 1) on failures, 2 for an unhandled greenlet exception, 1 on start-up errors. */
function exitProblem(exit: number, exitCodeOnError: number, hadErrors: boolean): string | null {
  if (exit === 0) return null;
  if (exit === exitCodeOnError && hadErrors) return null;
  if (exit === 2) return 'Locust exited with code 2 (an unhandled exception in a greenlet)';
  return `Locust exited with code ${exit}`;
}

/**
 * Builds the complete perf run from Locust's CSV files. Pure: the caller reads the files.
 * Every request name is a case (failed when any of its requests failed, unless
 * --exit-code-on-error is 0); task exceptions are failed cases; the criteria are cases.
 */
export function buildLocustRun(ctx: LocustRunContext, capture: LocustCapture): RunInput {
  const { stats } = capture;
  const figures = locustFigures(stats, capture.history, capture.wallMs);
  const failOnErrors = ctx.exitCodeOnError !== 0;
  const drafts: CaseDraft[] = stats ? [...requestCases(stats, capture.failures, failOnErrors), ...exceptionCases(capture.exceptions, failOnErrors)] : [];
  const hadErrors = (stats?.aggregated?.failures ?? 0) > 0 || capture.exceptions.length > 0;
  const exit = capture.exitCode;

  let status: RunStatus;
  let errorMessage: string | null = null;
  const stopped = stoppedVerdict('Locust', capture);
  if (stopped) {
    ({ status, errorMessage } = stopped);
  } else if (!stats) {
    status = 'error';
    const why = locustErrorMessage(capture.stderr);
    errorMessage = `${exit !== null ? `Locust exited with code ${exit} and ` : 'Locust '}${capture.statsProblem ?? 'wrote no statistics'}${why ? `: ${why}` : ''}`;
  } else {
    const problem = exit === null ? null : exitProblem(exit, ctx.exitCodeOnError, hadErrors);
    if (problem) {
      status = 'error';
      const why = locustErrorMessage(capture.stderr);
      errorMessage = `${problem}${why ? `: ${why}` : ''}`;
    } else {
      status = 'passed';
    }
  }

  if (status !== 'error') drafts.push(...criteriaCases(ctx.criteria, figures));
  if (status === 'passed' && stats && stats.entries.length === 0) {
    drafts.push({ suitePath: [], name: 'Locust made requests', status: 'failed', errorMessage: 'the locustfile made no requests during the run', properties: {} });
  }

  const durationMs = Math.max(0, Date.parse(ctx.completedAt) - Date.parse(ctx.startedAt));
  const cases = perfCases(drafts, ctx.locustfile || null);
  if (status === 'passed' && computeTotals(cases).failed > 0) status = 'failed';

  const rows = perfRows(
    locustSeries(capture.history, ctx.intervalMs).map((r) => ({ ...r, errorRate: r.requests > 0 ? Math.min(100, round2((r.failures / r.requests) * 100)) : null })),
  );

  const metadata: Record<string, string> = { locustfile: ctx.locustfile, test_type: ctx.testType, exit_code_on_error: String(ctx.exitCodeOnError) };
  if (exit !== null) metadata.locust_exit_code = String(exit);
  addFigureMetadata(metadata, figures, ctx.criteria.targetTps);
  metadata.series_interval_ms = String(Math.max(1000, ctx.intervalMs));

  return makeRun({
    id: ctx.id,
    kind: 'perf',
    name: ctx.name,
    status,
    startedAt: ctx.startedAt,
    completedAt: ctx.completedAt,
    durationMs,
    environment: ctx.environment,
    trigger: ctx.trigger,
    executedBy: ctx.executedBy,
    ci: ctx.ci,
    tool: { name: 'locust', version: ctx.toolVersion, commandLine: ctx.commandLine },
    errorMessage,
    runGroup: ctx.runGroup,
    artifacts: ctx.artifacts,
    metadata,
    cases,
    metrics: perfSeriesSamples(rows),
    details: perfDetails({
      testType: ctx.testType,
      scenarioName: ctx.scenarioName,
      targetTps: ctx.criteria.targetTps,
      figures,
      fallbackDurationMs: durationMs,
      requestedUsers: ctx.users,
      status,
      run: ctx,
      scriptPath: ctx.locustfile,
      rows,
    }),
  });
}
