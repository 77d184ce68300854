import { LatencyHistogram } from './histogram.js';

/*
 * Streaming reader for k6's `--out json=<file>` output (NDJSON, one Metric declaration or Point per
 * line). Feed it chunks of any size with push(); it keeps only per-metric aggregates, the open time
 * buckets of the series and a carry of at most one partial line, so memory does not grow with the
 * file. Lines in the layout every k6 since v0.3x writes (`{"metric":"<name>","type":"Point","data":
 * {"time":"...","value":...,"tags":...}}`) are read by a byte scanner; any other layout (the docs'
 * older key order, Metric declarations) goes through JSON.parse.
 */

export type K6MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/** Which series a metric feeds. */
const enum Role {
  None = 0,
  Vus = 1,
  Requests = 2,
  Duration = 3,
  Failed = 4,
  Checks = 5,
}

/** How much of a Point line a metric needs read. */
const enum Need {
  /** Only counted: a trend nothing reads (no series, no thresholds). */
  Count = 0,
  /** Value only, no timestamp: aggregates without a series. */
  Value = 1,
  /** Value and time: feeds the series. */
  Full = 2,
}

/** Types of k6's built-in metrics, used when a Point arrives before (or without) its declaration. */
const BUILTIN_TYPES: Record<string, K6MetricType> = {
  vus: 'gauge',
  vus_max: 'gauge',
  iterations: 'counter',
  dropped_iterations: 'counter',
  data_sent: 'counter',
  data_received: 'counter',
  http_reqs: 'counter',
  http_req_failed: 'rate',
  checks: 'rate',
};

/** Aggregates of one metric over the whole stream, by k6's metric type. */
export class StreamMetric {
  readonly name: string;
  type: K6MetricType;
  contains = 'default';
  /** Threshold expressions as declared in the Metric line. */
  thresholds: string[] = [];
  declared = false;
  points = 0;
  /** counter: sum of values. */
  sum = 0;
  /** gauge: last, min and max value. */
  last = 0;
  min = Infinity;
  max = -Infinity;
  /** rate: non-zero and zero samples. */
  passes = 0;
  fails = 0;
  /** trend: the distribution. */
  hist: LatencyHistogram | null = null;
  readonly role: Role;
  need: Need = Need.Full;

  constructor(name: string, type: K6MetricType) {
    this.name = name;
    this.type = type;
    this.role =
      name === 'vus' ? Role.Vus
      : name === 'http_reqs' ? Role.Requests
      : name === 'http_req_duration' ? Role.Duration
      : name === 'http_req_failed' ? Role.Failed
      : name === 'checks' ? Role.Checks
      : Role.None;
    this.refresh();
  }

  setType(type: K6MetricType): void {
    if (type === this.type) return;
    this.type = type;
    this.refresh();
  }

  /** Recomputes what must be read after the type or the thresholds changed. */
  refresh(): void {
    this.need = this.role !== Role.None ? Need.Full : this.type !== 'trend' || this.thresholds.length > 0 ? Need.Value : Need.Count;
    if (this.type === 'trend' && this.need !== Need.Count) this.hist ??= new LatencyHistogram(16384);
    if (this.type !== 'trend') this.hist = null;
  }

  /** True when only the number of points is known (a trend nothing asked for). */
  get countedOnly(): boolean {
    return this.need === Need.Count;
  }
}

/** One k6 check (tag `check`) with its group path (tag `group`). */
export interface StreamCheck {
  readonly name: string;
  readonly group: string;
  passes: number;
  fails: number;
}

/** One closed time bucket. */
export interface SeriesRow {
  /** Bucket start, ms since the epoch. */
  readonly time: number;
  /** Bucket length in ms. */
  readonly spanMs: number;
  /** Largest `vus` value seen in the bucket, else the last known one. */
  readonly vus: number;
  readonly requests: number;
  /** http_req_failed samples in the bucket and how many of them were failures. */
  readonly failedSamples: number;
  readonly failed: number;
  /** p95 of http_req_duration in the bucket (ms), or null without requests. */
  readonly p95: number | null;
}

export interface LiveStats {
  readonly vus: number | null;
  /** Requests per second over the last complete bucket. */
  readonly rps: number | null;
  /** p95 of the last complete bucket (ms). */
  readonly p95: number | null;
  readonly requests: number;
  readonly failed: number;
  readonly points: number;
}

export interface K6StreamOptions {
  /** Series bucket length in ms (default 1000). */
  readonly intervalMs?: number;
  /** How late a point may arrive (ms) before its bucket is closed (default 10 s). */
  readonly lateMs?: number;
  /** Most rows kept; past that, neighbouring rows are merged two by two (default 20000). */
  readonly maxRows?: number;
}

class Bucket {
  index = 0;
  vus = -1;
  requests = 0;
  failedSamples = 0;
  failed = 0;
  readonly hist = new LatencyHistogram(2048);
  reset(index: number): this {
    this.index = index;
    this.vus = -1;
    this.requests = 0;
    this.failedSamples = 0;
    this.failed = 0;
    this.hist.reset();
    return this;
  }
}

const MAX_LINE = 1 << 20;
const MAX_CHECKS = 10_000;
const QUOTE = 0x22;
const CHECK_TAG = Buffer.from('"check":"');
const GROUP_TAG = Buffer.from('"group":"');
const METRIC_PREFIX = Buffer.from('{"metric":"');

// Scratch output of parseTime/parseNumber, to avoid allocating per line.
let scanEnd = 0;

/** Aggregates a k6 JSON output stream. */
export class K6JsonStream {
  lines = 0;
  points = 0;
  /** Lines that are neither a k6 Metric nor a Point. */
  malformed = 0;
  /** First line that was not k6 output, for error messages. */
  firstMalformed: string | null = null;
  /** 1-based number of that line. */
  firstMalformedLine: number | null = null;
  /** The output ended without a newline in a line that is not k6 output: it was cut off mid-line. */
  cutOffMidLine = false;
  firstTime: number | null = null;
  lastTime: number | null = null;
  readonly metrics = new Map<string, StreamMetric>();
  private readonly checks = new Map<string, StreamCheck>();
  private readonly checkTable: ({ hash: number; bytes: Buffer; check: StreamCheck } | undefined)[] = new Array(4096);
  private checkTableSize = 0;
  private carry: Buffer | null = null;
  private started = false;
  private intervalMs: number;
  private readonly lateBuckets: number;
  private readonly maxRows: number;
  private readonly open = new Map<number, Bucket>();
  private readonly pool: Bucket[] = [];
  private maxIndex = -Infinity;
  /** Buckets below this index are closed. */
  private closedBelow = -Infinity;
  private rows: SeriesRow[] = [];
  private hourKey = -1;
  private hourBase = 0;
  /** Open-addressed table from a name's byte hash to its metric (names are few). */
  private readonly byHash: ({ hash: number; bytes: Buffer; metric: StreamMetric } | undefined)[] = new Array(1024);
  private byHashSize = 0;

  constructor(options: K6StreamOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    if (!(this.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
    this.lateBuckets = Math.max(1, Math.ceil((options.lateMs ?? 10_000) / this.intervalMs));
    this.maxRows = Math.max(16, options.maxRows ?? 20_000);
  }

  /** Feeds the next bytes of the output; lines may span chunks. */
  push(chunk: Buffer): void {
    let start = 0;
    if (!this.started) {
      this.started = true;
      // A UTF-8 byte order mark (an editor or PowerShell wrote the file) is not part of the first line.
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
    }
    const len = chunk.length;
    if (this.carry !== null) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.carry = this.carry.length + len > MAX_LINE ? this.dropLongLine() : Buffer.concat([this.carry, chunk]);
        return;
      }
      const line = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
      this.carry = null;
      this.line(line, 0, line.length);
      start = nl + 1;
    }
    while (start < len) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        this.carry = len - start > MAX_LINE ? this.dropLongLine() : Buffer.from(chunk.subarray(start));
        break;
      }
      this.line(chunk, start, nl);
      start = nl + 1;
    }
  }

  /** Reads the final partial line (if any) and closes every open bucket. */
  end(): void {
    if (this.carry !== null) {
      const line = this.carry;
      this.carry = null;
      // A last line without its newline is only read when it is whole JSON: otherwise the output was
      // cut off mid-line (a killed k6, a truncated copy), which is not garbage but not complete either.
      let whole = true;
      try {
        JSON.parse(line.toString('utf8'));
      } catch {
        whole = false;
      }
      if (whole) this.line(line, 0, line.length);
      else {
        this.lines++;
        this.cutOffMidLine = true;
      }
    }
    this.closeBelow(Infinity);
  }

  /** Current figures while k6 runs. */
  live(): LiveStats {
    const requests = this.metrics.get('http_reqs');
    const failed = this.metrics.get('http_req_failed');
    let rps: number | null = null;
    let p95: number | null = null;
    const current = this.open.get(this.maxIndex - 1);
    if (current) {
      rps = current.requests / (this.intervalMs / 1000);
      p95 = current.hist.quantile(0.95);
    } else if (this.rows.length) {
      const row = this.rows[this.rows.length - 1]!;
      rps = row.requests / (row.spanMs / 1000);
      p95 = row.p95;
    }
    const vus = this.metrics.get('vus');
    return {
      vus: vus && vus.points ? vus.last : null,
      rps,
      p95,
      requests: requests?.sum ?? 0,
      failed: failed?.passes ?? 0,
      points: this.points,
    };
  }

  /** Closed rows so far (all of them after end()). */
  series(): { readonly intervalMs: number; readonly rows: readonly SeriesRow[] } {
    return { intervalMs: this.intervalMs, rows: this.rows };
  }

  checkList(): StreamCheck[] {
    return [...this.checks.values()];
  }

  private dropLongLine(): null {
    this.malformed++;
    return null;
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === 13) end--;
    if (end <= start) return;
    this.lines++;
    // Fast path: {"metric":"<name>","type":"Point","data":{"time":"<ts>","value":<n>,...
    if (end - start > 60 && buf[start] === 0x7b && buf[start + 2] === 0x6d && buf[start + 10] === QUOTE && buf[start + 9] === 0x3a) {
      const nameStart = start + 11;
      // Hash the name while looking for its closing quote: no string is made for known metrics.
      let h = 0;
      let i = nameStart;
      let c = buf[i]!;
      while (c !== QUOTE && i < end) {
        h = (Math.imul(h, 31) + c) | 0;
        c = buf[++i]!;
      }
      const nameEnd = i;
      if (nameEnd > nameStart && nameEnd + 40 < end && buf[nameEnd + 10] === 0x50 && buf[nameEnd + 24] === 0x7b && buf[nameEnd + 26] === 0x74 && buf[nameEnd + 32] === QUOTE) {
        const metric = this.metricByHash(buf, nameStart, nameEnd, h);
        const need = metric.need;
        if (need === Need.Count) {
          // A metric nothing reads (e.g. http_req_blocked without thresholds): count it only.
          this.points++;
          metric.points++;
          return;
        }
        let time = 0;
        let valueAt: number;
        if (need === Need.Value) {
          // Skip the timestamp: find its closing quote (the offset, if any, is at most 6 bytes past 19).
          let q = nameEnd + 33 + 19;
          while (q < end && buf[q] !== QUOTE) q++;
          scanEnd = q;
          time = this.lastTime ?? 0;
        } else {
          time = this.parseTime(buf, nameEnd + 33);
        }
        if (time === time && buf[scanEnd + 1] === 0x2c && buf[scanEnd + 3] === 0x76 && buf[scanEnd + 9] === 0x3a) {
          valueAt = scanEnd + 10;
          const value = parseNumber(buf, valueAt);
          if (value === value) {
            if (metric.role === Role.Checks) this.countCheck(this.checkByBytes(buf, valueAt, end), value);
            if (need === Need.Value) this.aggregate(metric, value);
            else this.record(metric, time, value);
            return;
          }
        }
      }
    }
    this.slowLine(buf, start, end);
  }

  private metricByHash(buf: Buffer, start: number, end: number, h: number): StreamMetric {
    const table = this.byHash;
    let slot = h & (table.length - 1);
    for (;;) {
      const entry = table[slot];
      if (entry === undefined) break;
      if (entry.hash === h && entry.bytes.length === end - start) {
        const bytes = entry.bytes;
        let same = true;
        for (let k = 0; k < bytes.length; k++) {
          if (buf[start + k] !== bytes[k]) {
            same = false;
            break;
          }
        }
        if (same) return entry.metric;
      }
      slot = (slot + 1) & (table.length - 1);
    }
    const name = buf.toString('utf8', start, end);
    const metric = this.metric(name);
    if (this.byHashSize * 2 < table.length) {
      table[slot] = { hash: h, bytes: Buffer.from(name, 'utf8'), metric };
      this.byHashSize++;
    }
    return metric;
  }

  private metric(name: string, type?: K6MetricType): StreamMetric {
    let m = this.metrics.get(name);
    if (m === undefined) {
      m = new StreamMetric(name, type ?? BUILTIN_TYPES[name] ?? 'trend');
      this.metrics.set(name, m);
    }
    return m;
  }

  private slowLine(buf: Buffer, start: number, end: number): void {
    let parsed: unknown;
    const text = buf.toString('utf8', start, end);
    try {
      parsed = JSON.parse(text);
    } catch {
      this.noteMalformed(text);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      this.noteMalformed(text);
      return;
    }
    const o = parsed as { type?: unknown; metric?: unknown; data?: Record<string, unknown> | null };
    if (typeof o.metric !== 'string' || typeof o.data !== 'object' || o.data === null) {
      this.noteMalformed(text);
      return;
    }
    if (o.type === 'Metric') {
      const type = o.data.type;
      const m = this.metric(o.metric, isMetricType(type) ? type : undefined);
      if (isMetricType(type)) m.setType(type);
      if (typeof o.data.contains === 'string') m.contains = o.data.contains;
      if (Array.isArray(o.data.thresholds)) {
        for (const t of o.data.thresholds) {
          // Newer k6 may declare a threshold as an object ({threshold, abortOnFail}).
          const expr = typeof t === 'string' ? t : typeof t === 'object' && t && typeof (t as { threshold?: unknown }).threshold === 'string' ? (t as { threshold: string }).threshold : null;
          if (expr !== null && !m.thresholds.includes(expr)) m.thresholds.push(expr);
        }
        m.refresh();
      }
      m.declared = true;
      return;
    }
    if (o.type === 'Point') {
      const time = typeof o.data.time === 'string' ? Date.parse(o.data.time) : NaN;
      const value = o.data.value;
      if (typeof value !== 'number' || time !== time) {
        this.noteMalformed(text);
        return;
      }
      const m = this.metric(o.metric);
      const tags = (o.data.tags ?? {}) as Record<string, unknown>;
      this.pointWithTags(m, time, value, tags);
      return;
    }
    this.noteMalformed(text);
  }

  private noteMalformed(text: string): void {
    this.malformed++;
    this.firstMalformedLine ??= this.lines;
    this.firstMalformed ??= text.length > 120 ? `${text.slice(0, 117)}...` : text;
  }

  private pointWithTags(m: StreamMetric, time: number, value: number, tags: Record<string, unknown>): void {
    if (m.role === Role.Checks) {
      this.check(value, typeof tags.check === 'string' ? tags.check : null, typeof tags.group === 'string' ? tags.group : null);
    }
    this.record(m, time, value);
  }

  /**
   * The check a Point line's tags name, found by a hash of the bytes after the value (the tags), so
   * the usual case makes no strings. The same check has two entries (value 1 and 0 differ).
   */
  private checkByBytes(buf: Buffer, from: number, end: number): StreamCheck {
    // Skip the value itself so a pass and a fail of one check share an entry.
    let start = from;
    while (start < end && buf[start] !== 0x2c) start++;
    let h = 0;
    for (let i = start; i < end; i++) h = (Math.imul(h, 31) + buf[i]!) | 0;
    const table = this.checkTable;
    const mask = table.length - 1;
    let slot = h & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === undefined) break;
      if (entry.hash === h && entry.bytes.length === end - start) {
        const bytes = entry.bytes;
        let same = true;
        for (let k = 0; k < bytes.length; k++) {
          if (buf[start + k] !== bytes[k]) {
            same = false;
            break;
          }
        }
        if (same) return entry.check;
      }
      slot = (slot + 1) & mask;
    }
    const check = this.checkFor(tagValue(buf, from, end, CHECK_TAG), tagValue(buf, from, end, GROUP_TAG));
    if (this.checkTableSize * 2 < table.length) {
      table[slot] = { hash: h, bytes: Buffer.from(buf.subarray(start, end)), check };
      this.checkTableSize++;
    }
    return check;
  }

  private countCheck(c: StreamCheck, value: number): void {
    if (value !== 0) c.passes++;
    else c.fails++;
  }

  private check(value: number, name: string | null, group: string | null): void {
    this.countCheck(this.checkFor(name, group), value);
  }

  private checkFor(name: string | null, group: string | null): StreamCheck {
    const checkName = name ?? '(unnamed check)';
    const groupPath = group ?? '';
    const key = `${groupPath}\u0000${checkName}`;
    let c = this.checks.get(key);
    if (c === undefined) {
      if (this.checks.size >= MAX_CHECKS) {
        c = this.checks.get('\u0000(other checks)');
        if (!c) {
          c = { name: '(other checks)', group: '', passes: 0, fails: 0 };
          this.checks.set('\u0000(other checks)', c);
        }
      } else {
        c = { name: checkName, group: groupPath, passes: 0, fails: 0 };
        this.checks.set(key, c);
      }
    }
    return c;
  }

  private aggregate(m: StreamMetric, value: number): void {
    this.points++;
    m.points++;
    switch (m.type) {
      case 'counter':
        m.sum += value;
        break;
      case 'gauge':
        m.last = value;
        if (value < m.min) m.min = value;
        if (value > m.max) m.max = value;
        break;
      case 'rate':
        if (value !== 0) m.passes++;
        else m.fails++;
        break;
      case 'trend':
        m.hist?.add(value);
        break;
    }
  }

  private record(m: StreamMetric, time: number, value: number): void {
    this.aggregate(m, value);
    if (this.firstTime === null || time < this.firstTime) this.firstTime = time;
    if (this.lastTime === null || time > this.lastTime) this.lastTime = time;
    const role = m.role;
    if (role === Role.None || role === Role.Checks) return;
    const bucket = this.bucketFor(time);
    switch (role) {
      case Role.Vus:
        if (value > bucket.vus) bucket.vus = value;
        break;
      case Role.Requests:
        bucket.requests += value;
        break;
      case Role.Duration:
        bucket.hist.add(value);
        break;
      case Role.Failed:
        bucket.failedSamples++;
        if (value !== 0) bucket.failed++;
        break;
    }
  }

  private bucketFor(time: number): Bucket {
    let index = Math.floor(time / this.intervalMs);
    if (index > this.maxIndex) {
      // Time moved on: close what can no longer receive points first. Closing may merge rows and
      // double the interval, so the index is computed again afterwards.
      if (index - this.lateBuckets > this.closedBelow) this.closeBelow(index - this.lateBuckets);
      index = Math.floor(time / this.intervalMs);
      if (index > this.maxIndex) this.maxIndex = index;
    }
    if (index < this.closedBelow) index = this.closedBelow; // late point: the oldest open bucket
    let bucket = this.open.get(index);
    if (bucket === undefined) {
      bucket = (this.pool.pop() ?? new Bucket()).reset(index);
      this.open.set(index, bucket);
    }
    return bucket;
  }

  private closeBelow(limit: number): void {
    const closing: Bucket[] = [];
    for (const [index, bucket] of this.open) if (index < limit) closing.push(bucket);
    closing.sort((a, b) => a.index - b.index);
    for (const b of closing) {
      this.open.delete(b.index);
      this.rows.push({
        time: b.index * this.intervalMs,
        spanMs: this.intervalMs,
        vus: b.vus >= 0 ? b.vus : (this.rows[this.rows.length - 1]?.vus ?? 0),
        requests: b.requests,
        failedSamples: b.failedSamples,
        failed: b.failed,
        p95: b.hist.quantile(0.95),
      });
      this.pool.push(b);
    }
    if (limit !== Infinity) this.closedBelow = Math.max(this.closedBelow, limit);
    if (this.rows.length > this.maxRows) this.coalesce();
  }

  /** Halves the series: merges rows two by two and doubles the interval of what comes next. */
  private coalesce(): void {
    const merged: SeriesRow[] = [];
    for (let i = 0; i < this.rows.length; i += 2) {
      const a = this.rows[i]!;
      const b = this.rows[i + 1];
      if (!b) {
        merged.push(a);
        break;
      }
      merged.push({
        time: a.time,
        spanMs: a.spanMs + b.spanMs,
        vus: Math.max(a.vus, b.vus),
        requests: a.requests + b.requests,
        failedSamples: a.failedSamples + b.failedSamples,
        failed: a.failed + b.failed,
        // The merged p95 is not recoverable from two p95s; the larger one is the conservative bound.
        p95: a.p95 === null ? b.p95 : b.p95 === null ? a.p95 : Math.max(a.p95, b.p95),
      });
    }
    this.rows = merged;
    // Keep future buckets aligned with the coarser rows.
    const open = [...this.open.values()];
    this.open.clear();
    this.intervalMs *= 2;
    this.closedBelow = Math.floor(this.closedBelow / 2);
    this.maxIndex = -Infinity;
    for (const b of open) {
      const index = Math.floor(b.index / 2);
      const target = this.open.get(index);
      if (target) {
        target.requests += b.requests;
        target.failedSamples += b.failedSamples;
        target.failed += b.failed;
        target.vus = Math.max(target.vus, b.vus);
        target.hist.merge(b.hist);
        this.pool.push(b);
      } else {
        b.index = index;
        this.open.set(index, b);
      }
      if (index > this.maxIndex) this.maxIndex = index;
    }
  }

  /** Parses k6's RFC 3339 time (ns digits, Z or offset) starting at `s`; sets scanEnd to the closing quote. */
  private parseTime(buf: Buffer, s: number): number {
    const y = (buf[s]! - 48) * 1000 + (buf[s + 1]! - 48) * 100 + (buf[s + 2]! - 48) * 10 + (buf[s + 3]! - 48);
    const mo = (buf[s + 5]! - 48) * 10 + (buf[s + 6]! - 48);
    const d = (buf[s + 8]! - 48) * 10 + (buf[s + 9]! - 48);
    const h = (buf[s + 11]! - 48) * 10 + (buf[s + 12]! - 48);
    const mi = (buf[s + 14]! - 48) * 10 + (buf[s + 15]! - 48);
    const sec = (buf[s + 17]! - 48) * 10 + (buf[s + 18]! - 48);
    if (buf[s + 4] !== 0x2d || buf[s + 10] !== 0x54 || buf[s + 13] !== 0x3a || buf[s + 16] !== 0x3a || !(y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 60)) return NaN;
    const key = ((y * 100 + mo) * 100 + d) * 100 + h;
    if (key !== this.hourKey) {
      this.hourKey = key;
      this.hourBase = Date.UTC(y, mo - 1, d, h);
    }
    let ms = this.hourBase + mi * 60_000 + sec * 1000;
    let i = s + 19;
    if (buf[i] === 0x2e) {
      i++;
      let scale = 100;
      let frac = 0;
      let c = buf[i]! - 48;
      while (c >= 0 && c <= 9) {
        frac += c * scale;
        scale /= 10;
        c = buf[++i]! - 48;
      }
      ms += frac;
    }
    const z = buf[i];
    if (z === 0x5a) i++;
    else if (z === 0x2b || z === 0x2d) {
      const off = ((buf[i + 1]! - 48) * 10 + (buf[i + 2]! - 48)) * 60 + (buf[i + 4]! - 48) * 10 + (buf[i + 5]! - 48);
      if (!(off >= 0 && off < 24 * 60) || buf[i + 3] !== 0x3a) return NaN;
      ms += z === 0x2b ? -off * 60_000 : off * 60_000;
      i += 6;
    } else return NaN;
    if (buf[i] !== QUOTE) return NaN;
    scanEnd = i;
    return ms;
  }
}

function isMetricType(v: unknown): v is K6MetricType {
  return v === 'counter' || v === 'gauge' || v === 'rate' || v === 'trend';
}

/** Parses a JSON number at `s` (NaN when there is none). Exponents go through Number(). */
function parseNumber(buf: Buffer, s: number): number {
  let i = s;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
  }
  let c = buf[i]! - 48;
  if (!(c >= 0 && c <= 9)) return NaN;
  let v = 0;
  while (c >= 0 && c <= 9) {
    v = v * 10 + c;
    c = buf[++i]! - 48;
  }
  if (c === -2) {
    // '.'
    let frac = 0;
    let scale = 1;
    c = buf[++i]! - 48;
    while (c >= 0 && c <= 9) {
      frac = frac * 10 + c;
      scale *= 10;
      c = buf[++i]! - 48;
    }
    v += frac / scale;
  }
  if (c === 53 || c === 21) {
    // 'e' or 'E'
    let j = i + 1;
    while (j < buf.length && buf[j] !== 0x2c && buf[j] !== 0x7d) j++;
    return Number(buf.toString('latin1', s, j));
  }
  return neg ? -v : v;
}

/** Position of `pattern` in buf[from, end), or -1. A JS loop: tags are short, and a subarray per call costs more. */
function findBytes(buf: Buffer, from: number, end: number, pattern: Buffer): number {
  const first = pattern[0]!;
  const n = pattern.length;
  const last = end - n;
  outer: for (let i = from; i <= last; i++) {
    if (buf[i] !== first) continue;
    for (let k = 1; k < n; k++) if (buf[i + k] !== pattern[k]) continue outer;
    return i;
  }
  return -1;
}

/** The string value of a tag (e.g. "check":"...") in buf[from, end), or null. */
function tagValue(buf: Buffer, from: number, end: number, tag: Buffer): string | null {
  const at = findBytes(buf, from, end, tag);
  if (at === -1) return null;
  const s = at + tag.length;
  let i = s;
  let escaped = false;
  while (i < end && buf[i] !== QUOTE) {
    if (buf[i] === 0x5c) {
      escaped = true;
      i++;
    }
    i++;
  }
  if (i >= end) return null;
  const raw = buf.toString('utf8', s, i);
  if (!escaped) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/** True when the first line of a file looks like k6 JSON output. */
export function looksLikeK6Json(firstLine: string): boolean {
  if (!firstLine.startsWith('{')) return false;
  if (firstLine.startsWith(METRIC_PREFIX.toString())) return true;
  try {
    const o = JSON.parse(firstLine) as { type?: unknown; metric?: unknown; data?: unknown };
    return (o.type === 'Metric' || o.type === 'Point') && typeof o.metric === 'string' && typeof o.data === 'object';
  } catch {
    return false;
  }
}
