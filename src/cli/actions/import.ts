import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { UsageError, countsText, redactRunSecrets, validateRun, type Run } from '../../model/index.js';
import type { ImportBase, Importer } from '../../adapters/import-types.js';
import type { CommandContext } from '../context.js';
import { parseEnvironment, saveOrSpool } from '../session.js';

type Format = 'junit' | 'playwright-json' | 'newman-json' | 'k6-summary' | 'k6-json';

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
  }
}

interface ImportOptions {
  format: Format;
  name?: string;
  env?: string;
  kind?: string;
}

/** Reads every file first; only when all of them parse is anything stored. */
export async function importAction(ctx: CommandContext, files: string[], options: ImportOptions): Promise<number> {
  const kinds = ['e2e', 'api', 'perf', 'chaos', 'canary'];
  if (options.kind && !kinds.includes(options.kind)) throw new UsageError(`--kind must be one of ${kinds.join(', ')} (got "${options.kind}")`);
  const environment = parseEnvironment(options.env, ctx.globals.defaultEnvironment);
  const importer = await loadImporter(options.format);
  const runs: Run[] = [];
  for (const given of files) {
    const file = resolve(ctx.io.cwd, given);
    if (!existsSync(file)) throw new UsageError(`${given}: no such file`);
    if (!statSync(file).isFile()) throw new UsageError(`${given}: not a file`);
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
    const input = await importer(file, base);
    const checked = validateRun(redactRunSecrets(input));
    if (!checked.ok) {
      throw new UsageError(`${given}: the ${options.format} report is inconsistent: ${checked.issues.slice(0, 3).join('; ')}`);
    }
    runs.push(checked.run);
    ctx.progress.update(`read ${basename(file)}`);
  }
  let exitCode = 0;
  const summaries = [];
  for (const run of runs) {
    const saved = await saveOrSpool(ctx, run);
    if (saved.spooled) {
      ctx.err(`shopfds-test: ${saved.error}`);
      ctx.err(`  The run was kept in ${saved.spooled}; push it with "shopfds-test db sync" once the store is back.`);
      exitCode = 4;
    }
    summaries.push({ id: run.id, kind: run.kind, name: run.name, status: run.status, totals: run.totals });
  }
  if (ctx.globals.json) ctx.out(JSON.stringify(summaries, null, 2));
  else
    for (const s of summaries)
      ctx.out(`imported ${s.kind} run ${s.id} "${s.name}": ${s.status} (${countsText(s.totals)})`);
  return exitCode;
}
