/*
 * k6 threshold expressions: `<aggregation> <operator> <number>`, e.g. `p(95)<500`, `rate < 0.01`,
 * `count == 0`, `avg<=200`. Used to show the observed value next to each threshold, and to evaluate
 * the thresholds declared in a JSON output stream (which carries the expressions but not k6's verdict).
 */

export interface ParsedThreshold {
  /** Value key in k6's summary: `p(95)`, `avg`, `rate`, `count`, `value`, ... */
  readonly aggregation: string;
  readonly operator: '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
  readonly bound: number;
}

const PATTERN = /^\s*(avg|min|max|med|count|rate|value|p\(\s*\d+(?:\.\d+)?\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

export function parseThreshold(expression: string): ParsedThreshold | null {
  const m = PATTERN.exec(expression);
  if (!m) return null;
  return { aggregation: m[1]!.replace(/\s+/g, '').toLowerCase(), operator: m[2] as ParsedThreshold['operator'], bound: Number(m[3]) };
}

export function thresholdHolds(t: ParsedThreshold, observed: number): boolean {
  switch (t.operator) {
    case '<':
      return observed < t.bound;
    case '<=':
      return observed <= t.bound;
    case '>':
      return observed > t.bound;
    case '>=':
      return observed >= t.bound;
    case '==':
    case '===':
      return observed === t.bound;
    case '!=':
      return observed !== t.bound;
  }
}

/** The value a threshold is judged on, looked up in a metric's summary values. */
export function observedValue(t: ParsedThreshold, values: Readonly<Record<string, number>>): number | null {
  const key = t.aggregation;
  if (key in values) return values[key]!;
  // Percentile keys: the summary may write p(95.0) or p(95).
  if (key.startsWith('p(')) {
    const want = Number(key.slice(2, -1));
    for (const [k, v] of Object.entries(values)) if (k.startsWith('p(') && Number(k.slice(2, -1)) === want) return v;
  }
  return null;
}

/** Formats an observed value the way k6 prints it next to a threshold: `p(95)=148.21ms`, `rate=0.00%`. */
export function formatObserved(aggregation: string, value: number, contains: string | null, type: string | null): string {
  if (type === 'rate' && aggregation === 'rate') return `rate=${(value * 100).toFixed(2)}%`;
  if (contains === 'time' && aggregation !== 'count') return `${aggregation}=${round(value)}ms`;
  return `${aggregation}=${round(value)}`;
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}
