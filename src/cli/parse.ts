import { parseDuration, UsageError } from '../model/index.js';

/** A positive integer flag value. Never auto-casts anything else. */
export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a positive whole number (got "${value}")`);
  return Number(value);
}

/**
 * A duration flag in the one grammar (`90s`, `1h30m`, `7d`, `500ms`; a bare number is seconds),
 * in milliseconds. Refuses zero and anything under `minMs`.
 */
export function parseDurationOption(flag: string, value: string, options: { minMs?: number; example?: string; noun?: string } = {}): number {
  const ms = parseDuration(value);
  const example = options.example ?? '90s, 1h30m or 500ms';
  if (ms === null || ms <= 0) throw new UsageError(`${flag} must be ${options.noun ?? 'a duration'} such as ${example} (got "${value}")`);
  if (options.minMs !== undefined && ms < options.minMs) throw new UsageError(`${flag} must be at least ${options.minMs}ms (got "${value}")`);
  return ms;
}

/** A duration flag documented in seconds (`--recovery-target 45`, `1m`, `90s`): whole seconds. */
export function parseSecondsOption(flag: string, value: string): number {
  const ms = parseDurationOption(flag, value, { example: '45, 90s or 1m' });
  if (ms % 1000 !== 0) throw new UsageError(`${flag} must be a whole number of seconds (got "${value}")`);
  return ms / 1000;
}

/** `--since`: an ISO date/time or a duration back from now (90s, 30m, 1h30m, 7d, 2w). Returns an ISO time. */
export function parseSince(value: string, now = Date.now()): string {
  const ms = parseDuration(value, { bare: 'none' });
  if (ms !== null) return new Date(now - ms).toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since must be an ISO date or a duration such as 7d, 12h, 1h30m or 90s (got "${value}")`);
  return new Date(t).toISOString();
}
