import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import newman from 'newman';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/model/index.js';
import { REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { startBookstore, type Bookstore } from './bookstore-server.js';

/*
 * A realistic Postman project (test/fixtures/postman-project): a collection on its own URL variable
 * {{APIURL}}, an environment with a password whose value is a common word, run by real Newman
 * through `shopfds-test api` against a small real HTTP server that is not the demo shop.
 */

const PROJECT = join(REPO_ROOT, 'test', 'fixtures', 'postman-project');
const COLLECTION = join(PROJECT, 'bookstore.postman_collection.json');
const ENVIRONMENT = join(PROJECT, 'bookstore.postman_environment.json');

let tmp: ReturnType<typeof makeTempDir>;
let server: Bookstore;
let newmanStats: { requests: number; assertions: number; failedAssertions: number };
let run: Run;
let text: string;
let html: string;
let stderr: string;

beforeAll(async () => {
  tmp = makeTempDir('shopfds-newman-project-');
  server = await startBookstore();
  // Newman's own figures for the same collection, environment and server.
  newmanStats = await new Promise((resolve, reject) => {
    newman.run(
      { collection: JSON.parse(readFileSync(COLLECTION, 'utf8')), environment: JSON.parse(readFileSync(ENVIRONMENT, 'utf8')), envVar: [{ key: 'APIURL', value: server.url }], reporters: [] },
      (error, summary) => {
        if (error) return reject(error);
        const s = summary.run.stats;
        resolve({ requests: s.requests.total!, assertions: s.assertions.total!, failedAssertions: s.assertions.failed! });
      },
    );
  });
  const db = join(tmp.dir, 'results.db');
  const args = ['--db', db, 'api', COLLECTION, '-e', ENVIRONMENT, '--env-var', `APIURL=${server.url}`, '--newman-html', 'report.html'];
  const json = await runBin(['--json', ...args], { cwd: tmp.dir, env: cliEnv(), timeoutMs: 170_000 });
  expect(json.exitCode, json.stderr.slice(-2000)).toBe(1);
  run = JSON.parse(json.stdout) as Run;
  stderr = json.stderr;
  const shown = await runBin(['--db', db, 'runs', 'show', run.id], { cwd: tmp.dir, env: cliEnv(), timeoutMs: 60_000 });
  expect(shown.exitCode, shown.stderr).toBe(0);
  text = shown.stdout;
  html = readFileSync(join(tmp.dir, 'report.html'), 'utf8');
}, 300_000);
afterAll(async () => {
  await server?.close();
  tmp?.cleanup();
});

describe('a Postman collection on its own URL variable, against a real server', () => {
  it('ran against the server the collection names', () => {
    expect(server.requests).toContain('GET /books/999');
    expect(newmanStats).toEqual({ requests: 5, assertions: 4, failedAssertions: 1 });
  });

  it('starts no demo shop for a collection that does not use {{baseUrl}}; records the hosts really requested (item 9)', () => {
    expect(run.metadata.base_url).toBeUndefined();
    expect(run.metadata.target).toBe('collection');
    expect(run.metadata.hosts).toBe(server.url);
    expect(run.tool.commandLine).not.toContain('baseUrl');
    expect(run.tool.commandLine).toContain(`--env-var APIURL=${server.url}`);
    expect(stderr).not.toMatch(/against http/);
  });

  it('keeps progress on stderr with --json (item 17)', () => {
    expect(stderr).toContain('api: running "Bookstore API"');
    expect(stderr).toMatch(/✗ .*Unknown book returns 404.* → 500 \(1 failure\)/);
  });

  it('counts assertions as Newman does and requests apart, inventing no passing case (item 10)', () => {
    expect(run.totals.total).toBe(newmanStats.assertions);
    expect(run.totals.failed).toBe(newmanStats.failedAssertions);
    expect(run.cases.map((c) => c.name)).not.toContain('request');
    const suite = run.api!.suites[0]!;
    expect(suite.total_tests).toBe(newmanStats.assertions);
    expect(suite.results).toHaveLength(newmanStats.requests);
    // A request without pm.test is a request, not a case.
    const health = suite.results.find((r) => r.endpoint.endsWith('/health'))!;
    expect(health.case_ordinal).toBeNull();
    expect(health.test_status).toBe('passed');
    expect(text).toMatch(/SUITE +STATUS +REQUESTS +TESTS +PASSED +FAILED +SKIPPED +TIME\n {2}Bookstore API +failed +5 +4 +3 +1 +0 /);
  });

  it('redacts values, not keys, in the HTML report (item 11)', () => {
    expect(html).toContain('[REDACTED]');
    expect(html).not.toMatch(/(&quot;|")\[REDACTED\](&quot;|")\s*:/);
    expect(html).toMatch(/(&quot;|")password(&quot;|")\s*:\s*(&quot;|")\[REDACTED\]/);
    expect(html).not.toMatch(/(&quot;|")password(&quot;|")\s*:\s*(&quot;|")password/);
  });

  it('never cuts an assertion message or a request name in piped output (item 12)', () => {
    expect(text).toContain('expected response to have status code 404 but got 500');
    expect(text).toContain('Unknown book returns 404 Not Found for an id that does not exist in the catalogue › Status code is 404 for a book id that is not in the catalogue');
    expect(text).not.toContain('…');
  });
});
