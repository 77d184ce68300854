import { parseCsv } from './csv.js';

/*
 * Readers for the files `locust --csv PREFIX [--csv-full-history]` writes (Locust 2.x):
 * - PREFIX_stats.csv: one row per request name plus `Aggregated` (empty Type), totals so far;
 * - PREFIX_failures.csv: Method, Name, Error, Occurrences;
 * - PREFIX_exceptions.csv: Count, Message, Traceback, Nodes (exceptions raised in tasks);
 * - PREFIX_stats_history.csv: a row per second (per name with --csv-full-history, then
 *   Aggregated) with the user count, current rates and percentiles and cumulative totals.
 * Times are milliseconds; "N/A" marks a percentile with no samples yet.
 */

/** One row of PREFIX_stats.csv. */
export interface LocustStatsEntry {
  /** HTTP method (or the request type a custom client reports); '' for Aggregated. */
  readonly type: string;
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  readonly medianMs: number | null;
  readonly avgMs: number | null;
  readonly minMs: number | null;
  readonly maxMs: number | null;
  readonly avgContentSize: number | null;
  readonly rps: number | null;
  readonly failuresPerSec: number | null;
  /** Percentile column ("95%") -> milliseconds. */
  readonly percentiles: Readonly<Record<string, number | null>>;
}

export interface LocustStats {
  readonly entries: readonly LocustStatsEntry[];
  readonly aggregated: LocustStatsEntry | null;
}

export interface LocustFailure {
  readonly method: string;
  readonly name: string;
  readonly error: string;
  readonly occurrences: number;
}

export interface LocustException {
  readonly count: number;
  readonly message: string;
  readonly traceback: string;
}

/** Thrown for a file that is not what Locust writes; the caller turns it into a tool error. */
export class LocustCsvError extends Error {}

function num(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (t === '' || t === 'N/A') return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

function header(rows: readonly string[][], file: string, required: readonly string[]): Map<string, number> {
  const head = rows[0];
  if (!head) throw new LocustCsvError(`${file} is empty (no header row)`);
  const index = new Map(head.map((h, i) => [h.trim(), i] as const));
  const missing = required.filter((r) => !index.has(r));
  if (missing.length) throw new LocustCsvError(`${file} is not a Locust file: no ${missing.map((m) => `"${m}"`).join(', ')} column`);
  return index;
}

const STATS_COLUMNS = ['Type', 'Name', 'Request Count', 'Failure Count', 'Average Response Time', 'Max Response Time', 'Requests/s'] as const;

/** Parses PREFIX_stats.csv. */
export function parseLocustStats(text: string, file = 'stats.csv'): LocustStats {
  const rows = parseCsv(text);
  const col = header(rows, file, STATS_COLUMNS);
  const percentileColumns = [...col.keys()].filter((k) => /^\d+(?:\.\d+)?%$/.test(k));
  const get = (row: string[], name: string) => {
    const i = col.get(name);
    return i === undefined ? undefined : row[i];
  };
  const entries: LocustStatsEntry[] = [];
  let aggregated: LocustStatsEntry | null = null;
  for (const row of rows.slice(1)) {
    if (row.length < col.size) continue; // a row cut short
    const requests = num(get(row, 'Request Count'));
    const failures = num(get(row, 'Failure Count'));
    if (requests === null || failures === null) throw new LocustCsvError(`${file}: a row without request or failure counts`);
    const percentiles: Record<string, number | null> = {};
    for (const p of percentileColumns) percentiles[p] = num(get(row, p));
    const entry: LocustStatsEntry = {
      type: get(row, 'Type') ?? '',
      name: get(row, 'Name') ?? '',
      requests,
      failures,
      medianMs: num(get(row, 'Median Response Time')),
      avgMs: num(get(row, 'Average Response Time')),
      minMs: num(get(row, 'Min Response Time')),
      maxMs: num(get(row, 'Max Response Time')),
      avgContentSize: num(get(row, 'Average Content Size')),
      rps: num(get(row, 'Requests/s')),
      failuresPerSec: num(get(row, 'Failures/s')),
      percentiles,
    };
    if (entry.type === '' && entry.name === 'Aggregated') aggregated = entry;
    else entries.push(entry);
  }
  return { entries, aggregated };
}

/** Parses PREFIX_failures.csv. */
export function parseLocustFailures(text: string, file = 'failures.csv'): LocustFailure[] {
  const rows = parseCsv(text);
  const col = header(rows, file, ['Method', 'Name', 'Error', 'Occurrences']);
  return rows
    .slice(1)
    .filter((r) => r.length >= col.size)
    .map((r) => ({ method: r[col.get('Method')!]!, name: r[col.get('Name')!]!, error: r[col.get('Error')!]!, occurrences: num(r[col.get('Occurrences')!]) ?? 0 }));
}

/** Parses PREFIX_exceptions.csv. */
export function parseLocustExceptions(text: string, file = 'exceptions.csv'): LocustException[] {
  const rows = parseCsv(text);
  const col = header(rows, file, ['Count', 'Message', 'Traceback']);
  return rows
    .slice(1)
    .filter((r) => r.length >= col.size)
    .map((r) => ({ count: num(r[col.get('Count')!]) ?? 0, message: r[col.get('Message')!]!, traceback: r[col.get('Traceback')!]! }));
}

/** One Aggregated row of the history: the state at a whole second. */
export interface LocustHistoryPoint {
  /** Unix time, milliseconds. */
  readonly time: number;
  readonly users: number;
  /** Cumulative since the start. */
  readonly totalRequests: number;
  readonly totalFailures: number;
  /** Locust's current p95 (over its last 10 s window with --csv-full-history). */
  readonly p95: number | null;
}

/** One bucket of the per-interval series. */
export interface LocustSeriesRow {
  /** Start of the bucket, Unix milliseconds. */
  readonly time: number;
  readonly spanMs: number;
  readonly users: number;
  readonly requests: number;
  readonly failures: number;
  readonly p95: number | null;
}

const HISTORY_COLUMNS = ['Timestamp', 'User Count', 'Type', 'Name', '95%', 'Total Request Count', 'Total Failure Count'] as const;

/**
 * Reads PREFIX_stats_history.csv in chunks (push, then end) and keeps only the Aggregated rows,
 * one per second: memory grows with the test's duration, not with the file. Locust writes a row
 * per request name per second, so most rows are skipped without being split into fields; a
 * record with quotes (a name holding a comma, say) goes through the CSV reader.
 */
export class LocustHistoryReader {
  private col: Map<string, number> | null = null;
  private width = 0;
  private idx = { ts: 0, users: 0, type: 0, name: 0, p95: 0, reqs: 0, fails: 0 };
  /** Text after the last complete record. */
  private carry = '';
  readonly points: LocustHistoryPoint[] = [];
  /** Data rows read (every name). */
  rows = 0;
  /** Rows dropped because they were cut short (Locust's buffered writes). */
  partialRows = 0;
  problem: string | null = null;

  constructor(private readonly file = 'stats_history.csv') {}

  push(text: string): void {
    const buf = this.carry ? this.carry + text : text;
    const x = this.idx;
    const standard = this.col !== null && this.width !== Infinity && x.ts === 0 && x.users === 1 && x.type === 2 && x.name === 3;
    let start = 0;
    let quote = buf.indexOf('"');
    for (;;) {
      const nl = buf.indexOf('\n', start);
      if (nl === -1) break;
      if (quote !== -1 && quote < start) quote = buf.indexOf('"', start);
      if (quote === -1 || quote > nl) {
        // No quotes in this line. Timestamp and User Count are numbers: the Type and Name fields
        // start after the second comma, and only `,,Aggregated,` (empty Type) is read further.
        if (standard) {
          const c1 = buf.indexOf(',', start);
          const c2 = c1 === -1 || c1 > nl ? -1 : buf.indexOf(',', c1 + 1);
          if (c2 !== -1 && c2 < nl && !buf.startsWith(',,Aggregated,', c2)) {
            this.rows++;
            start = nl + 1;
            continue;
          }
        }
        const line = buf.slice(start, nl);
        start = nl + 1;
        this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
        if (!standard && this.col !== null) return this.push(this.carryRest(buf, start));
        continue;
      }
      // A quoted field may hold a line break: the record goes on until its quotes balance.
      let end = nl;
      let quotes = countQuotes(buf.slice(start, end));
      while (quotes % 2 === 1) {
        const next = buf.indexOf('\n', end + 1);
        if (next === -1) {
          this.carry = buf.slice(start);
          return;
        }
        quotes += countQuotes(buf.slice(end, next));
        end = next;
      }
      if (standard) {
        const c1 = buf.indexOf(',', start);
        const c2 = c1 === -1 ? -1 : buf.indexOf(',', c1 + 1);
        if (c2 !== -1 && c2 < quote && !buf.startsWith(',,Aggregated,', c2)) {
          this.rows++;
          start = end + 1;
          continue;
        }
      }
      const line = buf.slice(start, end);
      start = end + 1;
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    this.carry = buf.slice(start);
  }

  /** After the header row: continue with the rest on the fast path (the column layout is known now). */
  private carryRest(buf: string, start: number): string {
    this.carry = '';
    return buf.slice(start);
  }

  end(): void {
    if (this.carry !== '') {
      const last = this.carry.endsWith('\r') ? this.carry.slice(0, -1) : this.carry;
      this.carry = '';
      if (last !== '') this.onLine(last, true);
    }
    if (!this.col && !this.problem) this.problem = `${this.file} is empty (no header row)`;
  }

  private onLine(line: string, last = false): void {
    if (line === '') return;
    if (!this.col) {
      const row = parseCsv(line)[0] ?? [];
      try {
        this.col = header([row], this.file, HISTORY_COLUMNS);
      } catch (error) {
        this.problem = (error as Error).message;
        this.col = new Map();
        this.width = Infinity;
        return;
      }
      const c = this.col;
      this.width = row.length;
      this.idx = { ts: c.get('Timestamp')!, users: c.get('User Count')!, type: c.get('Type')!, name: c.get('Name')!, p95: c.get('95%')!, reqs: c.get('Total Request Count')!, fails: c.get('Total Failure Count')! };
      return;
    }
    if (this.width === Infinity) return;
    const x = this.idx;
    void last;
    const row = line.includes('"') ? (parseCsv(line)[0] ?? []) : line.split(',');
    if (row.length < this.width) {
      this.partialRows++;
      return;
    }
    this.rows++;
    if (row[x.name] !== 'Aggregated' || row[x.type] !== '') return;
    const ts = num(row[x.ts]);
    const reqs = num(row[x.reqs]);
    if (ts === null || reqs === null) {
      this.partialRows++;
      return;
    }
    this.points.push({ time: ts * 1000, users: num(row[x.users]) ?? 0, totalRequests: reqs, totalFailures: num(row[x.fails]) ?? 0, p95: num(row[x.p95]) });
  }
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}

/** Reads a whole history text. */
export function parseLocustHistory(text: string): LocustHistoryReader {
  const h = new LocustHistoryReader();
  h.push(text);
  h.end();
  return h;
}

/**
 * The per-interval series: requests and failures are differences of the cumulative totals between
 * buckets; users are the most seen in the bucket; p95 is Locust's current p95 at the bucket's last row.
 * Locust writes a row at time zero before any request and, at quit, a last row with 0 users (the
 * users are gone by then); that last row counts towards the requests of its bucket, not its users.
 */
export function locustSeries(points: readonly LocustHistoryPoint[], intervalMs: number): LocustSeriesRow[] {
  if (points.length === 0) return [];
  const step = Math.max(1000, intervalMs);
  const start = points[0]!.time;
  const out: LocustSeriesRow[] = [];
  let prevReqs = 0;
  let prevFails = 0;
  let bucket = -1;
  let cur: { time: number; users: number; reqs: number; fails: number; p95: number | null; last: number } | null = null;
  const flush = () => {
    if (!cur) return;
    const spanMs = Math.max(1000, Math.min(step, cur.last - cur.time + 1000));
    out.push({ time: cur.time, spanMs, users: cur.users, requests: Math.max(0, cur.reqs - prevReqs), failures: Math.max(0, cur.fails - prevFails), p95: cur.p95 });
    prevReqs = cur.reqs;
    prevFails = cur.fails;
  };
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const b = Math.floor((p.time - start) / step);
    if (b !== bucket) {
      flush();
      bucket = b;
      cur = { time: start + b * step, users: 0, reqs: p.totalRequests, fails: p.totalFailures, p95: null, last: p.time };
    }
    const isFinal = i === points.length - 1 && i > 0 && p.users === 0;
    if (!isFinal) cur!.users = Math.max(cur!.users, p.users);
    cur!.reqs = Math.max(cur!.reqs, p.totalRequests);
    cur!.fails = Math.max(cur!.fails, p.totalFailures);
    if (p.p95 !== null) cur!.p95 = p.p95;
    cur!.last = p.time;
  }
  flush();
  // The time-zero row before the first request carries nothing.
  if (out.length > 1 && out[0]!.requests === 0 && out[0]!.users === 0) out.shift();
  return out;
}
