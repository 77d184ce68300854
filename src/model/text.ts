/**
 * Applies `fn` to every string inside a JSON-like value (object keys of records included when
 * `keys` is set). Objects and arrays are copied only when something in them changed.
 */
export function mapStrings<T>(value: T, fn: (text: string) => string, keys = false): T {
  return walk(value, fn, keys) as T;
}

function walk(value: unknown, fn: (text: string) => string, keys: boolean): unknown {
  if (typeof value === 'string') return fn(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const cleaned = walk(value[i], fn, keys);
      if (cleaned !== value[i]) (copy ??= value.slice())[i] = cleaned;
    }
    return copy ?? value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  let changed = false;
  const out: [string, unknown][] = entries.map(([k, v]) => {
    const key = keys ? fn(k) : k;
    const cleaned = walk(v, fn, keys);
    if (key !== k || cleaned !== v) changed = true;
    return [key, cleaned];
  });
  return changed ? Object.fromEntries(out) : value;
}
