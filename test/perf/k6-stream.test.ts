import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram, HISTOGRAM_RELATIVE_ACCURACY } from '../../src/adapters/k6/histogram.js';
import { K6JsonStream } from '../../src/adapters/k6/stream.js';
import { summaryFromStream } from '../../src/adapters/k6/run.js';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

const REF = `${REFERENCE}/k6`;

/** k6's trend-sink percentile over all values (the reference the histogram must match). */
function exactPercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const r = q * (sorted.length - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (r - lo);
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function feed(file: string, chunkSize: number, options = {}): K6JsonStream {
  const buf = readFileSync(join(REF, file));
  const stream = new K6JsonStream(options);
  for (let i = 0; i < buf.length; i += chunkSize) stream.push(buf.subarray(i, i + chunkSize));
  stream.end();
  return stream;
}

describe('LatencyHistogram', () => {
  it('gives exactly k6 percentiles while it keeps every value', () => {
    const rand = seeded(1);
    const values = Array.from({ length: 1000 }, () => Math.exp(3 + rand() * 2));
    const h = new LatencyHistogram(4096);
    for (const v of values) h.add(v);
    expect(h.approximate).toBe(false);
    for (const q of [0.5, 0.9, 0.95, 0.99]) expect(h.quantile(q)).toBe(exactPercentile(values, q));
    expect(h.min).toBe(Math.min(...values));
    expect(h.max).toBe(Math.max(...values));
  });

  it('stays within its relative accuracy once bucketed, with fixed memory', () => {
    const rand = seeded(7);
    const values = Array.from({ length: 200_000 }, () => (rand() < 0.03 ? 0 : Math.exp(Math.log(40) + 0.8 * (rand() + rand() + rand() - 1.5))));
    const h = new LatencyHistogram(1024);
    for (const v of values) h.add(v);
    expect(h.approximate).toBe(true);
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const exact = exactPercentile(values, q);
      expect(Math.abs(h.quantile(q)! - exact) / exact).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ACCURACY * 2);
    }
    expect(h.quantile(0)).toBe(0);
    expect(h.avg).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
  });

  it('merges an exact histogram into a bucketed one and back', () => {
    const a = new LatencyHistogram(10);
    const b = new LatencyHistogram(10);
    for (let i = 1; i <= 50; i++) a.add(i);
    for (let i = 51; i <= 55; i++) b.add(i);
    a.merge(b);
    b.merge(a);
    expect(a.count).toBe(55);
    expect(b.count).toBe(60);
    expect(a.max).toBe(55);
    expect(Math.abs(a.quantile(0.5)! - 28) / 28).toBeLessThan(0.01);
  });
});

describe('K6JsonStream over the recorded k6 output (joxtacy-k6-out-json.ndjson, 526 lines)', () => {
  // Figures computed independently from the file with exact arithmetic (k6's percentile definition).
  it.each([1, 7, 333, 1 << 20])('reads it the same in chunks of %i bytes', (chunk) => {
    const stream = feed('joxtacy-k6-out-json.ndjson', chunk);
    expect(stream.lines).toBe(526);
    expect(stream.points).toBe(510);
    expect(stream.malformed).toBe(0);
    const d = stream.metrics.get('http_req_duration')!.hist!;
    expect(d.count).toBe(40);
    expect(d.avg).toBeCloseTo(119.720221875, 9);
    expect(d.min).toBe(113.285946);
    expect(d.max).toBe(224.534453);
    expect(d.quantile(0.5)).toBeCloseTo(116.2132085, 9);
    expect(d.quantile(0.9)).toBeCloseTo(119.7577694, 9);
    expect(d.quantile(0.95)).toBeCloseTo(121.57520815, 9);
    expect(d.quantile(0.99)).toBeCloseTo(185.50638704, 8);
    expect(stream.metrics.get('http_reqs')!.sum).toBe(40);
    expect(stream.metrics.get('http_req_failed')!.passes).toBe(0);
    expect(stream.metrics.get('http_req_failed')!.fails).toBe(40);
    expect(stream.metrics.get('vus')!.max).toBe(1);
    expect(stream.metrics.get('data_received')!.sum).toBe(146697);
    expect(new Date(stream.firstTime!).toISOString()).toBe('2024-02-21T16:43:55.731Z');
  });

  it('builds a per-second series: requests, VUs, p95 and error rate per bucket', () => {
    const stream = feed('joxtacy-k6-out-json.ndjson', 4096);
    const { intervalMs, rows } = stream.series();
    expect(intervalMs).toBe(1000);
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(40);
    expect(rows.reduce((n, r) => n + r.failedSamples, 0)).toBe(40);
    expect(rows[0]).toMatchObject({ time: Date.parse('2024-02-21T16:43:55Z'), requests: 1, p95: 224.534453, failed: 0 });
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.time).toBeGreaterThan(rows[i - 1]!.time);
    expect(rows.every((r) => r.vus <= 1)).toBe(true);
  });

  it('honours a coarser --interval', () => {
    const rows = feed('joxtacy-k6-out-json.ndjson', 4096, { intervalMs: 10_000 }).series().rows;
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(40);
    expect(rows.length).toBeLessThanOrEqual(6);
    expect(rows.every((r) => r.spanMs === 10_000)).toBe(true);
  });

  it('reads the docs sample (older key order, offsets, tainted) through the JSON fallback', () => {
    const stream = feed('k6docs-out-json-lines.ndjson', 50);
    expect(stream.points).toBe(2);
    expect(stream.metrics.get('vus')!.last).toBe(5);
    expect(stream.metrics.get('http_req_duration')!.thresholds).toEqual(['avg<1000']);
    // 14:34:45.625742514+02:00
    expect(stream.lastTime).toBe(Date.parse('2017-05-09T12:34:45.625Z'));
    const summary = summaryFromStream(stream);
    expect(summary.metrics.get('http_req_duration')!.thresholds).toEqual([{ expression: 'avg<1000', ok: true }]);
  });

  it('counts checks per name and group from the check tag, and parses offsets and exponents', () => {
    const lines = [
      '{"type":"Metric","data":{"name":"checks","type":"rate","contains":"default","thresholds":["rate>0.9"],"submetrics":null},"metric":"checks"}',
      '{"metric":"checks","type":"Point","data":{"time":"2024-01-01T10:00:00.5+09:00","value":1,"tags":{"check":"status is 200","group":"::Checkout","scenario":"default"}}}',
      '{"metric":"checks","type":"Point","data":{"time":"2024-01-01T10:00:00.6+09:00","value":0,"tags":{"check":"status is 200","group":"::Checkout","scenario":"default"}}}',
      '{"metric":"checks","type":"Point","data":{"time":"2024-01-01T10:00:01.1+09:00","value":1,"tags":{"check":"주문 \\"승인\\"","group":"","scenario":"default"}}}',
      '{"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T01:00:01.000000001Z","value":1.5e2,"tags":{}}}',
      'not json at all',
      '',
    ].join('\n');
    const stream = new K6JsonStream();
    stream.push(Buffer.from(lines));
    stream.end();
    expect(stream.checkList()).toEqual([
      { name: 'status is 200', group: '::Checkout', passes: 1, fails: 1 },
      { name: '주문 "승인"', group: '', passes: 1, fails: 0 },
    ]);
    expect(stream.firstTime).toBe(Date.parse('2024-01-01T01:00:00.500Z'));
    expect(stream.metrics.get('http_req_duration')!.hist!.max).toBe(150);
    expect(stream.malformed).toBe(1);
    expect(stream.firstMalformed).toBe('not json at all');
    expect(stream.firstMalformedLine).toBe(6);
    expect(stream.cutOffMidLine).toBe(false);
    const summary = summaryFromStream(stream);
    expect(summary.metrics.get('checks')!.thresholds).toEqual([{ expression: 'rate>0.9', ok: false }]);
  });

  it('tells a last line cut off mid-line (no newline, not whole JSON) from garbage, and skips a UTF-8 BOM', () => {
    const point = '{"metric":"http_reqs","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1,"tags":{}}}';
    const cut = new K6JsonStream();
    cut.push(Buffer.from(`\ufeff${point}\n${point}\n${point.slice(0, 70)}`));
    cut.end();
    expect(cut.points).toBe(2);
    expect(cut.malformed).toBe(0);
    expect(cut.cutOffMidLine).toBe(true);
    const whole = new K6JsonStream();
    whole.push(Buffer.from(`${point}\n${point}`));
    whole.end();
    expect(whole.points).toBe(2);
    expect(whole.cutOffMidLine).toBe(false);
  });

  it('keeps memory bounded: open buckets are closed as time moves on, and rows are merged past the cap', () => {
    const stream = new K6JsonStream({ intervalMs: 1000, maxRows: 16 });
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    const out: string[] = [];
    for (let s = 0; s < 100; s++) {
      const time = new Date(t0 + s * 1000 + 1).toISOString();
      out.push(`{"metric":"http_reqs","type":"Point","data":{"time":"${time}","value":1,"tags":{}}}`);
      out.push(`{"metric":"http_req_duration","type":"Point","data":{"time":"${time}","value":${s + 1},"tags":{}}}`);
    }
    stream.push(Buffer.from(out.join('\n')));
    stream.end();
    const { intervalMs, rows } = stream.series();
    expect(rows.length).toBeLessThanOrEqual(16);
    expect(intervalMs).toBeGreaterThan(1000);
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(100);
  });
});
