import { createHash } from 'node:crypto';
import { createReadStream, existsSync, rmSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CONTENT_HASH_METADATA, ERROR_CODES, RUN_KINDS, UsageError, errorLine, countReplacedCharacters, countsText, redactRunSecrets, validateRun, type Run } from '../../model/index.js';
import type { ImportBase, Importer, StreamingImporter } from '../../adapters/import-types.js';
import type { CommandContext } from '../context.js';
import { parseEnvironment, saveOrSpoolStaged } from '../session.js';
import { escapeControl } from '../../report/format.js';

type Format = 'junit' | 'playwright-json' | 'newman-json' | 'k6-summary' | 'k6-json' | 'locust-csv';

async function loadImporter(format: Format): Promise<Importer> {
  switch (format) {
    case 'junit':
      return (await import('../../adapters/junit/import.js')).importJunit;
    case 'playwright-json':
      return (await import('../../adapters/playwright/import.js')).importPlaywrightJson;
    case 'newman-json':
      return (await import('../../adapters/newman/import.js')).importNewmanJson;
    case 'k6-summary':
      return (await import('../../adapters/k6/import.js')).importK6Summary;
    case 'k6-json':
      return (await import('../../adapters/k6/import.js')).importK6Json;
    case 'locust-csv':
      return (await import('../../adapters/locust/import.js')).importLocustCsv;
  }
}

/**
 * The importer as a stream of cases: JUnit reads its cases one by one; the other formats read the
 * whole report and hand its cases on.
 */
async function loadStreamingImporter(format: Format): Promise<StreamingImporter> {
  if (format === 'junit') return (await import('../../adapters/junit/import.js')).streamJunit;
  const importer = await loadImporter(format);
  return async (file, base, sink) => {
    const run = await importer(file, base);
    for (const c of run.cases) await sink(c);
    return { ...run, cases: [] };
  };
}

/** SHA-256 of a file, read in chunks. */
async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface ImportOptions {
  format: Format;
  name?: string;
  env?: string;
  kind?: string;
  force?: boolean;
}

/** The same report imported again: refused with the id of the run already stored (exit 2). */
function duplicateImport(message: string, hint: string): UsageError {
  return new UsageError(message, { hint, code: ERROR_CODES.duplicateImport });
}

/**
 * Refuses files whose content is already stored (by SHA-256) or given twice. When the store cannot
 * be opened, the check is skipped: the runs go to the spool like any other save.
 */
async function refuseDuplicates(ctx: CommandContext, files: readonly { given: string; hash: string }[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const f of files) {
    const first = seen.get(f.hash);
    if (first) throw duplicateImport(`${f.given}: same content as ${first} given in this command`, 'Give each report once, or add --force to store both.');
    seen.set(f.hash, f.given);
  }
  let store;
  try {
    const { openStore } = await import('../../store/open.js');
    store = await openStore(ctx.globals.db);
  } catch {
    return;
  }
  try {
    for (const f of files) {
      let existing: string | null;
      try {
        existing = await store.findRunByContentHash(f.hash);
      } catch {
        // The store opened but cannot answer (down, or migrated by a newer version): no check, the save spools.
        return;
      }
      if (existing) {
        throw duplicateImport(
          `${f.given}: this report is already stored as run ${existing}`,
          `See it with "shopfds-test runs show ${existing.slice(0, 8)}"; add --force to store it again.`,
        );
      }
    }
  } finally {
    await store.close().catch(() => {});
  }
}

/**
 * Reads every file first; only when all of them parse is anything stored. Each file's cases are
 * checked and written to a staged file as they are read, and stored from it in batches, so memory
 * stays bounded whatever the size of the report (see store/staged-run.ts).
 */
export async function importAction(ctx: CommandContext, files: string[], options: ImportOptions): Promise<number> {
  if (options.kind && !(RUN_KINDS as readonly string[]).includes(options.kind)) throw new UsageError(`--kind must be one of ${RUN_KINDS.join(', ')} (got "${options.kind}")`);
  const environment = parseEnvironment(options.env, ctx.globals.defaultEnvironment);
  const importer = await loadStreamingImporter(options.format);
  const { CaseRejected, CaseStager, removeStaleStaging, stagingDir } = await import('../../store/staged-run.js');
  removeStaleStaging(ctx.globals.stateDir);
  const runs: { run: Run; casesFile: string }[] = [];
  const hashes: { given: string; hash: string }[] = [];
  // Staged files not (yet) stored or spooled are removed however the command ends.
  const staged = new Set<string>();
  ctx.onTeardown(() => {
    for (const f of staged) rmSync(f, { force: true });
  });
  for (const given of files) {
    const file = resolve(ctx.io.cwd, given);
    if (!existsSync(file)) throw new UsageError(`${given}: no such file`);
    if (!statSync(file).isFile()) throw new UsageError(`${given}: not a file`);
    const hash = await hashFile(file);
    hashes.push({ given, hash });
    const base: ImportBase = {
      id: randomUUID(),
      name: options.name ?? null,
      environment,
      executedBy: ctx.globals.executedBy,
      ci: ctx.globals.ci,
      runGroup: ctx.globals.ci?.buildId ?? null,
      importedAt: new Date().toISOString(),
      kind: (options.kind as ImportBase['kind']) ?? null,
    };
    const inconsistent = (issues: readonly string[]) => new UsageError(`${given}: the ${options.format} report is inconsistent: ${issues.slice(0, 3).join('; ')}`);
    const stager = new CaseStager(stagingDir(ctx.globals.stateDir), base.id);
    staged.add(stager.file);
    let cases;
    let imported;
    try {
      imported = await importer(file, base, (c) => stager.add(c));
      cases = await stager.finish();
    } catch (error) {
      stager.discard();
      throw error instanceof CaseRejected ? inconsistent(error.issues) : error;
    }
    const input = { ...imported, metadata: { ...imported.metadata, [CONTENT_HASH_METADATA]: hash } };
    const checked = validateRun(countReplacedCharacters(redactRunSecrets(input), cases.replaced), { streamedCases: cases.totals });
    if (!checked.ok) throw inconsistent(checked.issues);
    runs.push({ run: checked.run, casesFile: cases.file });
    ctx.progress.update(`read ${basename(file)}`);
  }
  if (!options.force) await refuseDuplicates(ctx, hashes);
  let exitCode = 0;
  const summaries = [];
  for (const { run, casesFile } of runs) {
    const saved = await saveOrSpoolStaged(ctx, run, casesFile);
    staged.delete(casesFile);
    if (saved.spooled) {
      ctx.err(errorLine(ERROR_CODES.store, saved.error ?? 'the result store failed'));
      ctx.err(`  The run was kept in ${saved.spooled}; push it with "shopfds-test db sync" once the store is back.`);
      exitCode = 4;
    }
    summaries.push({ id: run.id, kind: run.kind, name: run.name, status: run.status, totals: run.totals });
    if (ctx.globals.pushgateway) {
      const { pushRunMetrics } = await import('../prometheus.js');
      const pushed = await pushRunMetrics(ctx.globals.pushgateway, run);
      if (pushed.problem) ctx.err(`shopfds-test: warning: ${pushed.problem} (the run is stored; its metrics were not pushed)`);
    }
  }
  if (exitCode === 0) await (await import('../history-hooks.js')).applyRetention(ctx);
  if (ctx.globals.json) ctx.out(JSON.stringify(summaries, null, 2));
  else
    for (const s of summaries)
      ctx.out(`imported ${s.kind} run ${s.id} "${escapeControl(s.name)}": ${s.status} (${countsText(s.totals)})`);
  return exitCode;
}
