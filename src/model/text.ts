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

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of a file from its first bytes: a UTF-8 or UTF-16 byte order mark, or the zero bytes
 * UTF-16 puts next to ASCII characters. Returns the encoding and how many BOM bytes to skip.
 */
export function sniffEncoding(head: Uint8Array): { encoding: TextEncodingName; bom: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  if (head.length >= 4 && head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0) return { encoding: 'utf-16le', bom: 0 };
  if (head.length >= 4 && head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0) return { encoding: 'utf-16be', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
}

/**
 * Decodes a whole file's bytes: UTF-8 with or without a BOM (the BOM dropped), UTF-16 LE/BE
 * (with a BOM, or recognised by its zero bytes) decoded. Every reader of JSON, YAML and XML input
 * goes through this, so a BOM is accepted everywhere.
 */
export function decodeText(bytes: Uint8Array): string {
  const { encoding, bom } = sniffEncoding(bytes);
  return new TextDecoder(encoding).decode(bytes.subarray(bom));
}
