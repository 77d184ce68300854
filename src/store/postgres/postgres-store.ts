import { Kysely, PostgresDialect, sql } from 'kysely';
import { StoreError } from '../../model/index.js';
import { KyselyRunStore, type RowWriter } from '../kysely-store.js';
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

/** Rows per statement: bounds the size of one JSON document (about 0.5 KB per case row). */
const ROWS_PER_STATEMENT = 5000;

/**
 * Many rows as ONE parameter: a JSON array expanded by json_populate_recordset, which types each
 * field by the table's own column types. Binding 65,000 separate parameters per statement (the
 * generic multi-row INSERT) cost several times more. JSON columns already hold JSON text and are
 * embedded as they are.
 */
function postgresRowWriter(): RowWriter {
  const jsonColumns = new Map<string, Set<string>>();
  return {
    async insertRows(trx, table, rows) {
      let json = jsonColumns.get(table);
      if (!json) {
        const result = await sql<{ column_name: string }>`
          select column_name from information_schema.columns
          where table_schema = current_schema() and table_name = ${table} and data_type in ('json', 'jsonb')`.execute(trx);
        json = new Set(result.rows.map((r) => r.column_name));
        jsonColumns.set(table, json);
      }
      const columns = Object.keys(rows[0]!);
      const keys = columns.map((c) => `${JSON.stringify(c)}:`);
      const isJson = columns.map((c) => json.has(c));
      const list = sql.join(columns.map((c) => sql.ref(c)));
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const parts: string[] = [];
        for (const row of rows.slice(start, start + ROWS_PER_STATEMENT)) {
          const fields: string[] = [];
          for (let i = 0; i < columns.length; i++) {
            const value = row[columns[i]!];
            fields.push(keys[i]! + (value === null || value === undefined ? 'null' : isJson[i] ? String(value) : JSON.stringify(value)));
          }
          parts.push(`{${fields.join(',')}}`);
        }
        await sql`insert into ${sql.table(table)} (${list}) select ${list} from json_populate_recordset(null::${sql.table(table)}, ${`[${parts.join(',')}]`}::json)`.execute(trx);
      }
    },
  };
}

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
  return new KyselyRunStore('postgres', redactUrl(url), db, POSTGRES_CAPABILITIES, postgresRowWriter());
}
