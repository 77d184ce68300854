import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningShop } from '../../src/demo/shop.js';
import { EXAMPLE_COLLECTION, EXAMPLE_ENVIRONMENT, runCli, storedRuns, tempDir } from './helpers.js';

let shop: RunningShop;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  // Slow enough that the run is still going when the signal arrives.
  shop = await startShop({ port: 0, faults: { global: { latencyMs: 300 }, routes: {} } });
  tmp = tempDir('shopfds-api-interrupt-');
});

afterAll(async () => {
  await shop?.close();
  tmp?.cleanup();
});

describe('api: Ctrl-C', () => {
  it('aborts Newman, saves the partial run as interrupted and exits 130', async () => {
    const db = join(tmp.dir, 'results.db');
    let sent = false;
    const result = await runCli(['--db', db, 'api', EXAMPLE_COLLECTION, '-e', EXAMPLE_ENVIRONMENT, '--base-url', shop.url], {
      cwd: tmp.dir,
      onStderr: (text, child) => {
        if (!sent && (text.match(/✓|✗/g) ?? []).length >= 3) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(result.exitCode, result.stderr).toBe(130);
    const [run] = await storedRuns(db, tmp.dir);
    expect(run.status).toBe('interrupted');
    expect(run.errorMessage).toMatch(/^interrupted by SIGINT after \d+ requests$/);
    const results = run.api.suites[0].results;
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.length).toBeLessThan(45);
    expect(results.slice(0, 3).map((r: any) => r.test_status)).toEqual(['passed', 'passed', 'passed']);
    expect(run.totals.passed + run.totals.failed + run.totals.skipped).toBe(run.totals.total);
    expect(run.api.suites[0].status).toBe('failed');
  });
});
