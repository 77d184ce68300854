/*
 * The one duration grammar of shopfds-test, for every flag, config value and tool output that holds
 * a duration: a sequence of <number><unit> as in Go and k6 ("90s", "1h30m", "1.5h", "500ms"), plus days
 * and weeks ("7d", "2w"). Units: ns, us (µs), ms, s, m, h, d, w; "m" is minutes. A bare number means
 * seconds where the option documents seconds, and is refused elsewhere.
 */

const UNIT_MS = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

export interface DurationOptions {
  /** What a bare number means: seconds (the default) or nothing (it is not a duration). */
  readonly bare?: 'seconds' | 'none';
}

/** The duration in milliseconds, or null when the text is not one. Never negative. */
export function parseDuration(value: string | number, options: DurationOptions = {}): number | null {
  const bare = options.bare ?? 'seconds';
  if (typeof value === 'number') return bare === 'seconds' && Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  const text = value.trim();
  if (!text) return null;
  if (/^\d+(?:\.\d+)?$/.test(text)) return bare === 'seconds' ? Number(text) * 1000 : null;
  const re = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w)/iy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const unit = m[2]!.toLowerCase() as Unit;
    total += Number(m[1]) * UNIT_MS[unit];
    consumed = re.lastIndex;
  }
  return consumed === text.length ? total : null;
}

/** Milliseconds as the shortest duration of the grammar ("1h30m", "90s" -> "1m30s", "250ms"). */
export function formatDurationText(ms: number): string {
  if (!(ms > 0)) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest) out += `${rest}ms`;
  return out;
}
