import { z } from 'zod';
import type { K6MetricType } from './stream.js';

/*
 * k6's end-of-test summaries, in the three machine-readable shapes k6 writes:
 * - `--summary-export=<file>` (legacy; k6 derives it from the handleSummary data by hoisting each
 *   metric's values, renaming a rate metric's `rate` to `value`, and turning thresholds into
 *   {"<expr>": true-when-FAILED}; groups and checks become objects keyed by name),
 * - the handleSummary() data (`JSON.stringify(data)`), with {type, contains, values, thresholds:
 *   {"<expr>": {ok}}} per metric,
 * - the machine-readable summary 1.0.0 (k6 >= 1.5 with --new-machine-readable-summary).
 * All three become one K6Summary. The schemas check only the fields read here.
 */

/** `json-output`: rebuilt here from a `--out json` stream (see summaryFromStream). */
export type K6SummaryFormat = 'summary-export' | 'handle-summary' | 'machine-readable' | 'json-output';

export interface K6Threshold {
  /** The expression as the script wrote it (spacing kept). */
  readonly expression: string;
  /** k6's verdict; null when it could not be evaluated (only for summaries rebuilt from a stream). */
  readonly ok: boolean | null;
}

export interface K6SummaryMetric {
  /** Metric key, including a sub-metric's tag filter (`http_req_duration{expected_response:true}`). */
  readonly name: string;
  readonly type: K6MetricType | null;
  readonly contains: string | null;
  /** Values as k6 computed them; a rate metric's fraction is always under `rate`. */
  readonly values: Readonly<Record<string, number>>;
  readonly thresholds: readonly K6Threshold[];
}

export interface K6SummaryCheck {
  readonly name: string;
  /** Group path, "" for the root group, else "::group::sub". */
  readonly group: string;
  readonly passes: number;
  readonly fails: number;
}

export interface K6Summary {
  readonly format: K6SummaryFormat;
  readonly metrics: ReadonlyMap<string, K6SummaryMetric>;
  readonly checks: readonly K6SummaryCheck[];
  /** Test run duration when the summary carries one (handleSummary state, new summary config). */
  readonly durationMs: number | null;
  readonly k6Version: string | null;
  /** The new summary's own verdict; null for the older shapes. */
  readonly passed: boolean | null;
}

const num = z.number();
const values = z.record(z.string(), z.unknown());
const checkShape = z.looseObject({ name: z.string(), passes: num, fails: num, path: z.string().optional() });

const legacySchema = z.looseObject({
  root_group: z.looseObject({}).optional(),
  metrics: z.record(z.string(), z.looseObject({ thresholds: z.record(z.string(), z.boolean()).optional() })),
});

const handleSummarySchema = z.looseObject({
  root_group: z.looseObject({}).optional(),
  state: z.looseObject({ testRunDurationMs: num.optional() }).optional(),
  metrics: z.record(
    z.string(),
    z.looseObject({
      type: z.enum(['counter', 'gauge', 'rate', 'trend']),
      contains: z.string().optional(),
      values,
      thresholds: z.record(z.string(), z.looseObject({ ok: z.boolean() })).optional(),
    }),
  ),
});

const machineThresholds = z
  .union([
    z.record(z.string(), z.union([z.boolean(), z.looseObject({ ok: z.boolean() })])),
    z.array(z.looseObject({ source: z.string().optional(), expression: z.string().optional(), threshold: z.string().optional(), ok: z.boolean().optional(), passed: z.boolean().optional() })),
  ])
  .optional();

const machineSchema = z.looseObject({
  version: z.string(),
  metadata: z.looseObject({ k6Version: z.string().optional() }).optional(),
  config: z.looseObject({ duration: num.optional() }).optional(),
  results: z.looseObject({
    passed: z.boolean().optional(),
    metrics: z.array(z.looseObject({ name: z.string(), type: z.enum(['counter', 'gauge', 'rate', 'trend']), contains: z.string().optional(), values, thresholds: machineThresholds })),
    // The 1.0.0 JSON Schema calls the list `results`; the official example uses `orderedChecks`.
    checks: z.looseObject({ results: z.array(checkShape).optional(), orderedChecks: z.array(checkShape).optional() }).optional(),
  }),
});

function numbers(v: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'number' && Number.isFinite(x)) out[k] = x;
  return out;
}

/** A legacy export has no `type`: infer it from which values are present. */
function inferType(v: Record<string, number>): K6MetricType | null {
  if ('passes' in v && 'fails' in v) return 'rate';
  if ('count' in v && 'rate' in v && !('avg' in v)) return 'counter';
  if ('avg' in v || 'med' in v || Object.keys(v).some((k) => k.startsWith('p('))) return 'trend';
  if ('value' in v && 'min' in v && 'max' in v) return 'gauge';
  return null;
}

/** Walks root_group (groups as arrays or as objects keyed by name) and returns every check. */
function collectChecks(group: unknown, out: K6SummaryCheck[], path = ''): void {
  if (typeof group !== 'object' || group === null) return;
  const g = group as { checks?: unknown; groups?: unknown; path?: unknown };
  const groupPath = typeof g.path === 'string' ? g.path : path;
  const checks = Array.isArray(g.checks) ? g.checks : typeof g.checks === 'object' && g.checks ? Object.values(g.checks) : [];
  for (const c of checks) {
    const parsed = checkShape.safeParse(c);
    if (parsed.success) out.push({ name: parsed.data.name, group: groupPath, passes: parsed.data.passes, fails: parsed.data.fails });
  }
  const groups = Array.isArray(g.groups) ? g.groups : typeof g.groups === 'object' && g.groups ? Object.values(g.groups) : [];
  for (const sub of groups) collectChecks(sub, out, groupPath);
}

/**
 * Reads a parsed JSON document as a k6 summary. Returns null when it is not one of k6's summary
 * shapes, so callers can say what they expected.
 */
export function readK6Summary(doc: unknown): K6Summary | null {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  const o = doc as Record<string, unknown>;

  if ('results' in o && 'version' in o) {
    const parsed = machineSchema.safeParse(doc);
    if (!parsed.success) return null;
    const r = parsed.data.results;
    const metrics = new Map<string, K6SummaryMetric>();
    for (const m of r.metrics) {
      metrics.set(m.name, { name: m.name, type: m.type, contains: m.contains ?? null, values: numbers(m.values), thresholds: machineThresholdList(m.thresholds) });
    }
    const checkList = r.checks?.results ?? r.checks?.orderedChecks ?? [];
    return {
      format: 'machine-readable',
      metrics,
      checks: checkList.map((c) => ({ name: c.name, group: '', passes: c.passes, fails: c.fails })),
      durationMs: parsed.data.config?.duration !== undefined ? parsed.data.config.duration * 1000 : null,
      k6Version: parsed.data.metadata?.k6Version ?? null,
      passed: r.passed ?? null,
    };
  }

  if (!('metrics' in o) || typeof o.metrics !== 'object' || o.metrics === null) return null;
  const first = Object.values(o.metrics as Record<string, unknown>)[0] as Record<string, unknown> | undefined;
  const isHandleSummary = first !== undefined && typeof first === 'object' && first !== null && 'values' in first && 'type' in first;
  const checks: K6SummaryCheck[] = [];
  collectChecks(o.root_group, checks);

  if (isHandleSummary) {
    const parsed = handleSummarySchema.safeParse(doc);
    if (!parsed.success) return null;
    const metrics = new Map<string, K6SummaryMetric>();
    for (const [name, m] of Object.entries(parsed.data.metrics)) {
      metrics.set(name, {
        name,
        type: m.type,
        contains: m.contains ?? null,
        values: numbers(m.values),
        thresholds: Object.entries(m.thresholds ?? {}).map(([expression, t]) => ({ expression, ok: t.ok })),
      });
    }
    return { format: 'handle-summary', metrics, checks, durationMs: parsed.data.state?.testRunDurationMs ?? null, k6Version: null, passed: null };
  }

  const parsed = legacySchema.safeParse(doc);
  if (!parsed.success || !('root_group' in o)) return null;
  const metrics = new Map<string, K6SummaryMetric>();
  for (const [name, raw] of Object.entries(parsed.data.metrics)) {
    const { thresholds, ...rest } = raw;
    const v = numbers(rest);
    const type = inferType(v);
    // oldJSONSummary renamed a rate metric's `rate` to `value`; put it back.
    if (type === 'rate' && 'value' in v && !('rate' in v)) {
      v.rate = v.value!;
      delete v.value;
    }
    metrics.set(name, {
      name,
      type,
      contains: null,
      values: v,
      // In the legacy export a threshold's boolean is TRUE WHEN IT FAILED.
      thresholds: Object.entries(thresholds ?? {}).map(([expression, failed]) => ({ expression, ok: !failed })),
    });
  }
  return { format: 'summary-export', metrics, checks, durationMs: null, k6Version: null, passed: null };
}

function machineThresholdList(t: z.infer<typeof machineThresholds>): K6Threshold[] {
  if (!t) return [];
  if (Array.isArray(t)) {
    return t.flatMap((x) => {
      const expression = x.source ?? x.expression ?? x.threshold;
      const ok = x.ok ?? x.passed;
      return expression !== undefined && ok !== undefined ? [{ expression, ok }] : [];
    });
  }
  return Object.entries(t).map(([expression, v]) => ({ expression, ok: typeof v === 'boolean' ? v : v.ok }));
}

/**
 * Parses JSON, also accepting `//` and block comments and trailing commas (k6's docs annotate their
 * summary examples that way). Throws SyntaxError when it still is not JSON.
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const stripped = stripJsonComments(text);
    if (stripped === text) throw error;
    return JSON.parse(stripped);
  }
}

function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}
