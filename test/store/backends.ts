import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RunStore, StoreBackend } from '../../src/store/types.js';
import { createTestDatabase } from '../helpers/pg.js';

/** One empty store location plus raw SQL access to it, for checks the contract cannot express. */
export interface StoreFixture {
  readonly backend: StoreBackend;
  /** What `--db` would be given: a file path or a postgres:// URL. */
  readonly target: string;
  open(): Promise<RunStore>;
  /** Runs raw SQL; `?` placeholders on both backends. */
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

export interface Backend {
  readonly name: StoreBackend;
  create(): Promise<StoreFixture>;
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'shopfds-store-'));
    const target = join(dir, 'results.db');
    let raw: Database.Database | undefined;
    const stores: RunStore[] = [];
    return {
      backend: 'sqlite',
      target,
      async open() {
        const store = await openSqliteStore(target);
        stores.push(store);
        return store;
      },
      async query(text, params = []) {
        raw ??= new Database(target);
        raw.pragma('busy_timeout = 5000');
        const stmt = raw.prepare(text);
        return stmt.reader ? (stmt.all(...params) as Record<string, unknown>[]) : (stmt.run(...params), []);
      },
      async cleanup() {
        for (const s of stores) await s.close().catch(() => {});
        raw?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
  async create() {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => {});
    await client.connect();
    const stores: RunStore[] = [];
    return {
      backend: 'postgres',
      target: db.url,
      async open() {
        const store = await openPostgresStore(db.url);
        stores.push(store);
        return store;
      },
      async query(text, params = []) {
        let n = 0;
        const { rows } = await client.query(
          text.replace(/\?/g, () => `$${++n}`),
          params,
        );
        return rows;
      },
      async cleanup() {
        for (const s of stores) await s.close().catch(() => {});
        await client.end().catch(() => {});
        await db.drop();
      },
    };
  },
};

export const BACKENDS: readonly Backend[] = [sqliteBackend, postgresBackend];
