import { makeCase, type PERF_TEST_TYPES, type Case, type CaseStatus, type KindDetails, type MetricSample, type PerformanceMetric, type RunStart, type RunStatus } from '../model/index.js';
import type { ParseContext } from './types.js';

/*
 * The parts of a perf run that every load tool (k6, Locust) builds alike: cases from drafts, the
 * per-interval series and its samples, the figures in the metadata, and the performance_tests record.
 * Each tool decides its verdict and its cases; this says how they are written down.
 */

/** Who, when and where of a perf run, decided before the tool's outputs are read. */
export interface PerfRunIdentity extends Omit<RunStart, 'kind'> {
  readonly name: string;
  readonly completedAt: string;
  readonly toolVersion: string | null;
  readonly commandLine: string | null;
}

/** The identity of a run the pipeline started, ending now. */
export function perfRunIdentity(at: ParseContext, name: string, toolVersion: string | null): PerfRunIdentity {
  const { kind: _kind, ...run } = at.run;
  return { ...run, name, completedAt: new Date().toISOString(), toolVersion, commandLine: null };
}

/** The note for a run that fell short of --target-tps. */
export function targetTpsNote(actualTps: number | null | undefined, targetTps: number | null, enforced: boolean): string | null {
  if (targetTps === null || actualTps === null || actualTps === undefined || actualTps >= targetTps) return null;
  return `shopfds-test: actual throughput ${actualTps} req/s is below --target-tps ${targetTps}${enforced ? '' : ' (add --fail-under-target to fail the run)'}`;
}

/**
 * The verdict of a run the tool did not finish by itself: stopped by us (Ctrl-C, --timeout) is
 * interrupted, killed by a signal (the OOM killer) is an error. Null when it ran to its end.
 */
export function stoppedVerdict(tool: string, capture: { readonly interrupted: boolean; readonly signal?: string | null; readonly exitCode: number | null }): { status: RunStatus; errorMessage: string } | null {
  if (capture.interrupted) {
    return { status: 'interrupted', errorMessage: `interrupted: ${tool} was stopped before the end of the test${capture.exitCode !== null ? ` (${tool} exit code ${capture.exitCode})` : ''}` };
  }
  if (capture.signal) return { status: 'error', errorMessage: `${tool} was killed by ${capture.signal} before it finished` };
  return null;
}

/** A case before its ordinal and attempts are known. */
export interface PerfCaseDraft {
  suitePath: string[];
  name: string;
  status: CaseStatus;
  errorMessage: string | null;
  errorStack?: string | null;
  properties: Record<string, string>;
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** A whole non-negative number, or null for none. */
export function intOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : Math.max(0, Math.round(v));
}

/** The run's figures as a load tool reports them (null: the tool did not say). */
export interface PerfFigures {
  readonly actualTps: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly avg: number | null;
  readonly max: number | null;
  /** Percent of requests that failed. */
  readonly errorRate: number | null;
  readonly totalRequests: number | null;
  readonly failedRequests: number | null;
  readonly durationMs: number | null;
  readonly virtualUsers: number | null;
}

/** The drafts as cases, in order, each with one attempt. */
export function perfCases(drafts: readonly PerfCaseDraft[], file: string | null): Case[] {
  return drafts.map((d, ordinal) =>
    makeCase({ ordinal, suitePath: d.suitePath, name: d.name, file, status: d.status, errorMessage: d.errorMessage, errorStack: d.errorStack ?? null, properties: d.properties }),
  );
}

/** One interval of a tool's series. */
export interface PerfInterval {
  /** Start of the interval, ms since the epoch. */
  readonly time: number;
  readonly spanMs: number;
  readonly users: number;
  readonly requests: number;
  readonly p95: number | null;
  /** Percent of requests that failed in the interval, or null when nothing was measured. */
  readonly errorRate: number | null;
}

/** The series as performance_metrics rows. */
export function perfRows(intervals: readonly PerfInterval[]): PerformanceMetric[] {
  return intervals.map((r) => ({
    measured_at: new Date(r.time).toISOString(),
    virtual_users: Math.max(0, Math.round(r.users)),
    requests_per_sec: round2(r.requests / (r.spanMs / 1000)),
    response_time_p95: r.p95 === null ? null : Math.max(0, Math.round(r.p95)),
    error_rate: r.errorRate,
  }));
}

/** The series as run metrics, at most `limit` points per name (evenly thinned); one set of names for every load tool. */
export function perfSeriesSamples(rows: readonly PerformanceMetric[], limit = 500): MetricSample[] {
  const step = Math.max(1, Math.ceil(rows.length / limit));
  const out: MetricSample[] = [];
  for (let i = 0; i < rows.length; i += step) {
    const r = rows[i]!;
    out.push({ name: 'vus', time: r.measured_at, value: r.virtual_users, tags: {} });
    out.push({ name: 'http_reqs_per_sec', time: r.measured_at, value: r.requests_per_sec, tags: {} });
    if (r.response_time_p95 !== null) out.push({ name: 'http_req_duration_p95_ms', time: r.measured_at, value: r.response_time_p95, tags: {} });
    if (r.error_rate !== null) out.push({ name: 'http_req_failed_pct', time: r.measured_at, value: r.error_rate, tags: {} });
  }
  return out;
}

/** Adds the headline figures and the target to a run's metadata. */
export function addFigureMetadata(metadata: Record<string, string>, figures: PerfFigures, targetTps: number | null): void {
  if (figures.actualTps !== null) metadata.actual_tps = String(figures.actualTps);
  if (figures.p95 !== null) metadata.p95_ms = String(figures.p95);
  if (figures.p99 !== null) metadata.p99_ms = String(figures.p99);
  if (figures.errorRate !== null) metadata.error_rate_pct = String(figures.errorRate);
  if (figures.totalRequests !== null) metadata.total_requests = String(figures.totalRequests);
  metadata.target_tps = targetTps === null ? 'not set' : String(targetTps);
}

/** What the performance_tests record needs besides the figures. */
export interface PerfRecordInput {
  readonly testType: (typeof PERF_TEST_TYPES)[number];
  readonly scenarioName: string;
  readonly targetTps: number | null;
  readonly figures: PerfFigures;
  /** The run's own duration, when the tool's figures have none. */
  readonly fallbackDurationMs: number;
  /** Users asked for (--vus, --users), when the figures have none. */
  readonly requestedUsers: number | null;
  /** The run's final verdict. */
  readonly status: RunStatus;
  /** Whose run, when and where. */
  readonly run: Pick<PerfRunIdentity, 'startedAt' | 'completedAt' | 'environment' | 'ci' | 'executedBy'>;
  readonly scriptPath: string;
  readonly rows: readonly PerformanceMetric[];
}

/** The perf kind record of a run. */
export function perfDetails(p: PerfRecordInput): KindDetails {
  const f = p.figures;
  return {
    kind: 'perf',
    perf: {
      test: {
        test_type: p.testType,
        scenario_name: p.scenarioName.slice(0, 255),
        target_tps: p.targetTps ?? 1,
        actual_tps: f.actualTps,
        p95_response_time: f.p95,
        p99_response_time: f.p99,
        avg_response_time: f.avg,
        max_response_time: f.max,
        error_rate: f.errorRate,
        total_requests: f.totalRequests,
        failed_requests: f.failedRequests,
        duration_sec: Math.max(0, Math.round((f.durationMs ?? p.fallbackDurationMs) / 1000)),
        virtual_users: Math.max(1, f.virtualUsers ?? p.requestedUsers ?? 1),
        status: p.status === 'passed' ? 'completed' : 'failed',
        started_at: p.run.startedAt,
        completed_at: p.run.completedAt,
        k6_script_path: p.scriptPath.slice(0, 500),
        environment: p.run.environment,
        ci_build_id: p.run.ci?.buildId?.slice(0, 100) ?? null,
        executed_by: p.run.executedBy.slice(0, 100),
        metrics: [...p.rows],
      },
    },
  };
}
