import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningShop } from '../../src/demo/shop.js';
import { EXAMPLE_COLLECTION, EXAMPLE_ENVIRONMENT, FIXTURES, REPO, cliEnv, runCli, storedRuns, tempDir } from './helpers.js';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

/*
 * `shopfds-test api` through the built bin, with real Newman against the bundled demo shop.
 * Every test asserts what was stored (api_test_suites / api_test_results via `runs show --json`).
 */

let shop: RunningShop;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  shop = await startShop({ port: 0 });
  tmp = tempDir();
});

afterAll(async () => {
  await shop?.close();
  tmp?.cleanup();
});

function casesOf(run: any, path: string[]): any[] {
  return run.cases.filter((c: any) => path.every((p, i) => c.suitePath[i] === p));
}

describe('api: the example collection against the demo shop', () => {
  it('passes, one result per request and every pm.test a case (demo shop started by the command)', async () => {
    const db = join(tmp.dir, 'passing.db');
    const result = await runCli(['--db', db, 'api', EXAMPLE_COLLECTION, '--environment', EXAMPLE_ENVIRONMENT], { cwd: tmp.dir });
    expect(result.stderr).toContain('started the ShopFDS demo shop');
    expect(result.exitCode, result.stderr).toBe(0);
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.kind).toBe('api');
    expect(run.status).toBe('passed');
    expect(run.tool.name).toBe('newman');
    expect(run.tool.version).toMatch(/^6\./);
    const suite = run.api.suites[0];
    expect(run.api.suites).toHaveLength(1);
    expect(suite.name).toBe('ShopFDS demo API');
    expect(suite.postman_collection_id).toBe('5f3c2a8e-6a0b-4d7e-9a51-2f1e0c9d7b31');
    expect(suite.status).toBe('completed');
    const collection = JSON.parse((await import('node:fs')).readFileSync(EXAMPLE_COLLECTION, 'utf8'));
    const requestCount = JSON.stringify(collection).match(/"request":/g)!.length;
    expect(suite.results).toHaveLength(requestCount);
    expect(suite.total_tests).toBe(run.totals.total);
    expect(suite.passed_tests).toBe(run.totals.total);
    expect(suite.passed_tests + suite.failed_tests + suite.skipped_tests).toBe(suite.total_tests);
    // Every pm.test in the collection is a case (the collection has no assertion-free request).
    const tests = JSON.stringify(collection).match(/pm\.test\(/g)!.length;
    expect(run.totals.total).toBe(tests);
    const health = suite.results[0];
    expect(health).toMatchObject({ endpoint: '/health', http_method: 'GET', status_code: 200, test_status: 'passed', error_message: null });
    expect(health.response_body).toMatchObject({ status: 'ok' });
    expect(typeof health.response_time_ms).toBe('number');
    expect(run.cases[health.case_ordinal].suitePath).toEqual(['ShopFDS demo API', 'Health', 'Health check']);
    const conflict = suite.results.find((r: any) => r.status_code === 409 && r.endpoint === '/api/auth/signup');
    expect(conflict.test_status).toBe('passed');
    expect(casesOf(run, ['ShopFDS demo API', 'Auth', 'Sign up again with the same email']).map((c) => c.name)).toEqual(['status is 409', 'error body has code email_taken']);
  });

  it('with the shop down: connection-refused failures, exit 1', async () => {
    const db = join(tmp.dir, 'down.db');
    const closed = await startShop({ port: 0 });
    const url = closed.url;
    await closed.close();
    const result = await runCli(['--db', db, 'api', EXAMPLE_COLLECTION, '-e', EXAMPLE_ENVIRONMENT, '--base-url', url], { cwd: tmp.dir });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).not.toContain('started the ShopFDS demo shop');
    expect(result.stderr).toContain('ECONNREFUSED');
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.status).toBe('failed');
    expect(run.totals.passed).toBe(0);
    const suite = run.api.suites[0];
    expect(suite.status).toBe('failed');
    for (const r of suite.results) {
      expect(r.status_code).toBeNull();
      expect(r.test_status).toBe('failed');
      expect(r.error_message).toContain('ECONNREFUSED');
      const requestCase = run.cases[r.case_ordinal];
      expect(requestCase.name).toBe('request');
      expect(requestCase.status).toBe('failed');
      expect(requestCase.errorMessage).toMatch(/^request failed: connect ECONNREFUSED 127\.0\.0\.1:\d+ \((GET|POST|PATCH|DELETE) http/);
    }
  });

  it('with the shop faults injected (SHOPFDS_DEMO_FAULTS): failing requests are stored with their status codes', async () => {
    const db = join(tmp.dir, 'faults.db');
    const faults = JSON.stringify({ routes: { 'GET /api/products': { status: 503, errorRate: 1 }, 'GET /health': { status: 500, errorRate: 1 } } });
    const result = await runCli(['--db', db, 'api', EXAMPLE_COLLECTION, '-e', EXAMPLE_ENVIRONMENT], { cwd: tmp.dir, env: cliEnv({ SHOPFDS_DEMO_FAULTS: faults }) });
    expect(result.exitCode, result.stderr).toBe(1);
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.status).toBe('failed');
    const results = run.api.suites[0].results;
    const health = results.find((r: any) => r.endpoint === '/health');
    expect(health).toMatchObject({ status_code: 500, test_status: 'failed' });
    expect(health.error_message).toContain('status is 200');
    const products = results.find((r: any) => r.endpoint === '/api/products');
    expect(products).toMatchObject({ status_code: 503, test_status: 'failed' });
    // Untouched routes still pass.
    const login = results.find((r: any) => r.endpoint === '/api/auth/login' && r.status_code === 200);
    expect(login.test_status).toBe('passed');
    const failed = run.cases.filter((c: any) => c.status === 'failed');
    expect(failed.length).toBe(run.totals.failed);
    expect(run.api.suites[0].failed_tests).toBe(run.totals.failed);
  });
});

describe('api: failures outside and inside assertions', () => {
  it('stores assertion failures, skipped tests, script errors and assertion-free requests as cases', async () => {
    const db = join(tmp.dir, 'failing.db');
    const junit = join(tmp.dir, 'failing.xml');
    const result = await runCli(['--db', db, 'api', join(FIXTURES, 'failing.postman_collection.json'), '--base-url', shop.url, '--junit', junit], { cwd: tmp.dir });
    expect(result.exitCode, result.stderr).toBe(1);
    const [run] = await storedRuns(db, tmp.dir);
    const summary = run.cases.map((c: any) => [c.suitePath.slice(1).join(' / '), c.name, c.status]);
    expect(summary).toEqual([
      ['Checks / Health with a wrong expectation', 'status is 200', 'passed'],
      ['Checks / Health with a wrong expectation', 'status is 201 (wrong on purpose)', 'failed'],
      ['Checks / Health with a wrong expectation', 'not ready yet', 'skipped'],
      ['Checks / Test script throws', 'test script', 'failed'],
      ['Checks / Test script throws', 'status is 200', 'passed'],
      ['Checks / Pre-request script throws', 'pre-request script', 'failed'],
    ]);
    // Cases are Newman's assertions only: the request without a pm.test is a request, not an invented case.
    expect(run.totals).toMatchObject({ total: 6, passed: 2, failed: 3, skipped: 1 });
    expect(run.cases[1].errorMessage).toBe('expected response to have status code 201 but got 200');
    expect(run.cases[3].errorMessage).toBe('test script failed: ReferenceError: notDefinedAnywhere is not defined');
    expect(run.cases[5].errorMessage).toBe('pre-request script failed: Error: setup failed on purpose');
    const suite = run.api.suites[0];
    expect(suite).toMatchObject({ total_tests: 6, passed_tests: 2, failed_tests: 3, skipped_tests: 1, status: 'failed' });
    expect(suite.results.map((r: any) => [r.endpoint, r.test_status, r.case_ordinal])).toEqual([
      ['/health', 'failed', 1],
      ['/api/products', 'failed', 3],
      ['/health', 'failed', 5],
      ['/health', 'passed', null],
    ]);
    expect(suite.results[0].error_message).toBe('status is 201 (wrong on purpose): expected response to have status code 201 but got 200');
    const xml = (await import('node:fs')).readFileSync(junit, 'utf8');
    expect(xml).toContain('status is 201 (wrong on purpose)');
    expect(xml).toContain('<failure');
  });

  it('keeps iterations in the suite path and runs only --folder', async () => {
    const db = join(tmp.dir, 'iterations.db');
    const result = await runCli(
      ['--db', db, 'api', join(FIXTURES, 'failing.postman_collection.json'), '--base-url', shop.url, '--iteration-count', '2', '--folder', 'No assertions'],
      { cwd: tmp.dir },
    );
    // Only requests without a pm.test ran: nothing was checked, which is never a pass (and no case is invented).
    expect(result.exitCode, result.stderr).toBe(3);
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.status).toBe('error');
    expect(run.errorMessage).toMatch(/^no assertions: 2 request\(s\) got answers/);
    expect(run.cases).toEqual([]);
    expect(run.api.suites[0].results.map((r: any) => [r.endpoint, r.status_code])).toEqual([
      ['/health', 200],
      ['/health', 200],
    ]);
  });

  it('a request timeout is a timed-out case', async () => {
    const slow = await startShop({ port: 0, faults: { routes: { 'GET /health': { latencyMs: 3000 } } } });
    try {
      const db = join(tmp.dir, 'timeout.db');
      const result = await runCli(['--db', db, 'api', join(FIXTURES, 'failing.postman_collection.json'), '--base-url', slow.url, '--folder', 'No assertions', '--timeout-request', '300'], {
        cwd: tmp.dir,
      });
      expect(result.exitCode, result.stderr).toBe(1);
      const [run] = await storedRuns(db, tmp.dir);
      expect(run.cases).toHaveLength(1);
      expect(run.cases[0].status).toBe('timed_out');
      expect(run.cases[0].errorMessage).toMatch(/^request timed out: ESOCKETTIMEDOUT \(GET http:\/\/127\.0\.0\.1:\d+\/health\)$/);
      expect(run.totals).toMatchObject({ failed: 1, timedOut: 1 });
    } finally {
      await slow.close();
    }
  });
});

describe('api: run options', () => {
  it('--iteration-data, --globals, --env-var, --delay-request, --insecure and the service variable', async () => {
    const db = join(tmp.dir, 'data.db');
    const result = await runCli(
      [
        '--db', db, 'api', join(FIXTURES, 'data-driven.postman_collection.json'),
        '--iteration-data', join(FIXTURES, 'data-driven.data.json'),
        '--globals', join(FIXTURES, 'fixture.postman_globals.json'),
        '--env-var', 'runLabel=bench-7',
        '--delay-request', '10', '--insecure', '--env', 'staging',
        '--base-url', shop.url,
      ],
      { cwd: tmp.dir },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.environment).toBe('staging');
    const suite = run.api.suites[0];
    expect(suite).toMatchObject({ service_name: 'shopfds-catalog', environment: 'staging', total_tests: 6, passed_tests: 6 });
    expect(suite.results.map((r: any) => [r.endpoint, r.status_code])).toEqual([
      ['/health', 200],
      ['/api/products', 200],
      ['/api/products/p-999', 404],
    ]);
    expect(run.cases.map((c: any) => c.suitePath[1])).toEqual(['iteration 1', 'iteration 1', 'iteration 2', 'iteration 2', 'iteration 3', 'iteration 3']);
    expect(run.tool.commandLine).toContain('--delay-request 10');
  });

  it('--bail stops at the first failure', async () => {
    const db = join(tmp.dir, 'bail.db');
    const result = await runCli(['--db', db, 'api', join(FIXTURES, 'failing.postman_collection.json'), '--base-url', shop.url, '--bail', '--service', 'health-api'], { cwd: tmp.dir });
    expect(result.exitCode, result.stderr).toBe(1);
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.api.suites[0].service_name).toBe('health-api');
    expect(run.api.suites[0].results).toHaveLength(1);
    expect(run.totals).toMatchObject({ total: 3, passed: 1, failed: 1, skipped: 1 });
    expect(run.cases.map((c: any) => c.name)).toEqual(['status is 200', 'status is 201 (wrong on purpose)', 'not ready yet']);
  });
});

describe('api: bad input is a one-line error naming the file, exit 2, nothing stored', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing collection', () => ['missing.postman_collection.json'], /^shopfds-test: error E_USAGE: missing\.postman_collection\.json: no such collection file$/],
    ['a malformed collection', () => [join(FIXTURES, 'malformed.postman_collection.json')], /malformed\.postman_collection\.json: the collection is not valid JSON/],
    ['a v1 collection', () => [join(FIXTURES, 'v1.postman_collection.json')], /v1\.postman_collection\.json: Postman Collection v1 is not supported/],
    ['an unknown environment file', () => [EXAMPLE_COLLECTION, '--environment', 'nope.postman_environment.json'], /nope\.postman_environment\.json: no such environment file/],
    ['a Newman report instead of a collection', () => [`${REFERENCE}/newman/tredgate-newman-run-report-failures.json`], /this is a Newman run report, not a collection/],
    ['an unknown --folder', () => [EXAMPLE_COLLECTION, '--folder', 'No such folder'], /--folder "No such folder" is not a folder or request/],
    ['a bad --iteration-count', () => [EXAMPLE_COLLECTION, '--iteration-count', 'two'], /--iteration-count must be an integer/],
    ['a missing --iteration-data file', () => [EXAMPLE_COLLECTION, '--iteration-data', 'rows.csv'], /rows\.csv: no such iteration data file/],
    ['a malformed globals file', () => [EXAMPLE_COLLECTION, '--globals', join(FIXTURES, 'failing.postman_collection.json')], /failing\.postman_collection\.json: not a Postman globals file/],
    ['a collection without requests', () => [join(FIXTURES, 'empty.postman_collection.json')], /empty\.postman_collection\.json: the collection has no requests$/],
    ['a bad --env-var', () => [EXAMPLE_COLLECTION, '--env-var', 'novalue'], /--env-var must be key=value/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const db = join(tmp.dir, `bad-${Math.random().toString(36).slice(2)}.db`);
    const result = await runCli(['--db', db, 'api', ...args()], { cwd: tmp.dir });
    expect(result.exitCode).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(message);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(result.stderr).not.toContain('started the ShopFDS demo shop');
    expect(result.stdout).toBe('');
    expect(await storedRuns(db, tmp.dir)).toEqual([]);
  });

  it('a collection given to import --format newman-json', async () => {
    const db = join(tmp.dir, 'import-collection.db');
    const result = await runCli(['--db', db, 'import', '--format', 'newman-json', EXAMPLE_COLLECTION], { cwd: tmp.dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('shopfds-api.postman_collection.json: this is a Postman collection, not a Newman run report');
    expect(await storedRuns(db, tmp.dir)).toEqual([]);
  });
});

describe('api: defaults', () => {
  it('without arguments runs every collection in ./collections with its one environment', async () => {
    const db = join(tmp.dir, 'default.db');
    const result = await runCli(['--db', db, '--json', 'api', '--base-url', shop.url], { cwd: REPO });
    expect(result.exitCode, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.kind).toBe('api');
    expect(printed.metadata.environment_file).toBe('collections/shopfds-local.postman_environment.json');
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.id).toBe(printed.id);
    expect(run.api.suites.map((s: any) => s.postman_collection_path)).toEqual(['collections/shopfds-api.postman_collection.json']);
  });

  it('runs several collections in one run: one suite each, one HTML report each', async () => {
    const db = join(tmp.dir, 'two.db');
    const second = join(tmp.dir, 'second.postman_collection.json');
    const fixture = JSON.parse((await import('node:fs')).readFileSync(join(FIXTURES, 'failing.postman_collection.json'), 'utf8'));
    writeFileSync(second, JSON.stringify({ ...fixture, info: { ...fixture.info, name: 'Second copy', _postman_id: 'second-copy' } }));
    const result = await runCli(
      ['--db', db, 'api', join(FIXTURES, 'failing.postman_collection.json'), 'second.postman_collection.json', '--folder', 'No assertions', '--base-url', shop.url, '--newman-html', 'two.html'],
      { cwd: tmp.dir },
    );
    // The folder has requests without a pm.test: no verdict (exit 3), but both suites are stored.
    expect(result.exitCode, result.stderr).toBe(3);
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.name).toBe('Failing fixture, Second copy');
    expect(run.api.suites.map((s: any) => [s.name, s.postman_collection_id, s.postman_collection_path, s.total_tests, s.newman_report_path])).toEqual([
      ['Failing fixture', '0b7e2f5a-4c1d-4e8b-9a3f-6d2c1b0e9f11', expect.stringMatching(/failing\.postman_collection\.json$/), 0, 'two-failing-fixture.html'],
      ['Second copy', 'second-copy', 'second.postman_collection.json', 0, 'two-second-copy.html'],
    ]);
    expect(run.cases).toEqual([]);
    expect(run.api.suites.map((s: any) => s.results.length)).toEqual([1, 1]);
  });

  it('writes the Newman HTML report and stores its path as newman_report_path', async () => {
    const db = join(tmp.dir, 'html.db');
    const html = join(tmp.dir, 'report.html');
    writeFileSync(html, '');
    const result = await runCli(['--db', db, 'api', join(FIXTURES, 'failing.postman_collection.json'), '--base-url', shop.url, '--newman-html', 'report.html'], { cwd: tmp.dir });
    expect(result.exitCode, result.stderr).toBe(1);
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.api.suites[0].newman_report_path).toBe('report.html');
    expect(run.artifacts).toEqual([expect.objectContaining({ kind: 'report', path: 'report.html', contentType: 'text/html' })]);
    const text = (await import('node:fs')).readFileSync(html, 'utf8');
    expect(text).toContain('<html');
    expect(text).toContain('Failing fixture');
  });
});
