import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../model/index.js';
import type { RunStore } from '../store/types.js';
import type { CommandContext } from './context.js';

/**
 * Opens the configured store for a read command (`runs`, `report`). A read never creates a store: an
 * SQLite file that does not exist is a usage error (exit 2), so a mistyped `--db` is not answered with
 * an empty database and "no runs match".
 */
export async function openExistingStore(ctx: CommandContext): Promise<RunStore> {
  const { isPostgresUrl, openStore } = await import('../store/open.js');
  const target = ctx.globals.db;
  if (!isPostgresUrl(target) && !existsSync(resolve(ctx.io.cwd, target))) {
    throw new UsageError(`no result store at ${target}`, {
      hint: 'Runs are stored by e2e, api, perf, chaos, canary and import; check --db or SHOPFDS_DATABASE_URL.',
    });
  }
  const store = await openStore(target);
  ctx.onTeardown(() => store.close());
  return store;
}
