import { parseDuration } from '../../model/index.js';

/**
 * Parses a Go-style duration ("200ms", "10s", "1m30s", "2h") or a bare number of seconds into
 * milliseconds; null when it is not one. The grammar is the model's one (parseDuration).
 */
export function parseDurationMs(value: string | number): number | null {
  return parseDuration(value);
}
