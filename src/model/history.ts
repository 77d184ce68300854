import { caseKey } from './case-key.js';
import type { Case, CaseStatus, Run, RunInput, RunKind } from './run.js';
import { computeTotals, isFailure } from './totals.js';

/*
 * Pure rules over the history: quarantine matching, flaky classification, run comparison and the
 * performance baseline check. The store supplies the rows; the CLI prints the results.
 */

// ---------------------------------------------------------------------------------------------
// Quarantine

/** Case property that marks a quarantined case in a stored run and in every report. */
export const QUARANTINE_PROPERTY = 'quarantined';
/** Run metadata: how many failing cases were quarantined (their failures did not fail the exit code). */
export const QUARANTINE_METADATA = 'shopfds.quarantinedFailures';

export interface QuarantineEntry {
  readonly id: string;
  /** A case key (or a unique prefix of at least 8 hex digits), or a name pattern with `*` wildcards. */
  readonly target: string;
  /** Only cases of this kind, or any kind. */
  readonly kind: RunKind | null;
  readonly reason: string;
  /** ISO time after which the entry no longer applies, or null for no end. */
  readonly until: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** Whether a quarantine target names a case key rather than a name pattern. */
export function isCaseKeyTarget(target: string): boolean {
  return /^[0-9a-f]{8,40}$/.test(target);
}

/** `*` matches any run of characters; everything else is literal. Case-sensitive. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** The case's full path as shown in reports: `suite › describe › name`. */
export function caseDisplayPath(c: { readonly suitePath: readonly string[]; readonly name: string }): string {
  return c.suitePath.length ? `${c.suitePath.join(' › ')} › ${c.name}` : c.name;
}

/**
 * Whether a name pattern matches a case: against its full path (`file › describe › title`) or any
 * tail of it (`describe › title`, `title`); a pattern without `*` also matches as a substring of
 * the full path.
 */
export function patternMatchesCase(pattern: string, c: { readonly suitePath: readonly string[]; readonly name: string }): boolean {
  const path = caseDisplayPath(c);
  if (!pattern.includes('*') && path.includes(pattern)) return true;
  const re = globToRegExp(pattern);
  for (let i = 0; i <= c.suitePath.length; i++) if (re.test([...c.suitePath.slice(i), c.name].join(' › '))) return true;
  return false;
}

export function quarantineMatches(entry: QuarantineEntry, kind: RunKind, key: string, c: { readonly suitePath: readonly string[]; readonly name: string }): boolean {
  if (entry.kind !== null && entry.kind !== kind) return false;
  if (isCaseKeyTarget(entry.target)) return key.startsWith(entry.target);
  return patternMatchesCase(entry.target, c);
}

/** Entries in force at `now`. */
export function activeQuarantine(entries: readonly QuarantineEntry[], now: string): QuarantineEntry[] {
  const t = Date.parse(now);
  return entries.filter((e) => e.until === null || Date.parse(e.until) >= t);
}

function quarantineLabel(e: QuarantineEntry): string {
  return `${e.reason}${e.until ? ` (until ${e.until.slice(0, 10)})` : ''}`;
}

/**
 * Marks the failing cases a quarantine entry matches: property `quarantined` = reason, and the
 * run's metadata counts them. The cases keep their status, so the run stays as the tool saw it;
 * {@link quarantineClearsRun} decides the exit code.
 */
export function applyQuarantine(run: RunInput, entries: readonly QuarantineEntry[], now: string): RunInput {
  const active = activeQuarantine(entries, now);
  if (!active.length) return run;
  let count = 0;
  const cases = run.cases.map((c) => {
    if (!isFailure(c)) return c;
    const key = caseKey(run.kind, { suitePath: c.suitePath, name: c.name, project: c.project ?? null });
    const entry = active.find((e) => quarantineMatches(e, run.kind, key, c));
    if (!entry) return c;
    count++;
    return { ...c, properties: { ...c.properties, [QUARANTINE_PROPERTY]: quarantineLabel(entry) } };
  });
  if (!count) return run;
  return { ...run, cases, metadata: { ...run.metadata, [QUARANTINE_METADATA]: String(count) } };
}

export function isQuarantined(c: Pick<Case, 'properties'>): boolean {
  return Object.prototype.hasOwnProperty.call(c.properties, QUARANTINE_PROPERTY);
}

/**
 * A failed run whose every failure is quarantined, with no run-level error: its exit code is 0.
 * A run with no failing case at all (a failed gate, a crossed threshold without a case) is not cleared.
 */
export function quarantineClearsRun(run: Pick<Run, 'status' | 'cases' | 'errorMessage'>): boolean {
  if (run.status !== 'failed' || run.errorMessage) return false;
  const failing = run.cases.filter(isFailure);
  return failing.length > 0 && failing.every(isQuarantined);
}

/** Consecutive passes, newest first, of a case's history: N in a row suggests releasing it. */
export function passStreak(statuses: readonly CaseStatus[]): number {
  let n = 0;
  for (const s of statuses) {
    if (s === 'skipped') continue;
    if (s !== 'passed') break;
    n++;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Flaky detection

/** One case's outcomes in a window, aggregated by the store. */
export interface CaseWindowStats {
  readonly caseKey: string;
  /** Runs that ran the case (skips excluded). */
  readonly runs: number;
  readonly failures: number;
  /** Runs where the case failed, then passed on a retry (status `flaky`). */
  readonly retriedPasses: number;
  /**
   * Pass/fail changes between consecutive runs, oldest to newest; null when not counted because
   * the case cannot reach the flip rule (flips are at most 2 x failures).
   */
  readonly flips: number | null;
  /** Commits on which the case both passed and failed. */
  readonly conflictingCommits: number;
  readonly lastSeen: string;
}

export type FlakyReason = 'retry' | 'same-commit' | 'flip-rate';

export interface FlakyVerdict extends Omit<CaseWindowStats, 'flips'> {
  readonly flips: number;
  readonly flipRate: number;
  readonly failureRate: number;
  readonly reasons: readonly FlakyReason[];
}

export interface FlakyRule {
  /** Flip rate (flips / (runs - 1)) at or above which a case is flaky. */
  readonly minFlipRate: number;
  /** And at least this many flips: one regression fixed later flips twice. */
  readonly minFlips: number;
}

export const DEFAULT_FLAKY_RULE: FlakyRule = { minFlipRate: 0.1, minFlips: 3 };

/**
 * The flaky rule:
 * - failed then passed within one run's retries (status flaky), or
 * - passed and failed on the same commit, or
 * - pass/fail flipped at least `minFlips` times with a flip rate of at least `minFlipRate`.
 * A case that failed in every run is broken, not flaky; a case that never failed is stable.
 */
export function classifyCase(s: CaseWindowStats, rule: FlakyRule = DEFAULT_FLAKY_RULE): FlakyVerdict | 'broken' | 'stable' {
  const flips = s.flips ?? 0;
  const flipRate = s.runs > 1 ? flips / (s.runs - 1) : 0;
  const failureRate = s.runs ? s.failures / s.runs : 0;
  if (s.runs > 0 && s.failures === s.runs) return 'broken';
  const reasons: FlakyReason[] = [];
  if (s.retriedPasses > 0) reasons.push('retry');
  if (s.conflictingCommits > 0) reasons.push('same-commit');
  if (flips >= rule.minFlips && flipRate >= rule.minFlipRate) reasons.push('flip-rate');
  if (!reasons.length) return 'stable';
  return { ...s, flips, flipRate, failureRate, reasons };
}

// ---------------------------------------------------------------------------------------------
// Comparison of two runs

/** One case of a run as the comparison needs it. */
export interface CaseOutcome {
  readonly caseKey: string;
  readonly name: string;
  readonly suitePath: readonly string[];
  readonly project: string | null;
  readonly status: CaseStatus;
  readonly durationMs: number;
}

export interface CaseChange {
  readonly caseKey: string;
  readonly name: string;
  readonly suitePath: readonly string[];
  readonly project: string | null;
  readonly before: CaseStatus | null;
  readonly after: CaseStatus | null;
  readonly beforeMs: number | null;
  readonly afterMs: number | null;
}

export interface PerfFigures {
  readonly p95: number | null;
  readonly p99: number | null;
  readonly tps: number | null;
  readonly errorRate: number | null;
}

export interface PerfDelta {
  readonly metric: 'p95' | 'p99' | 'tps' | 'errorRate';
  readonly before: number | null;
  readonly after: number | null;
  readonly change: number | null;
  /** Relative change in percent, or null when the base is 0 or unknown. */
  readonly changePct: number | null;
}

export interface RunComparison {
  /** Failing in the later run, not failing (or absent) in the earlier one. */
  readonly newFailures: CaseChange[];
  /** Failing in the earlier run, passing in the later one. */
  readonly fixed: CaseChange[];
  readonly stillFailing: CaseChange[];
  readonly added: CaseChange[];
  readonly removed: CaseChange[];
  /** Cases in both runs whose duration changed beyond the threshold. */
  readonly slower: CaseChange[];
  readonly faster: CaseChange[];
  readonly perf: PerfDelta[];
}

export interface CompareOptions {
  /** Relative duration change (0.5 = 50%) beyond which a case is listed as slower or faster. */
  readonly durationThreshold: number;
  /** And at least this many milliseconds, so 2 ms -> 4 ms is not news. */
  readonly minDurationChangeMs: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { durationThreshold: 0.5, minDurationChangeMs: 100 };

function passing(s: CaseStatus): boolean {
  return s === 'passed' || s === 'flaky';
}

/** Compares two runs case by case (by case key) and, for performance runs, their figures. */
export function compareRuns(
  before: readonly CaseOutcome[],
  after: readonly CaseOutcome[],
  perf: { before: PerfFigures | null; after: PerfFigures | null } = { before: null, after: null },
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): RunComparison {
  const a = new Map<string, CaseOutcome>();
  for (const c of before) a.set(c.caseKey, c);
  const seen = new Set<string>();
  const out: RunComparison = { newFailures: [], fixed: [], stillFailing: [], added: [], removed: [], slower: [], faster: [], perf: [] };
  const change = (x: CaseOutcome | undefined, y: CaseOutcome | undefined): CaseChange => {
    const c = (y ?? x)!;
    return {
      caseKey: c.caseKey,
      name: c.name,
      suitePath: c.suitePath,
      project: c.project,
      before: x?.status ?? null,
      after: y?.status ?? null,
      beforeMs: x?.durationMs ?? null,
      afterMs: y?.durationMs ?? null,
    };
  };
  for (const y of after) {
    if (seen.has(y.caseKey)) continue;
    seen.add(y.caseKey);
    const x = a.get(y.caseKey);
    const failsNow = isFailure(y);
    if (!x) {
      out.added.push(change(undefined, y));
      if (failsNow) out.newFailures.push(change(undefined, y));
      continue;
    }
    const failedBefore = isFailure(x);
    if (failsNow && failedBefore) out.stillFailing.push(change(x, y));
    else if (failsNow) out.newFailures.push(change(x, y));
    else if (failedBefore && passing(y.status)) out.fixed.push(change(x, y));
    if (passing(x.status) && passing(y.status)) {
      const diff = y.durationMs - x.durationMs;
      if (Math.abs(diff) >= options.minDurationChangeMs && x.durationMs > 0 && Math.abs(diff) / x.durationMs >= options.durationThreshold) {
        (diff > 0 ? out.slower : out.faster).push(change(x, y));
      }
    }
  }
  for (const x of before) if (!seen.has(x.caseKey)) (seen.add(x.caseKey), out.removed.push(change(x, undefined)));
  if (perf.before || perf.after) {
    for (const metric of ['p95', 'p99', 'tps', 'errorRate'] as const) {
      const b = perf.before?.[metric] ?? null;
      const v = perf.after?.[metric] ?? null;
      const d = b !== null && v !== null ? v - b : null;
      out.perf.push({ metric, before: b, after: v, change: d, changePct: d !== null && b ? (d / b) * 100 : null });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Performance baseline

/** `10%` or `10` -> 10. */
export function parsePercent(value: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  return m ? Number(m[1]) : null;
}

export interface BaselineCheck {
  readonly baselineRunId: string;
  readonly baselineP95: number;
  readonly p95: number;
  readonly regressionPct: number;
  readonly maxRegressionPct: number;
  readonly regressed: boolean;
}

/** p95 of this run against the baseline's: a rise above `maxRegressionPct` percent is a regression. */
export function checkP95(baselineRunId: string, baselineP95: number, p95: number, maxRegressionPct: number): BaselineCheck {
  const regressionPct = baselineP95 > 0 ? ((p95 - baselineP95) / baselineP95) * 100 : p95 > 0 ? Infinity : 0;
  return { baselineRunId, baselineP95, p95, regressionPct, maxRegressionPct, regressed: regressionPct > maxRegressionPct };
}

/**
 * Adds the baseline check to a performance run as one more case, like a k6 threshold: a regression
 * fails the case and so the run (an `error` or `interrupted` run keeps its status).
 */
export function withBaselineCase(run: RunInput, check: BaselineCheck): RunInput {
  const pct = Number.isFinite(check.regressionPct) ? `${check.regressionPct >= 0 ? '+' : ''}${check.regressionPct.toFixed(1)}%` : 'from 0';
  const message = `p95 ${check.p95} ms vs baseline ${check.baselineP95} ms (${pct}); allowed +${check.maxRegressionPct}%`;
  const status = check.regressed ? ('failed' as const) : ('passed' as const);
  const added = {
    ordinal: run.cases.length,
    suitePath: ['baseline'],
    name: `p95 regression <= ${check.maxRegressionPct}%`,
    file: null,
    line: null,
    column: null,
    project: null,
    status,
    durationMs: 0,
    attempts: [{ index: 0, status, durationMs: 0, startedAt: null, errorMessage: check.regressed ? message : null, errorStack: null }],
    errorMessage: check.regressed ? message : null,
    errorStack: null,
    artifacts: [],
    tags: [],
    properties: { 'baseline.runId': check.baselineRunId, 'baseline.p95': String(check.baselineP95), 'baseline.result': message },
    stdout: null,
    stderr: null,
  };
  const cases = [...run.cases, added];
  const totals = computeTotals(cases as { status: CaseStatus }[]);
  const statusOut = run.status === 'passed' && check.regressed ? 'failed' : run.status;
  return { ...run, cases, totals, status: statusOut };
}

/** Run metadata holding the SHA-256 of an imported report; the store indexes it to refuse duplicates. */
export const CONTENT_HASH_METADATA = 'shopfds.importSha256';
