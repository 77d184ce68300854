import { describe, expect, it } from 'vitest';
import { BODY_LIMIT, buildApiResults, type CollectionRunRecord, type ExecutionRecord } from '../../src/adapters/newman/parse.js';
import { Redactor } from '../../src/adapters/newman/redact.js';
import { validateRun, computeTotals } from '../../src/model/index.js';

function execution(overrides: Partial<ExecutionRecord>): ExecutionRecord {
  return {
    iteration: 0,
    name: 'Get things',
    folderPath: ['Folder', 'Sub'],
    method: 'GET',
    url: 'http://127.0.0.1:3000/api/things?x=1',
    requestHeaders: [],
    requestBody: null,
    response: { code: 200, status: 'OK', responseTimeMs: 12, headers: [], body: '{"ok":true}', bodyBytes: 11, binary: false },
    requestError: null,
    scriptErrors: [],
    assertions: [{ name: 'status is 200', skipped: false, error: null }],
    startedAt: Date.parse('2026-01-01T00:00:00Z'),
    durationMs: 15,
    console: [],
    interrupted: false,
    ...overrides,
  };
}

function record(executions: ExecutionRecord[], overrides: Partial<CollectionRunRecord> = {}): CollectionRunRecord {
  return {
    collectionId: 'c-1',
    collectionName: 'Things API',
    collectionPath: 'things.postman_collection.json',
    serviceName: null,
    iterations: 1,
    startedAt: Date.parse('2026-01-01T00:00:00Z'),
    completedAt: Date.parse('2026-01-01T00:00:02Z'),
    executions,
    runError: null,
    interrupted: false,
    newmanRunId: 'run-1',
    reportPath: null,
    ...overrides,
  };
}

const context = { environment: 'local' as const, executedBy: 'tester', ciBuildId: null, fallbackStartedAt: '2026-01-01T00:00:00.000Z' };

function asRun(built: ReturnType<typeof buildApiResults>) {
  return validateRun({
    id: '00000000-0000-4000-8000-000000000002',
    kind: 'api',
    name: 'x',
    status: 'failed',
    startedAt: '2026-01-01T00:00:00.000Z',
    completedAt: '2026-01-01T00:00:02.000Z',
    durationMs: 2000,
    environment: 'local',
    trigger: 'manual',
    executedBy: 'tester',
    ci: null,
    tool: { name: 'newman', version: null, commandLine: null },
    totals: computeTotals(built.cases),
    errorMessage: null,
    runGroup: null,
    shard: null,
    artifacts: [],
    metadata: {},
    cases: built.cases,
    metrics: [],
    e2e: null,
    api: { suites: built.suites },
    perf: null,
    chaos: null,
    canary: null,
  });
}

describe('buildApiResults', () => {
  it('makes a failed or timed-out case for transport errors, an interrupted case for the request in flight', () => {
    const built = buildApiResults(
      [
        record(
          [
            execution({ response: null, requestError: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }, assertions: [] }),
            execution({ name: 'Slow', response: null, requestError: { code: 'ESOCKETTIMEDOUT', message: 'ESOCKETTIMEDOUT' }, assertions: [] }),
            execution({ name: 'In flight', response: null, assertions: [], interrupted: true }),
          ],
          { interrupted: true, serviceName: 'things' },
        ),
      ],
      new Redactor(),
      context,
    );
    expect(built.cases.map((c) => [c.name, c.status, c.errorMessage])).toEqual([
      ['request', 'failed', 'request failed: connect ECONNREFUSED 127.0.0.1:9 (GET http://127.0.0.1:3000/api/things?x=1)'],
      ['request', 'timed_out', 'request timed out: ESOCKETTIMEDOUT (GET http://127.0.0.1:3000/api/things?x=1)'],
      ['request', 'interrupted', 'interrupted before GET http://127.0.0.1:3000/api/things?x=1 completed'],
    ]);
    const suite = built.suites[0]!;
    expect(suite).toMatchObject({ total_tests: 3, failed_tests: 3, status: 'failed', service_name: 'things', postman_collection_id: 'c-1', duration_ms: 2000 });
    expect(suite.results.map((r) => r.test_status)).toEqual(['failed', 'failed', 'failed']);
    const checked = asRun(built);
    expect(checked.ok && checked.run.totals).toMatchObject({ failed: 3, timedOut: 1, interrupted: 1 });
  });

  it('puts iterations and folders in the suite path, times the representative case only', () => {
    const built = buildApiResults(
      [record([execution({ iteration: 0 }), execution({ iteration: 1, assertions: [{ name: 'a', skipped: false, error: null }, { name: 'b', skipped: false, error: { name: 'AssertionError', message: 'nope', stack: null } }] })], { iterations: 2 })],
      new Redactor(),
      context,
    );
    expect(built.cases.map((c) => [c.suitePath.join(' / '), c.name, c.durationMs])).toEqual([
      ['Things API / Folder / Sub / iteration 1 / Get things', 'status is 200', 15],
      ['Things API / Folder / Sub / iteration 2 / Get things', 'a', 0],
      ['Things API / Folder / Sub / iteration 2 / Get things', 'b', 15],
    ]);
    expect(built.suites[0]!.results.map((r) => [r.case_ordinal, r.test_status, r.error_message])).toEqual([
      [0, 'passed', null],
      [2, 'failed', 'b: nope'],
    ]);
    expect(built.cases[2]!.properties).toMatchObject({ 'http.method': 'GET', 'http.status': '200', iteration: '2' });
    expect(asRun(built).ok).toBe(true);
  });

  it('truncates large bodies after redaction and describes binary ones', () => {
    const big = JSON.stringify({ password: 'x'.repeat(10), items: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `item ${i}` })) });
    const built = buildApiResults(
      [
        record([
          execution({ requestBody: big, response: { code: 200, status: 'OK', responseTimeMs: 1, headers: [], body: null, bodyBytes: 2048, binary: true } }),
        ]),
      ],
      new Redactor(),
      context,
    );
    const result = built.suites[0]!.results[0]!;
    expect(typeof result.request_body).toBe('string');
    const text = result.request_body as string;
    expect(text.startsWith('{"password":"[REDACTED]","items":[')).toBe(true);
    expect(text).toMatch(/… \[truncated, \d+ more characters\]$/);
    expect(text.length).toBeLessThan(BODY_LIMIT + 60);
    expect(result.response_body).toBe('[binary body, 2048 bytes]');
  });
});
