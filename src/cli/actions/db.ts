import { ERROR_CODES, ShopfdsError, StoreError, errorLine, redactRunSecrets, validateRun, type Run } from '../../model/index.js';
import type { RunStore } from '../../store/types.js';
import type { CommandContext } from '../context.js';
import { openContextStore } from '../session.js';

export async function migrateAction(ctx: CommandContext): Promise<number> {
  const store = await openContextStore(ctx);
  const applied = await store.migrate();
  if (ctx.globals.json) ctx.out(JSON.stringify({ store: store.location, applied }));
  else ctx.out(applied.length ? `applied ${applied.length} migration(s) to ${store.location}: ${applied.join(', ')}` : `${store.location} is up to date`);
  return 0;
}

interface SpoolEntry {
  file: string;
  id: string | null;
  kind: string | null;
  name: string | null;
  status: string | null;
  startedAt: string | null;
}

function describeSpooled(file: string, run: unknown): SpoolEntry {
  const r = (run && typeof run === 'object' ? run : {}) as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' ? v : null);
  return { file, id: s(r.id), kind: s(r.kind), name: s(r.name), status: s(r.status), startedAt: s(r.startedAt) };
}

/**
 * `db status`: the store, its migrations, live runs, and the spool. The spool is listed even when
 * the store cannot be reached (then the exit code is 4).
 */
export async function statusAction(ctx: CommandContext): Promise<number> {
  const { listSpooled, listQuarantined, spoolDir } = await import('../../store/spool.js');
  const spooled = listSpooled(ctx.globals.stateDir).map((s) => describeSpooled(s.file, s.run));
  const quarantined = listQuarantined(ctx.globals.stateDir);
  let store: RunStore | null = null;
  let storeError: unknown = null;
  try {
    store = await openContextStore(ctx);
  } catch (error) {
    storeError = error;
  }
  const migrations = store ? await store.migrationStatus().catch((e: unknown) => ((storeError = e), [])) : [];
  // SHOPFDS_LIVE_STALE_MS: how old a heartbeat may be before the run reads as abandoned (default 60 s).
  const staleAfterMs = Number(ctx.io.env.SHOPFDS_LIVE_STALE_MS) || undefined;
  const live = store ? await store.listLiveRuns({ staleAfterMs }).catch(() => []) : [];
  const errorText = storeError ? (storeError instanceof ShopfdsError ? storeError.message : `the result store failed: ${(storeError as Error).message}`) : null;
  if (ctx.globals.json) {
    ctx.out(
      JSON.stringify(
        { backend: store?.backend ?? null, store: store?.location ?? null, storeError: errorText, migrations, liveRuns: live, spooled, quarantined },
        null,
        2,
      ),
    );
  } else {
    if (store) {
      ctx.out(`store: ${store.backend} ${store.location}`);
      for (const m of migrations) ctx.out(`  ${m.executedAt ? 'applied' : 'pending'}  ${m.name}${m.executedAt ? `  ${m.executedAt}` : ''}`);
    } else ctx.out(`store: unreachable (${errorText})`);
    if (live.length) {
      ctx.out(`live runs: ${live.length}`);
      for (const l of live) ctx.out(`  ${l.state.padEnd(9)} ${l.id.slice(0, 8)}  ${l.kind}  ${l.name}  started ${l.startedAt}  last heartbeat ${l.heartbeatAt}`);
    }
    if (spooled.length) {
      ctx.out(`spool: ${spooled.length} run(s) waiting in ${spoolDir(ctx.globals.stateDir)}; run "shopfds-test db sync"`);
      for (const s of spooled) ctx.out(`  ${s.id ? s.id.slice(0, 8) : '(unreadable)'}  ${s.kind ?? '-'}  ${s.status ?? '-'}  ${s.name ?? '-'}  ${s.file}`);
    } else ctx.out('spool: empty');
    if (quarantined.length) ctx.out(`quarantine: ${quarantined.length} file(s) that cannot be stored (see the .reason.txt next to each)`);
  }
  if (storeError) {
    if (!ctx.globals.json) ctx.err(errorLine(storeError instanceof ShopfdsError ? storeError.code : ERROR_CODES.store, errorText ?? ''));
    return 4;
  }
  return 0;
}

/** Errors that say the data itself is refused (PostgreSQL classes 22 and 23, SQLite constraints): retrying cannot help. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return /^(22|23)[0-9A-Z]{3}$/.test(code) || /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
}

/**
 * `db sync`: pushes each spooled run on its own and reports per file. A file that can never be
 * stored (not JSON, not a run, refused by the database for its data) is moved to quarantine with
 * the reason; a file that fails for another reason (the store went away) stays for the next sync.
 * Never stops at the first bad file.
 */
export async function syncAction(ctx: CommandContext): Promise<number> {
  const { listSpooled, removeSpooled, quarantineSpooled, spooledCasesFile } = await import('../../store/spool.js');
  const { CaseRejected, checkStagedCases, readStagedCases } = await import('../../store/staged-run.js');
  const spooled = listSpooled(ctx.globals.stateDir);
  if (!spooled.length) {
    ctx.out('nothing to sync: the spool is empty');
    return 0;
  }
  const store = await openContextStore(ctx);
  let pushed = 0;
  let quarantined = 0;
  let kept = 0;
  const results: { file: string; result: 'synced' | 'already stored' | 'quarantined' | 'kept'; reason?: string; quarantinedAs?: string }[] = [];
  for (const item of spooled) {
    let reason: string | null = null;
    let run: Run | null = null;
    // A run spooled with its cases apart (a large import): the cases file is checked through first.
    const casesFile = item.run === undefined ? null : spooledCasesFile(item.file, item.run);
    if (item.run === undefined) reason = `not JSON (${item.readError ?? 'unreadable'})`;
    else {
      let streamedCases;
      if (casesFile) {
        try {
          streamedCases = await checkStagedCases(casesFile);
        } catch (error) {
          reason = error instanceof CaseRejected ? `not a valid run: ${error.message}` : `its cases cannot be read from ${casesFile}: ${(error as Error).message.split('\n')[0]}`;
        }
      }
      if (!reason) {
        const checked = validateRun(redactRunSecrets(item.run as Run), { streamedCases });
        if (!checked.ok) reason = `not a valid run: ${checked.issues.slice(0, 3).join('; ')}`;
        else run = checked.run;
      }
    }
    if (run) {
      try {
        const existing = await store.getRun(run.id);
        if (!existing) {
          if (casesFile) await store.saveRunWithCases(run, () => readStagedCases(casesFile, { check: true }));
          else await store.saveRun(run);
        }
        removeSpooled(item.file);
        pushed++;
        results.push({ file: item.file, result: existing ? 'already stored' : 'synced' });
        if (!ctx.globals.json) ctx.out(`  ${existing ? 'already stored' : 'synced'}  ${item.file}`);
        continue;
      } catch (error) {
        const message = (error as Error).message.split('\n')[0]!;
        if (!isDataError(error)) {
          kept++;
          results.push({ file: item.file, result: 'kept', reason: message });
          ctx.err(`shopfds-test: ${item.file}: not synced, kept for the next sync: ${message}`);
          continue;
        }
        reason = `the store refused it: ${message}`;
      }
    }
    const target = quarantineSpooled(ctx.globals.stateDir, item.file, reason!);
    quarantined++;
    results.push({ file: item.file, result: 'quarantined', reason: reason!, quarantinedAs: target });
    ctx.err(`shopfds-test: ${item.file}: quarantined as ${target}: ${reason}`);
  }
  if (ctx.globals.json) ctx.out(JSON.stringify({ store: store.location, synced: pushed, quarantined, kept, files: results }, null, 2));
  else ctx.out(`synced ${pushed} run(s) to ${store.location}${quarantined ? `; ${quarantined} file(s) quarantined` : ''}${kept ? `; ${kept} file(s) kept for the next sync` : ''}`);
  if (quarantined || kept) throw new StoreError(`${quarantined + kept} spooled file(s) could not be synced`);
  return 0;
}
