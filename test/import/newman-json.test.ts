import { describe, expect, it } from 'vitest';
import { importNewmanJson } from '../../src/adapters/newman/import.js';
import type { ImportBase } from '../../src/adapters/import-types.js';
import { validateRun } from '../../src/model/index.js';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

/* `import --format newman-json` on the real recorded Newman reports of ../shared/reference/newman/. */

const REF = `${REFERENCE}/newman`;

const base: ImportBase = {
  id: '00000000-0000-4000-8000-000000000001',
  name: null,
  environment: 'staging',
  executedBy: 'ci-bot',
  ci: null,
  runGroup: null,
  importedAt: '2026-01-01T00:00:00.000Z',
  kind: null,
};

async function load(file: string) {
  const input = await importNewmanJson(`${REF}/${file}`, base);
  const checked = validateRun(input);
  if (!checked.ok) throw new Error(checked.issues.join('\n'));
  return checked.run;
}

describe('importNewmanJson', () => {
  it('newman 6.x report with assertion, script and request failures', async () => {
    const run = await load('tredgate-newman-run-report-failures.json');
    expect(run).toMatchObject({ kind: 'api', name: 'Newman Failing Tests', status: 'failed', trigger: 'import', environment: 'staging' });
    // Cases are Newman's assertions (14) plus the test-script and request errors; a request without a pm.test is no case.
    expect(run.totals).toEqual({ total: 16, passed: 11, failed: 5, skipped: 0, flaky: 0, timedOut: 0, interrupted: 0 });
    expect(run.startedAt).toBe(new Date(1768416660160).toISOString());
    expect(run.completedAt).toBe(new Date(1768416660622).toISOString());
    const failed = run.cases.filter((c) => c.status === 'failed').map((c) => [c.suitePath.at(-1), c.name, c.errorMessage]);
    expect(failed).toEqual([
      ['Training POST - syntax error in tests', 'test script', 'test script failed: SyntaxError: missing ) after argument list'],
      ['ENOTFOUND error - wrong url', 'request', 'request failed: getaddrinfo ENOTFOUND fafafafa (GET https://fafafafa)'],
      ['Failing tests', 'Response status is 200', 'expected response to have status code 200 but got 201'],
      ['Failing tests', 'Response body.user.lastName is string', "expected 'Kassulke' to be a boolean"],
      ['Failing tests', "Response body.user.firstName have value: 'Andrew'", "expected 'Andrew' to equal '555'"],
    ]);
    // newman's own counts: 14 assertions of which 3 failed, 1 test-script error, 1 request error.
    expect(run.cases.filter((c) => c.suitePath.at(-1) === 'Failing tests')).toHaveLength(14);
    const suite = run.api!.suites[0]!;
    expect(suite).toMatchObject({
      name: 'Newman Failing Tests',
      postman_collection_id: 'ba28c079-0da5-4974-869c-520918053750',
      total_tests: 16,
      passed_tests: 11,
      failed_tests: 5,
      skipped_tests: 0,
      status: 'failed',
      duration_ms: 462,
      environment: 'staging',
      executed_by: 'ci-bot',
    });
    expect(suite.results.map((r) => [r.http_method, r.endpoint, r.status_code, r.test_status])).toEqual([
      ['POST', '/trai', 404, 'passed'],
      ['POST', '/train', 201, 'failed'],
      ['GET', '/', null, 'failed'],
      ['POST', '/auth/register', 201, 'failed'],
    ]);
    expect(suite.results[0]!.response_time_ms).toBe(303);
    // The response body is decoded from the report's byte array; the password field of the request is redacted.
    expect(suite.results[0]!.response_body).toEqual({ message: 'Cannot POST /trai', error: 'Not Found', statusCode: 404 });
    expect(suite.results[3]!.request_body).toMatchObject({ email: 'Elmer.Dare@example.com', password: '[REDACTED]' });
  });

  it('newman 3.x (legacy) report with string bodies and a v2.0 collection', async () => {
    const run = await load('newman-official-sample-collection-report-legacy.json');
    expect(run).toMatchObject({ name: 'Sample Postman Collection', status: 'passed' });
    // One assertion in the report; the two POST requests have no pm.test and are requests, not cases.
    expect(run.totals).toMatchObject({ total: 1, passed: 1, failed: 0, skipped: 0 });
    expect(run.cases.map((c) => [c.suitePath, c.name])).toEqual([
      [['Sample Postman Collection', 'A simple GET request'], 'response code is 200'],
    ]);
    const suite = run.api!.suites[0]!;
    expect(suite.results).toHaveLength(3);
    expect(suite).toMatchObject({ total_tests: 1, passed_tests: 1, status: 'completed', postman_collection_id: '6d031f42-a134-4dba-86c5-ce154f352f33' });
    expect(suite.results[0]).toMatchObject({ http_method: 'GET', endpoint: '/get?source=newman-sample-github-collection', status_code: 200, test_status: 'passed', response_time_ms: 1965 });
  });

  it.each([
    'tredgate-newman-failing-tests.postman_collection.json',
    'tredgate-newman-simple.postman_collection.json',
    'newman-official-sample-collection.json',
  ])('refuses a collection (%s) with a one-line error naming the file', async (file) => {
    await expect(importNewmanJson(`${REF}/${file}`, base)).rejects.toThrow(new RegExp(`^${REF}/${file.replace(/\./g, '\\.')}: this is a Postman collection, not a Newman run report`));
  });

  it('refuses another tool output and malformed JSON', async () => {
    await expect(importNewmanJson(`${REFERENCE}/newman/FORMAT.md`, base)).rejects.toThrow(/FORMAT\.md: not a Newman JSON report \(not valid JSON/);
    await expect(importNewmanJson(`${process.cwd()}/package.json`, base)).rejects.toThrow(/package\.json: not a Newman JSON report/);
  });
});
