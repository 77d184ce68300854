import { Kysely, PostgresDialect } from 'kysely';
import { StoreError } from '../../model/index.js';
import { KyselyRunStore } from '../kysely-store.js';
import type { StoreCapabilities } from '../migrations.js';
import { redactUrl } from '../redact-url.js';

export const POSTGRES_CAPABILITIES: StoreCapabilities = {
  timestampType: 'timestamptz',
  jsonType: 'jsonb',
  jsonParsedOnRead: true,
  ginIndexes: true,
  maxParameters: 65000,
  doubleType: 'double precision',
  nativeBoolean: true,
  triggerStyle: 'function',
};

export interface PostgresStoreOptions {
  connectTimeoutMs?: number;
}

/** Connects to a PostgreSQL result store. pg loads only here. Fails fast when the server is unreachable. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<KyselyRunStore> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new StoreError(`cannot reach PostgreSQL at ${redactUrl(url)}: ${(cause as Error).message}`, { cause });
  }
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyRunStore('postgres', redactUrl(url), db, POSTGRES_CAPABILITIES);
}
