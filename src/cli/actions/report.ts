import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError, mergeRunGroup, type Run, type RunKind } from '../../model/index.js';
import type { ReportFormat } from '../../report/types.js';
import type { CommandContext } from '../context.js';
import { openContextStore } from '../session.js';

interface ReportOptions {
  latest?: boolean;
  kind?: RunKind;
  group?: string;
  format?: ReportFormat;
  output?: string;
}

export async function reportAction(ctx: CommandContext, runId: string | undefined, options: ReportOptions): Promise<number> {
  const chosen = [runId !== undefined, Boolean(options.latest), options.group !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('give exactly one of <run-id>, --latest or --group <key>', { hint: 'Example: shopfds-test report --latest --format junit' });
  if (options.kind && !options.latest) throw new UsageError('--kind goes with --latest');
  const format: ReportFormat = options.format ?? (ctx.globals.json ? 'json' : 'table');
  const store = await openContextStore(ctx);
  let run: Run | null = null;
  if (runId !== undefined) {
    run = await store.getRun(runId);
    if (!run) throw new UsageError(`no run with id "${runId}" in ${store.location}`, { hint: 'List runs with "shopfds-test runs list".' });
  } else if (options.latest) {
    const [latest] = await store.listRuns({ kind: options.kind, limit: 1 });
    if (!latest) throw new UsageError(`no runs${options.kind ? ` of kind ${options.kind}` : ''} in ${store.location} yet`);
    run = await store.getRun(latest.id);
  } else {
    const members = await store.listRuns({ runGroup: options.group, limit: 1000 });
    if (!members.length) throw new UsageError(`no runs in group "${options.group}" in ${store.location}`);
    const runs: Run[] = [];
    for (const m of members) runs.push((await store.getRun(m.id))!);
    const kinds = new Set(runs.map((r) => r.kind));
    if (kinds.size > 1) throw new UsageError(`group "${options.group}" mixes run kinds (${[...kinds].join(', ')}); report one run at a time`);
    run = mergeRunGroup(runs);
  }
  const { getRenderer } = await import('../../report/index.js');
  const renderer = await getRenderer(format);
  const toFile = options.output !== undefined;
  const text = renderer.render(run!, { color: !toFile && ctx.globals.color, width: ctx.io.stdout.columns });
  if (toFile) {
    const target = resolve(ctx.io.cwd, options.output!);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    ctx.err(`wrote ${format} report of run ${run!.id} to ${options.output}`);
  } else {
    ctx.io.stdout.write(text);
  }
  return 0;
}
