import { join, resolve } from 'node:path';
import { UsageError, mergeRunGroup, type Run, type RunKind } from '../../model/index.js';
import type { ReportFormat } from '../../report/types.js';
import type { CommandContext } from '../context.js';
import { checkReportTarget, writeReportFile } from '../report-file.js';
import { openExistingStore as openContextStore } from '../read-store.js';

interface ReportOptions {
  latest?: boolean;
  kind?: RunKind;
  group?: string;
  format?: ReportFormat;
  output?: string;
  open?: boolean;
}

export async function reportAction(ctx: CommandContext, runId: string | undefined, options: ReportOptions): Promise<number> {
  const chosen = [runId !== undefined, Boolean(options.latest), options.group !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('give exactly one of <run-id>, --latest or --group <key>', { hint: 'Example: shopfds-test report --latest --format junit' });
  if (options.kind && !options.latest) throw new UsageError('--kind goes with --latest');
  const format: ReportFormat = options.format ?? (options.open ? 'html' : ctx.globals.json ? 'json' : 'table');
  if (options.open && format !== 'html') throw new UsageError('--open goes with --format html');
  // Before the store opens: "-o .shopfds/results.db" must never get as far as replacing it.
  if (options.output !== undefined) checkReportTarget(ctx, options.output);
  const store = await openContextStore(ctx);
  let run: Run | null = null;
  let members: Run[] = [];
  if (runId !== undefined) {
    run = await store.getRun(runId);
    if (!run) throw new UsageError(`no run with id "${runId}" in ${store.location}`, { hint: 'List runs with "shopfds-test runs list".' });
  } else if (options.latest) {
    // The run stored last, not the one that started last (an imported report may be older).
    const [latest] = await store.listRuns({ kind: options.kind, limit: 1, order: 'recorded' });
    if (!latest) throw new UsageError(`no runs${options.kind ? ` of kind ${options.kind}` : ''} in ${store.location} yet`);
    run = await store.getRun(latest.id);
  } else {
    const listed = await store.listRuns({ runGroup: options.group, limit: 1000, order: 'recorded' });
    if (!listed.length) throw new UsageError(`no runs in group "${options.group}" in ${store.location}`);
    for (const m of listed) members.push((await store.getRun(m.id))!);
    const kinds = new Set(members.map((r) => r.kind));
    // The HTML report shows each child on its own, so a group may mix kinds there.
    if (kinds.size > 1 && format !== 'html') throw new UsageError(`group "${options.group}" mixes run kinds (${[...kinds].join(', ')}); report one run at a time`);
    // Oldest recorded first: a later run of the same shard replaces an earlier one.
    if (format !== 'html') run = mergeRunGroup([...members].reverse());
  }
  const label = run ? `run ${run.id}` : `group ${options.group}`;

  if (format === 'html') {
    // With --open and no --output the page goes next to the store's other state.
    const output = options.output ?? (options.open ? join(ctx.globals.stateDir, 'reports', `${run ? run.id : `group-${safeName(options.group!)}`}.html`) : undefined);
    const target = output === undefined ? null : resolve(ctx.io.cwd, output);
    const { renderRunHtml, renderGroupHtml } = await import('../../report/html.js');
    const { fileArtifactLinks } = await import('../html-links.js');
    const artifacts = fileArtifactLinks(ctx.io.cwd, target ?? join(ctx.io.cwd, 'report.html'));
    const html = run ? renderRunHtml(run, { artifacts }) : renderGroupHtml(options.group!, members, { artifacts });
    if (!target) {
      ctx.io.stdout.write(html);
      return 0;
    }
    writeReportFile(ctx, target, html, { what: 'html report' });
    ctx.err(`wrote html report of ${label} to ${output}`);
    if (options.open) {
      const { openInBrowser } = await import('../../exec/browser.js');
      const opened = !ctx.globals.ci && (await openInBrowser(target, ctx.io.env));
      // In CI, or with no browser to open, the path is the useful answer.
      if (!opened) ctx.out(target);
    }
    return 0;
  }

  const { getRenderer } = await import('../../report/index.js');
  const renderer = await getRenderer(format);
  const toFile = options.output !== undefined;
  const text = renderer.render(run!, { color: !toFile && ctx.globals.color, width: ctx.io.stdout.columns });
  if (toFile) {
    writeReportFile(ctx, options.output!, text);
    ctx.err(`wrote ${format} report of ${label} to ${options.output}`);
  } else {
    ctx.io.stdout.write(text);
  }
  return 0;
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
}
