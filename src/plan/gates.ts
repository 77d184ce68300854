import { RUN_KINDS, parseDuration, type Run, type RunKind } from '../model/index.js';

/*
 * Gates: pass/fail criteria over the figures the run model holds, in the spirit of Taurus' criteria:
 * `p95 < 200ms`, `error_rate < 1%`, `tps >= 40`, `recovery_time <= 30s`, `e2e.pass_rate >= 100%`,
 * `flaky <= 2`. A gate that cannot be evaluated (no run measured the figure) fails; it never passes.
 */

type Unit = 'ms' | 'percent' | 'count' | 'rate';

interface Figure {
  /** The kind whose runs measure it, or null for a figure every run has (counts, duration). */
  readonly kind: RunKind | null;
  readonly unit: Unit;
  /** Time figures without a unit are read in this unit (ms for latencies, s for recovery). */
  readonly bareTime?: 'ms' | 's';
  readonly describe: string;
  /** The figure of one run, or null when the run did not measure it. */
  readonly of?: (run: Run) => number | null;
  /** Counts are summed over runs before they are compared. */
  readonly sum?: (run: Run) => { readonly value: number; readonly of: number };
}

const perf = (pick: (t: NonNullable<Run['perf']>['test']) => number | null) => (run: Run) => (run.perf ? pick(run.perf.test) : null);

export const FIGURES: Readonly<Record<string, Figure>> = {
  p95: { kind: 'perf', unit: 'ms', bareTime: 'ms', describe: 'p95 response time', of: perf((t) => t.p95_response_time) },
  p99: { kind: 'perf', unit: 'ms', bareTime: 'ms', describe: 'p99 response time', of: perf((t) => t.p99_response_time) },
  avg: { kind: 'perf', unit: 'ms', bareTime: 'ms', describe: 'average response time', of: perf((t) => t.avg_response_time) },
  max: { kind: 'perf', unit: 'ms', bareTime: 'ms', describe: 'maximum response time', of: perf((t) => t.max_response_time) },
  tps: { kind: 'perf', unit: 'rate', describe: 'throughput (requests per second)', of: perf((t) => t.actual_tps) },
  error_rate: { kind: 'perf', unit: 'percent', describe: 'error rate', of: perf((t) => t.error_rate) },
  requests: { kind: 'perf', unit: 'count', describe: 'requests', of: perf((t) => t.total_requests) },
  recovery_time: {
    kind: 'chaos',
    unit: 'ms',
    bareTime: 's',
    describe: 'recovery time',
    of: (run) => (run.chaos && run.chaos.experiment.recovery_time_sec !== null ? run.chaos.experiment.recovery_time_sec * 1000 : null),
  },
  pass_rate: {
    kind: null,
    unit: 'percent',
    describe: 'pass rate',
    sum: (run) => ({ value: run.totals.passed, of: run.totals.passed + run.totals.failed }),
  },
  passed: { kind: null, unit: 'count', describe: 'passed cases', sum: (run) => ({ value: run.totals.passed, of: 1 }) },
  failed: { kind: null, unit: 'count', describe: 'failed cases', sum: (run) => ({ value: run.totals.failed, of: 1 }) },
  flaky: { kind: null, unit: 'count', describe: 'flaky cases', sum: (run) => ({ value: run.totals.flaky, of: 1 }) },
  skipped: { kind: null, unit: 'count', describe: 'skipped cases', sum: (run) => ({ value: run.totals.skipped, of: 1 }) },
  cases: { kind: null, unit: 'count', describe: 'cases', sum: (run) => ({ value: run.totals.total, of: 1 }) },
  duration: { kind: null, unit: 'ms', bareTime: 's', describe: 'duration', of: (run) => run.durationMs },
};

const OPS = ['<=', '>=', '==', '!=', '<', '>'] as const;
type Op = (typeof OPS)[number];

export interface Gate {
  readonly expression: string;
  readonly kind: RunKind | null;
  readonly figure: string;
  readonly op: Op;
  /** The threshold in the figure's unit (ms, percent, count, requests per second). */
  readonly value: number;
}

/** Parses a gate, or returns why it cannot be parsed. */
export function parseGate(expression: string): Gate | { readonly error: string } {
  const m = /^\s*(?:([a-z][a-z0-9]*)\.)?([a-z_0-9]+)\s*(<=|>=|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*([a-z%/]*)\s*$/i.exec(expression);
  if (!m) return { error: `"${expression}" is not a gate: write <figure> <op> <value>, e.g. "p95 < 200ms" or "error_rate < 1%"` };
  const [, qualifier, name, op, number, unitText] = m as unknown as [string, string | undefined, string, Op, string, string];
  const figure = FIGURES[name!.toLowerCase()];
  if (!figure) return { error: `"${expression}": unknown figure "${name}" (known: ${Object.keys(FIGURES).join(', ')})` };
  let kind: RunKind | null = figure.kind;
  if (qualifier !== undefined) {
    const q = qualifier.toLowerCase();
    // The plan run is the parent of the runs a gate is evaluated over, never one of them.
    const kinds = RUN_KINDS.filter((k) => k !== 'plan');
    if (!(kinds as readonly string[]).includes(q)) return { error: `"${expression}": unknown run kind "${qualifier}" (known: ${kinds.join(', ')})` };
    if (figure.kind !== null && figure.kind !== q) return { error: `"${expression}": ${name} is measured by ${figure.kind} runs, not ${q} runs` };
    kind = q as RunKind;
  }
  const unit = unitText.toLowerCase();
  let value = Number(number);
  switch (figure.unit) {
    case 'ms': {
      const ms = unit === '' ? (figure.bareTime === 's' ? value * 1000 : value) : parseDuration(`${number}${unit}`);
      if (ms === null) return { error: `"${expression}": "${number}${unitText}" is not a time (use ms, s or m)` };
      value = ms;
      break;
    }
    case 'percent':
      if (unit !== '' && unit !== '%') return { error: `"${expression}": ${name} is a percentage (write e.g. 1%)` };
      break;
    case 'rate':
      if (unit !== '' && unit !== '/s' && unit !== 'rps') return { error: `"${expression}": ${name} is requests per second (write e.g. 40 or 40/s)` };
      break;
    case 'count':
      if (unit !== '') return { error: `"${expression}": ${name} is a count (no unit)` };
      break;
  }
  return { expression: expression.trim(), kind, figure: name!.toLowerCase(), op, value };
}

function compare(actual: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}

function show(figure: Figure, value: number): string {
  const round = (v: number) => String(Math.round(v * 100) / 100);
  switch (figure.unit) {
    case 'ms':
      return value >= 10_000 ? `${round(value / 1000)} s` : `${round(value)} ms`;
    case 'percent':
      return `${round(value)}%`;
    case 'rate':
      return `${round(value)} req/s`;
    case 'count':
      return round(value);
  }
}

export interface GateResult {
  readonly passed: boolean;
  /** The measured figure, or null when it could not be measured. */
  readonly actual: string | null;
  /** Why it failed (or could not be evaluated). */
  readonly reason: string | null;
}

/**
 * Evaluates a gate over runs (a step's run, or every run of a tier or plan). Figures of one kind
 * (p95, error rate, recovery time) must hold for every run that measures them, and the worst one is
 * shown; counts and the pass rate are summed over the runs first.
 */
export function evaluateGate(gate: Gate, runs: readonly Run[]): GateResult {
  const figure = FIGURES[gate.figure]!;
  const candidates = runs.filter((r) => r.kind !== 'plan' && (gate.kind === null || r.kind === gate.kind));
  const where = gate.kind ? `${gate.kind} run` : 'run';
  if (!candidates.length) return { passed: false, actual: null, reason: `no ${where} measured ${figure.describe}` };
  if (figure.sum) {
    let value = 0;
    let of = 0;
    for (const r of candidates) {
      const s = figure.sum(r);
      value += s.value;
      of += s.of;
    }
    if (figure.unit === 'percent') {
      if (of === 0) return { passed: false, actual: null, reason: `no ${where} had a passed or failed case to compute the ${figure.describe}` };
      value = (value / of) * 100;
    }
    const ok = compare(value, gate.op, gate.value);
    return { passed: ok, actual: show(figure, value), reason: ok ? null : `${figure.describe} is ${show(figure, value)}` };
  }
  let worst: { value: number; ok: boolean } | null = null;
  for (const r of candidates) {
    const value = figure.of!(r);
    if (value === null || !Number.isFinite(value)) {
      return { passed: false, actual: null, reason: `${figure.describe} was not measured by the ${r.kind} run "${r.name}" (${r.id.slice(0, 8)})` };
    }
    const ok = compare(value, gate.op, gate.value);
    const lower = gate.op === '<' || gate.op === '<=';
    if (worst === null || (!ok && worst.ok) || (ok === worst.ok && (lower ? value > worst.value : value < worst.value))) worst = { value, ok };
  }
  const w = worst!;
  return { passed: w.ok, actual: show(figure, w.value), reason: w.ok ? null : `${figure.describe} is ${show(figure, w.value)}` };
}
