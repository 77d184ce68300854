import type { RunStore } from './types.js';

/** `postgres://` / `postgresql://` URLs select PostgreSQL; anything else is an SQLite file path. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** Opens the store a `--db` value names. Each backend's driver loads only when chosen. */
export async function openStore(target: string): Promise<RunStore> {
  if (isPostgresUrl(target)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    return openPostgresStore(target);
  }
  const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
  return openSqliteStore(target);
}
