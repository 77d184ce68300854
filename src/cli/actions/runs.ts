import { UsageError, displayCounts } from '../../model/index.js';
import { firstLine, formatDuration } from '../../report/format.js';
import type { RunFilter } from '../../store/types.js';
import { formatColumns } from '../columns.js';
import type { CommandContext } from '../context.js';
import { parsePositiveInt, parseSince } from '../parse.js';
import { openExistingStore as openContextStore } from '../read-store.js';

interface ListOptions {
  kind?: RunFilter['kind'];
  status?: RunFilter['status'] | 'flaky';
  env?: RunFilter['environment'];
  since?: string;
  group?: string;
  limit?: string;
}

export async function listRunsAction(ctx: CommandContext, options: ListOptions): Promise<number> {
  const filter: RunFilter = {
    kind: options.kind,
    status: options.status === 'flaky' ? undefined : options.status,
    flaky: options.status === 'flaky' || undefined,
    environment: options.env,
    since: options.since ? parseSince(options.since) : undefined,
    runGroup: options.group,
    limit: parsePositiveInt('--limit', options.limit, 20),
  };
  const store = await openContextStore(ctx);
  const runs = await store.listRuns(filter);
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(runs, null, 2));
    return 0;
  }
  // Started runs not saved yet: running, or abandoned when their heartbeat stopped (a hard kill).
  const staleAfterMs = Number(ctx.io.env.SHOPFDS_LIVE_STALE_MS) || undefined;
  const live = filter.status || filter.runGroup ? [] : (await store.listLiveRuns({ staleAfterMs })).filter((l) => (!filter.kind || l.kind === filter.kind) && (!filter.environment || l.environment === filter.environment));
  if (!runs.length && !live.length) {
    ctx.out('no runs match');
    return 0;
  }
  ctx.out(
    formatColumns(
      ['ID', 'KIND', 'STATUS', 'ENV', 'STARTED', 'DURATION', 'PASSED', 'FLAKY', 'FAILED', 'SKIPPED', 'TOTAL', 'NAME'],
      [
        ...live.map((l) => [l.id.slice(0, 8), l.kind, l.state, l.environment, l.startedAt.replace('T', ' ').slice(0, 19), '-', '-', '-', '-', '-', '-', l.name]),
        ...runs.map((r) => {
          // As Playwright counts: PASSED excludes FLAKY, so the four sum to TOTAL.
          const d = displayCounts(r.totals);
          return [
            r.id.slice(0, 8),
            r.kind,
            r.status,
            r.environment,
            r.startedAt.replace('T', ' ').slice(0, 19),
            formatDuration(r.durationMs),
            String(d.passed),
            String(d.flaky),
            String(d.failed),
            String(d.skipped),
            String(d.total),
            r.name,
          ];
        }),
      ],
      [5, 6, 7, 8, 9, 10],
    ),
  );
  return 0;
}

export async function showRunAction(ctx: CommandContext, runId: string): Promise<number> {
  const store = await openContextStore(ctx);
  const run = await store.getRun(runId);
  if (!run) throw new UsageError(`no run with id "${runId}" in ${store.location}`, { hint: 'List runs with "shopfds-test runs list".' });
  const { getRenderer } = await import('../../report/index.js');
  const renderer = await getRenderer(ctx.globals.json ? 'json' : 'table');
  ctx.io.stdout.write(renderer.render(run, { color: ctx.globals.color, width: ctx.io.stdout.columns, detail: 'full' }));
  return 0;
}

export async function failuresAction(ctx: CommandContext, options: { since?: string; limit?: string }): Promise<number> {
  const since = parseSince(options.since ?? '7d');
  const limit = parsePositiveInt('--limit', options.limit, 20);
  const store = await openContextStore(ctx);
  const groups = await store.failuresSince(since, limit);
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(groups, null, 2));
    return 0;
  }
  if (!groups.length) {
    ctx.out(`no failures since ${since}`);
    return 0;
  }
  ctx.out(
    formatColumns(
      ['FAILURES', 'LAST FAILED', 'CASE KEY', 'CASE'],
      groups.map((g) => [
        String(g.failures),
        g.lastFailedAt.replace('T', ' ').slice(0, 19),
        g.caseKey.slice(0, 12),
        [...g.suitePath, g.name].join(' › ') + (g.project ? ` [${g.project}]` : ''),
      ]),
      [0],
    ),
  );
  return 0;
}
