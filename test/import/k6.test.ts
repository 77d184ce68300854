import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importK6Json, importK6Summary } from '../../src/adapters/k6/import.js';
import type { ImportBase } from '../../src/adapters/import-types.js';
import { UsageError, validateRun, type Run } from '../../src/model/index.js';
import { makeTempDir, runBin } from '../helpers/cli.js';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

/*
 * Every file in ../shared/reference/k6/ imports with the numbers k6 itself wrote: the summary files
 * give them directly (p95, avg, max rounded to whole ms as the seed's INTEGER columns; rates as
 * printed), the JSON output stream is checked against figures computed from its points with k6's
 * percentile definition. The two text summaries are k6's terminal output and are refused.
 */

const REF = `${REFERENCE}/k6`;

const base: ImportBase = {
  id: '6c1f3a9e-2b4d-4e5f-8a7b-9c0d1e2f3a4b',
  name: null,
  environment: 'staging',
  executedBy: 'tester',
  ci: null,
  runGroup: null,
  importedAt: '2025-06-01T12:00:00.000Z',
  kind: null,
};

function valid(input: unknown): Run {
  const checked = validateRun(input);
  if (!checked.ok) throw new Error(checked.issues.join('\n'));
  return checked.run;
}

const caseNames = (run: Run) => run.cases.map((c) => `${[...c.suitePath, c.name].join(' › ')}: ${c.status}`);

describe('import --format k6-summary (reference files)', () => {
  it('apigateway --summary-export (legacy, threshold failed): figures, thresholds (true = failed), checks', async () => {
    const run = valid(await importK6Summary(join(REF, 'apigateway-k6-summary-export-legacy-threshold-failed.json'), base));
    expect(run.kind).toBe('perf');
    expect(run.trigger).toBe('import');
    expect(run.status).toBe('failed');
    expect(run.perf!.test).toMatchObject({
      actual_tps: 1334.4,
      avg_response_time: 24, // 23.686612397902877
      p95_response_time: 84, // 83.93890599999999
      p99_response_time: null, // default summaryTrendStats: no p(99)
      max_response_time: 14240, // 14239.697849
      error_rate: 0,
      total_requests: 613790,
      failed_requests: 0,
      duration_sec: 460, // count / rate = 459.97 s
      virtual_users: 2925, // vus_max
      status: 'failed',
      environment: 'staging',
      executed_by: 'tester',
    });
    expect(caseNames(run)).toEqual([
      'thresholds › fast_latency › p(95)<50: failed',
      'thresholds › http_req_failed{gateway:fast} › rate<0.01: passed',
      'thresholds › http_req_failed{gateway:ocelot} › rate<0.01: passed',
      'thresholds › http_req_failed{gateway:yarp} › rate<0.01: passed',
      'thresholds › ocelot_latency › p(95)<50: passed',
      'thresholds › yarp_latency › p(95)<50: passed',
      'checks › status is 200 (yarp): passed',
      'checks › status is 200 (ocelot): passed',
      'checks › status is 200 (fast): passed',
    ]);
    const failed = run.cases[0]!;
    expect(failed.properties).toMatchObject({ metric: 'fast_latency', expression: 'p(95)<50', observed: 'p(95)=137.35', observed_value: '137.34654' });
    expect(failed.errorMessage).toBe("threshold 'p(95)<50' on fast_latency crossed: p(95)=137.35");
    expect(run.cases[1]!.properties.observed).toBe('rate=0.00%');
    expect(run.cases.find((c) => c.name === 'status is 200 (yarp)')!.properties).toMatchObject({ passes: '206626', fails: '0' });
    expect(run.totals).toMatchObject({ total: 9, passed: 8, failed: 1 });
  });

  it('ticketbooking handleSummary() data (threshold failed): figures, {ok} thresholds with spacing kept', async () => {
    const run = valid(await importK6Summary(join(REF, 'ticketbooking-k6-handlesummary-data-threshold-failed.json'), base));
    expect(run.status).toBe('failed');
    expect(run.perf!.test).toMatchObject({
      actual_tps: 804.65,
      avg_response_time: 266,
      p95_response_time: 1110,
      max_response_time: 2065,
      error_rate: 0,
      total_requests: 5318,
      failed_requests: 0,
      duration_sec: 7, // state.testRunDurationMs 6609.114
      virtual_users: 300,
    });
    expect(caseNames(run)).toEqual([
      'thresholds › buy_accepted › count <= 500: passed',
      'thresholds › buy_latency › p(95) < 1000: failed',
      'thresholds › buy_unexpected › count == 0: passed',
      'thresholds › http_req_failed › rate == 0: passed',
      'checks › 202 carries an orderId: passed',
      'checks › 202 order starts PENDING: passed',
      'checks › duplicate returns no data: passed',
      'checks › duplicate was a replayed key: passed',
    ]);
    expect(run.cases[1]!.properties.observed).toBe('p(95)=1113.6ms');
    expect(run.cases[0]!.properties.observed).toBe('count=500');
    expect(Date.parse(run.completedAt) - Date.parse(run.startedAt)).toBe(6609);
  });

  it('the machine-readable summary 1.0.0 example: p99, orderedChecks, k6 version, config duration', async () => {
    const run = valid(await importK6Summary(join(REF, 'k6-summary-v1-machine-readable-example.json'), base));
    expect(run.tool.version).toBe('1.1.0');
    expect(run.perf!.test).toMatchObject({
      actual_tps: 24.79,
      avg_response_time: 246,
      p95_response_time: 421,
      p99_response_time: 445,
      max_response_time: 457,
      error_rate: 2,
      total_requests: 1500,
      failed_requests: 30, // rate 0.02 of 1500 (the example's passes/fails disagree with its rate)
      duration_sec: 60,
      virtual_users: 10,
      k6_script_path: 'test-script.js',
    });
    // Checks that failed part of the time are flaky, as k6 does not fail a test on checks alone.
    expect(caseNames(run)).toEqual(['checks › status is 200: flaky', 'checks › response time < 500ms: flaky']);
    expect(run.cases[0]!.properties).toMatchObject({ passes: '1470', fails: '30', pass_rate: '98%' });
    expect(run.cases[0]!.attempts.map((a) => a.status)).toEqual(['failed', 'passed']);
    expect(run.status).toBe('passed'); // results.passed: true
  });

  it('the docs handleSummary() example with // comments: sub-metric thresholds, p(99.99)', async () => {
    const run = valid(await importK6Summary(join(REF, 'k6docs-handlesummary-data-abridged-with-comments.txt'), base));
    expect(run.perf!.test).toMatchObject({ total_requests: 40, actual_tps: 19.77, avg_response_time: 268, max_response_time: 846, p95_response_time: null, duration_sec: 31, virtual_users: 5 });
    expect(caseNames(run)).toEqual([
      'thresholds › http_req_duration › p(95)<500: failed',
      'thresholds › http_req_duration{staticAsset:yes} › p(99)<250: failed',
      'checks › check name: passed',
    ]);
    expect(run.status).toBe('failed');
  });

  it.each(['k6docs-end-of-test-summary-compact-v1.txt', 'k6docs-end-of-test-summary-full-v1.txt'])('%s: the text summary is refused with a one-line usage error', async (file) => {
    const error = await importK6Summary(join(REF, file), base).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain(file);
    expect((error as UsageError).message).toContain('--summary-export');
    expect((error as UsageError).message).not.toContain('\n');
  });

  it('refuses the JSON output stream and other JSON with a usage error naming the file', async () => {
    for (const file of ['joxtacy-k6-out-json.ndjson']) {
      await expect(importK6Summary(join(REF, file), base)).rejects.toThrow(UsageError);
    }
    const dir = mkdtempSync(join(tmpdir(), 'shopfds-k6-import-'));
    try {
      const other = join(dir, 'newman.json');
      writeFileSync(other, JSON.stringify({ run: { stats: {} }, collection: {} }));
      await expect(importK6Summary(other, base)).rejects.toThrow(`${other}: not a k6 summary`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('import --format k6-json (reference files, streamed)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shopfds-k6-json-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('joxtacy --out json (real, 526 lines): the numbers its points give, and a per-second series', async () => {
    const run = valid(await importK6Json(join(REF, 'joxtacy-k6-out-json.ndjson'), base));
    expect(run.status).toBe('passed');
    expect(run.perf!.test).toMatchObject({
      total_requests: 40,
      failed_requests: 0,
      error_rate: 0,
      avg_response_time: 120, // 119.720221875
      p95_response_time: 122, // 121.57520815
      p99_response_time: 186, // 185.50638704
      max_response_time: 225, // 224.534453
      virtual_users: 1,
      duration_sec: 44, // span of the HTTP and VU samples, 16:43:55.731 to 16:44:40.1
    });
    expect(run.startedAt).toBe('2024-02-21T16:43:55.731Z');
    const series = run.perf!.test.metrics;
    expect(series.length).toBeGreaterThan(40);
    expect(series[0]).toEqual({ measured_at: '2024-02-21T16:43:55.000Z', virtual_users: 0, requests_per_sec: 1, response_time_p95: 225, error_rate: 0 });
    expect(series.reduce((n, m) => n + m.requests_per_sec, 0)).toBe(40);
    expect(run.metrics.some((m) => m.name === 'http_req_duration_p95_ms')).toBe(true);
    expect(caseNames(run)).toEqual(['k6 run (no thresholds or checks defined): passed']);
  });

  it('the same file gzipped (k6 writes .gz when the name ends in .gz)', async () => {
    const gz = join(dir, 'points.ndjson.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(REF, 'joxtacy-k6-out-json.ndjson'))));
    const run = valid(await importK6Json(gz, base));
    expect(run.perf!.test.total_requests).toBe(40);
    expect(run.perf!.test.p95_response_time).toBe(122);
  });

  it('the docs JSON output sample: threshold evaluated from the stream', async () => {
    const run = valid(await importK6Json(join(REF, 'k6docs-out-json-lines.ndjson'), base));
    expect(caseNames(run)).toEqual(['thresholds › http_req_duration › avg<1000: passed']);
    expect(run.cases[0]!.properties.observed).toBe('avg=459.87ms');
    expect(run.perf!.test).toMatchObject({ avg_response_time: 460, virtual_users: 5 });
  });

  it('refuses non-k6 input with a one-line usage error naming the file', async () => {
    for (const file of ['apigateway-k6-summary-export-legacy-threshold-failed.json', 'k6docs-end-of-test-summary-compact-v1.txt']) {
      const error = await importK6Json(join(REF, file), base).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(new RegExp(`^${join(REF, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not k6 JSON output`));
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('import --format k6-summary|k6-json (built bin)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('shopfds-k6-import-cli-');
  });
  afterAll(() => tmp.cleanup());

  it('stores every machine-readable reference file; the text summary exits 2 and stores nothing', async () => {
    const db = join(tmp.dir, 'results.db');
    const ok = await runBin(['import', '--db', db, '--format', 'k6-summary', join(REF, 'apigateway-k6-summary-export-legacy-threshold-failed.json'), join(REF, 'ticketbooking-k6-handlesummary-data-threshold-failed.json'), join(REF, 'k6-summary-v1-machine-readable-example.json')], { cwd: tmp.dir });
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(3);
    const json = await runBin(['import', '--db', db, '--format', 'k6-json', join(REF, 'joxtacy-k6-out-json.ndjson')], { cwd: tmp.dir });
    expect(json.exitCode).toBe(0);
    expect(json.stdout).toMatch(/^imported perf run [0-9a-f-]{36} "joxtacy-k6-out-json": passed/);

    const bad = await runBin(['import', '--db', db, '--format', 'k6-summary', join(REF, 'k6docs-end-of-test-summary-full-v1.txt')], { cwd: tmp.dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toContain("k6docs-end-of-test-summary-full-v1.txt: this is k6's end-of-test text summary");
    const listed = await runBin(['runs', 'list', '--db', db, '--json'], { cwd: tmp.dir });
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(4);
  });
});
