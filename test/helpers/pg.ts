import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** Admin URL of the test PostgreSQL server, provided by test/setup/global-setup.ts. */
export function adminPgUrl(): string {
  const url = inject('pgUrl') ?? process.env.SHOPFDS_TEST_PG_URL;
  if (!url) throw new Error('no PostgreSQL URL: test/setup/global-setup.ts did not run');
  return url;
}

/** The same server, another database. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminPgUrl() });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Terminates its connections and drops it. */
  drop(): Promise<void>;
}

/** Creates an empty, uniquely named database (`shopfds_test_<random>`). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `shopfds_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  return {
    name,
    url: databaseUrl(adminPgUrl(), name),
    drop: () =>
      withAdmin(async (c) => {
        await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
        await c.query(`drop database if exists ${name}`);
      }),
  };
}
