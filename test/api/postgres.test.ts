import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningShop } from '../../src/demo/shop.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';
import { FIXTURES, runCli, storedRuns, tempDir } from './helpers.js';

/* The api run stored in PostgreSQL: same rows, and no secret in any table. */

let shop: RunningShop;
let tmp: { dir: string; cleanup: () => void };
let database: TestDatabase;

beforeAll(async () => {
  shop = await startShop({ port: 0 });
  tmp = tempDir('shopfds-api-pg-');
  database = await createTestDatabase();
});

afterAll(async () => {
  await shop?.close();
  tmp?.cleanup();
  await database?.drop();
});

describe('api: PostgreSQL store', () => {
  it('stores suites and results and no secret value in any table', async () => {
    const result = await runCli(
      ['--db', database.url, 'api', join(FIXTURES, 'secrets.postman_collection.json'), '-e', join(FIXTURES, 'secrets.postman_environment.json'), '--env-var', 'extraSecret=env-var-secret-6a0c', '--base-url', shop.url],
      { cwd: tmp.dir },
    );
    expect(result.exitCode, result.stderr).toBe(1);
    const [run] = await storedRuns(database.url, tmp.dir);
    expect(run.api.suites[0]).toMatchObject({ name: 'Secrets fixture', total_tests: 6, failed_tests: 2 });
    expect(run.api.suites[0].results).toHaveLength(4);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'");
      let dump = '';
      for (const { table_name } of tables.rows) {
        const rows = await client.query(`select * from "${table_name}"`);
        dump += JSON.stringify(rows.rows);
      }
      expect(dump).toContain('[REDACTED]');
      for (const secret of ['sk-fixture-api-key-5f7c2e', 'static-bearer-token-8d1a', 'cookie-value-3b9e71', 'query-token-value-77ab', 'form-password-value-2c4d', 'client-secret-value-91ef', 'env-var-secret-6a0c', 'demo-password-1', '5555 5555 5555 4444']) {
        expect(dump.includes(secret), secret).toBe(false);
      }
      expect(dump).not.toMatch(/sfd_[A-Za-z0-9_-]{4,}/);
    } finally {
      await client.end();
    }
  });
});
