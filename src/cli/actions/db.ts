import { StoreError, validateRun } from '../../model/index.js';
import type { CommandContext } from '../context.js';
import { openContextStore } from '../session.js';

export async function migrateAction(ctx: CommandContext): Promise<number> {
  const store = await openContextStore(ctx);
  const applied = await store.migrate();
  if (ctx.globals.json) ctx.out(JSON.stringify({ store: store.location, applied }));
  else ctx.out(applied.length ? `applied ${applied.length} migration(s) to ${store.location}: ${applied.join(', ')}` : `${store.location} is up to date`);
  return 0;
}

export async function statusAction(ctx: CommandContext): Promise<number> {
  const { listSpooled, spoolDir } = await import('../../store/spool.js');
  const spooled = listSpooled(ctx.globals.stateDir);
  const store = await openContextStore(ctx);
  const migrations = await store.migrationStatus();
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ backend: store.backend, store: store.location, migrations, spooled: spooled.map((s) => s.file) }, null, 2));
    return 0;
  }
  ctx.out(`store: ${store.backend} ${store.location}`);
  for (const m of migrations) ctx.out(`  ${m.executedAt ? 'applied' : 'pending'}  ${m.name}${m.executedAt ? `  ${m.executedAt}` : ''}`);
  ctx.out(spooled.length ? `spool: ${spooled.length} run(s) waiting in ${spoolDir(ctx.globals.stateDir)}; run "shopfds-test db sync"` : 'spool: empty');
  return 0;
}

export async function syncAction(ctx: CommandContext): Promise<number> {
  const { listSpooled, removeSpooled } = await import('../../store/spool.js');
  const spooled = listSpooled(ctx.globals.stateDir);
  if (!spooled.length) {
    ctx.out('nothing to sync: the spool is empty');
    return 0;
  }
  const store = await openContextStore(ctx);
  let pushed = 0;
  let bad = 0;
  for (const item of spooled) {
    const checked = item.run === undefined ? null : validateRun(item.run);
    if (!checked || !checked.ok) {
      bad++;
      ctx.err(`shopfds-test: ${item.file}: not a valid spooled run; left in place`);
      continue;
    }
    const existing = await store.getRun(checked.run.id);
    if (!existing) await store.saveRun(checked.run);
    removeSpooled(item.file);
    pushed++;
  }
  ctx.out(`synced ${pushed} run(s) to ${store.location}${bad ? `; ${bad} file(s) could not be read` : ''}`);
  if (bad) throw new StoreError(`${bad} spooled file(s) could not be synced`);
  return 0;
}
