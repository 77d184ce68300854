import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { StoreError } from '../../model/index.js';
import { KyselyRunStore, type RowWriter } from '../kysely-store.js';
import type { StoreCapabilities } from '../migrations.js';

export const SQLITE_CAPABILITIES: StoreCapabilities = {
  timestampType: 'text',
  jsonType: 'text',
  jsonParsedOnRead: false,
  ginIndexes: false,
  // SQLITE_MAX_VARIABLE_NUMBER is 32766 since SQLite 3.32.
  maxParameters: 32000,
  doubleType: 'real',
  nativeBoolean: false,
  triggerStyle: 'inline',
  migrationLock: 'write-transaction',
};

export interface SqliteStoreOptions {
  /** How long a writer waits for another process's lock before failing (parallel CI jobs). */
  busyTimeoutMs?: number;
}

/**
 * Many rows through one cached prepared single-row statement per table: better-sqlite3 is synchronous
 * and binds a row in microseconds, while a generic multi-row INSERT re-prepares a statement of
 * 30,000 placeholders per chunk. Runs on the one connection, which holds the open transaction.
 */
function sqliteRowWriter(database: BetterSqlite3.Database): RowWriter {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    async insertRows(_trx, table, rows) {
      const columns = Object.keys(rows[0]!);
      const key = `${table}(${columns.join(',')})`;
      let statement = statements.get(key);
      if (!statement) {
        const names = columns.map((c) => `"${c}"`).join(', ');
        statement = database.prepare(`insert into "${table}" (${names}) values (${columns.map(() => '?').join(', ')})`);
        statements.set(key, statement);
      }
      const values: unknown[] = new Array(columns.length);
      for (const row of rows) {
        for (let i = 0; i < columns.length; i++) {
          const value = row[columns[i]!];
          values[i] = value === undefined ? null : typeof value === 'boolean' ? Number(value) : value;
        }
        statement.run(values);
      }
    },
  };
}

/** Opens (and creates) an SQLite result store. better-sqlite3 loads only here. */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<KyselyRunStore> {
  const file = resolve(path);
  const { default: Database } = await import('better-sqlite3');
  let database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    database = new Database(file);
    database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 15000}`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (cause) {
    throw new StoreError(`cannot open the SQLite store at ${file}: ${(cause as Error).message}`, { cause });
  }
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  return new KyselyRunStore('sqlite', file, db, SQLITE_CAPABILITIES, sqliteRowWriter(database));
}
