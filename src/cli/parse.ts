import { UsageError } from '../model/index.js';

/** A positive integer flag value. Never auto-casts anything else. */
export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a positive whole number (got "${value}")`);
  return Number(value);
}

/** `--since`: an ISO date/time or a duration back from now (30m, 12h, 7d, 2w). Returns an ISO time. */
export function parseSince(value: string, now = Date.now()): string {
  const m = /^(\d+)\s*(m|h|d|w)$/i.exec(value.trim());
  if (m) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2]!.toLowerCase() as 'm' | 'h' | 'd' | 'w'];
    return new Date(now - Number(m[1]) * unit).toISOString();
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since must be an ISO date or a duration such as 7d, 12h or 30m (got "${value}")`);
  return new Date(t).toISOString();
}
