import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_COMPARE_OPTIONS,
  DEFAULT_FLAKY_RULE,
  RUN_KINDS,
  UsageError,
  caseDisplayPath,
  classifyCase,
  compareRuns,
  isCaseKeyTarget,
  passStreak,
  quarantineMatches,
  shortCaseKey,
  type CaseChange,
  type FlakyVerdict,
  type QuarantineEntry,
  type RunKind,
} from '../../model/index.js';
import type { RunStore } from '../../store/types.js';
import { formatColumns } from '../columns.js';
import type { CommandContext } from '../context.js';
import { parsePositiveInt, parseSince } from '../parse.js';
import { openContextStore } from '../session.js';
import { removeRunFolders } from '../history-hooks.js';

const day = (t: string) => t.replace('T', ' ').slice(0, 16);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function parseKind(value: string | undefined): RunKind | undefined {
  if (value === undefined) return undefined;
  if (!(RUN_KINDS as readonly string[]).includes(value)) throw new UsageError(`--kind must be one of ${RUN_KINDS.join(', ')} (got "${value}")`);
  return value as RunKind;
}


// ---------------------------------------------------------------------------------------------
// runs flaky

export interface FlakyRow extends FlakyVerdict {
  readonly name: string;
  readonly suitePath: readonly string[];
  readonly project: string | null;
  readonly kind: RunKind | null;
}

export async function flakyAction(ctx: CommandContext, options: { since?: string; kind?: string; limit?: string; minFlipRate?: string }): Promise<number> {
  const since = parseSince(options.since ?? '30d');
  const kind = parseKind(options.kind);
  const limit = parsePositiveInt('--limit', options.limit, 50);
  const minFlipRate = options.minFlipRate === undefined ? DEFAULT_FLAKY_RULE.minFlipRate : Number(options.minFlipRate.replace('%', '')) / (options.minFlipRate.endsWith('%') ? 100 : 1);
  if (!Number.isFinite(minFlipRate) || minFlipRate < 0 || minFlipRate > 1) throw new UsageError(`--min-flip-rate must be between 0 and 1 or 0% and 100% (got "${options.minFlipRate}")`);
  const store = await openContextStore(ctx);
  const rule = { ...DEFAULT_FLAKY_RULE, minFlipRate };
  const stats = await store.caseWindowStats(since, kind, rule);
  const flaky: FlakyVerdict[] = [];
  let broken = 0;
  for (const s of stats) {
    const v = classifyCase(s, rule);
    if (v === 'broken') broken++;
    else if (v !== 'stable') flaky.push(v);
  }
  flaky.sort((a, b) => b.flipRate - a.flipRate || b.failureRate - a.failureRate || a.caseKey.localeCompare(b.caseKey));
  const shown = flaky.slice(0, limit);
  const ids = await store.describeCases(shown.map((f) => ({ caseKey: f.caseKey, lastSeen: f.lastSeen })));
  const byKey = new Map(ids.map((i) => [i.caseKey, i]));
  const rows: FlakyRow[] = shown.map((f) => {
    const id = byKey.get(f.caseKey);
    return { ...f, name: id?.name ?? '', suitePath: id?.suitePath ?? [], project: id?.project ?? null, kind: id?.kind ?? null };
  });
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ since, flaky: rows, total: flaky.length, broken }, null, 2));
    return 0;
  }
  if (!rows.length) ctx.out(`no flaky cases since ${since}`);
  else
    ctx.out(
      formatColumns(
        ['FLIP RATE', 'FAIL RATE', 'RUNS', 'FLIPS', 'WHY', 'LAST SEEN', 'KEY', 'KIND', 'CASE'],
        rows.map((r) => [
          pct(r.flipRate),
          pct(r.failureRate),
          String(r.runs),
          String(r.flips),
          r.reasons.join(','),
          day(r.lastSeen),
          shortCaseKey(r.caseKey),
          r.kind ?? '',
          caseDisplayPath(r) + (r.project ? ` [${r.project}]` : ''),
        ]),
      ),
    );
  if (flaky.length > rows.length) ctx.out(`… and ${flaky.length - rows.length} more (--limit)`);
  if (broken) ctx.out(`${broken} case(s) failed in every run since ${since.slice(0, 10)}: broken, not flaky (see "shopfds-test runs failures")`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// runs history <key|pattern>

export async function historyAction(ctx: CommandContext, target: string, options: { limit?: string }): Promise<number> {
  const limit = parsePositiveInt('--limit', options.limit, 20);
  const store = await openContextStore(ctx);
  const matches = await store.findCases(target, 20);
  if (!matches.length) {
    throw new UsageError(`no case matches "${target}" in ${store.location}`, {
      hint: 'Use a case key (or its first 6+ hex digits) from "runs show", or a name pattern such as "checkout*pay".',
    });
  }
  const exact = matches.filter((m) => m.caseKey === target.toLowerCase());
  const chosen = exact.length ? exact : matches;
  if (chosen.length > 1) {
    if (ctx.globals.json) {
      ctx.out(JSON.stringify({ matches: chosen }, null, 2));
      return 0;
    }
    ctx.out(`${chosen.length} cases match "${target}"; pick one by key:`);
    ctx.out(formatColumns(['KEY', 'KIND', 'LAST SEEN', 'CASE'], chosen.map((m) => [shortCaseKey(m.caseKey), m.kind ?? '', day(m.lastSeen), caseDisplayPath(m) + (m.project ? ` [${m.project}]` : '')])));
    return 0;
  }
  const only = chosen[0]!;
  const history = await store.caseHistory(only.caseKey, limit);
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(history, null, 2));
    return 0;
  }
  ctx.out(`${caseDisplayPath(only)}${only.project ? ` [${only.project}]` : ''}  (key ${only.caseKey})`);
  ctx.out(
    formatColumns(
      ['RUN', 'STARTED', 'STATUS', 'ATTEMPTS', 'DURATION', 'ERROR'],
      history.map((h) => [
        h.runId.slice(0, 8),
        h.startedAt.replace('T', ' ').slice(0, 19),
        h.status,
        String(h.attempts),
        `${(h.durationMs / 1000).toFixed(2)}s`,
        (h.errorMessage ?? '').split('\n')[0]!.slice(0, 80),
      ]),
    ),
  );
  return 0;
}

// ---------------------------------------------------------------------------------------------
// runs compare

async function resolveRun(store: RunStore, idOrPrefix: string): Promise<{ id: string; name: string; kind: RunKind; startedAt: string; status: string }> {
  const run = await store.getRun(idOrPrefix);
  if (!run) throw new UsageError(`no run with id "${idOrPrefix}" in ${store.location}`, { hint: 'List runs with "shopfds-test runs list".' });
  return { id: run.id, name: run.name, kind: run.kind, startedAt: run.startedAt, status: run.status };
}

export async function compareAction(ctx: CommandContext, a: string | undefined, b: string | undefined, options: { threshold?: string }): Promise<number> {
  const threshold = options.threshold === undefined ? DEFAULT_COMPARE_OPTIONS.durationThreshold : Number(options.threshold.replace('%', '')) / 100;
  if (!Number.isFinite(threshold) || threshold <= 0) throw new UsageError(`--threshold must be a percentage such as 50% (got "${options.threshold}")`);
  const store = await openContextStore(ctx);
  let before: Awaited<ReturnType<typeof resolveRun>>;
  let after: Awaited<ReturnType<typeof resolveRun>>;
  if (a !== undefined && b !== undefined) {
    before = await resolveRun(store, a);
    after = await resolveRun(store, b);
  } else {
    // Default: the latest run (or the one given) against the previous run of the same name.
    const [latest] = a !== undefined ? [await resolveRun(store, a)] : (await store.listRuns({ limit: 1 })).map((r) => ({ ...r }));
    if (!latest) throw new UsageError(`no runs in ${store.location}`);
    after = await resolveRun(store, latest.id);
    const [previous] = await store.listRuns({ name: after.name, kind: after.kind, before: after.startedAt, limit: 1 });
    if (!previous) throw new UsageError(`run ${after.id.slice(0, 8)} "${after.name}" has no earlier run of the same name to compare with`);
    before = await resolveRun(store, previous.id);
  }
  const [x, y] = await Promise.all([store.caseOutcomes(before.id), store.caseOutcomes(after.id)]);
  const perf =
    before.kind === 'perf' || after.kind === 'perf'
      ? { before: await store.perfFigures(before.id), after: await store.perfFigures(after.id) }
      : { before: null, after: null };
  const diff = compareRuns(x, y, perf, { ...DEFAULT_COMPARE_OPTIONS, durationThreshold: threshold });
  if (ctx.globals.json) {
    const plain = (list: CaseChange[]) => list.map((c) => ({ ...c, suitePath: [...c.suitePath] }));
    ctx.out(
      JSON.stringify(
        {
          before,
          after,
          newFailures: plain(diff.newFailures),
          fixed: plain(diff.fixed),
          stillFailing: plain(diff.stillFailing),
          added: plain(diff.added),
          removed: plain(diff.removed),
          slower: plain(diff.slower),
          faster: plain(diff.faster),
          perf: diff.perf,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  ctx.out(`${before.id.slice(0, 8)} "${before.name}" (${before.status}, ${day(before.startedAt)})  ->  ${after.id.slice(0, 8)} "${after.name}" (${after.status}, ${day(after.startedAt)})`);
  ctx.out(
    `new failures ${diff.newFailures.length}, fixed ${diff.fixed.length}, still failing ${diff.stillFailing.length}, added ${diff.added.length}, removed ${diff.removed.length}, slower ${diff.slower.length}, faster ${diff.faster.length}`,
  );
  const section = (title: string, list: CaseChange[], withTime = false) => {
    if (!list.length) return;
    ctx.out('');
    ctx.out(`${title} (${list.length})`);
    for (const c of list.slice(0, 50)) {
      const time = withTime && c.beforeMs !== null && c.afterMs !== null ? `  ${Math.round(c.beforeMs)} ms -> ${Math.round(c.afterMs)} ms` : '';
      ctx.out(`  ${shortCaseKey(c.caseKey)}  ${c.before ?? '-'} -> ${c.after ?? '-'}  ${caseDisplayPath(c)}${c.project ? ` [${c.project}]` : ''}${time}`);
    }
    if (list.length > 50) ctx.out(`  … and ${list.length - 50} more (--json for all)`);
  };
  section('New failures', diff.newFailures);
  section('Fixed', diff.fixed);
  section('Still failing', diff.stillFailing);
  section('Added', diff.added);
  section('Removed', diff.removed);
  section(`Slower by ${Math.round(threshold * 100)}% or more`, diff.slower, true);
  section(`Faster by ${Math.round(threshold * 100)}% or more`, diff.faster, true);
  if (diff.perf.length) {
    ctx.out('');
    ctx.out(
      formatColumns(
        ['METRIC', 'BEFORE', 'AFTER', 'CHANGE'],
        diff.perf.map((p) => [p.metric, p.before === null ? '-' : String(p.before), p.after === null ? '-' : String(p.after), p.changePct === null ? '-' : `${p.changePct >= 0 ? '+' : ''}${p.changePct.toFixed(1)}%`]),
      ),
    );
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// runs trend

export async function trendAction(ctx: CommandContext, options: { since?: string; by?: string; kind?: string }): Promise<number> {
  const since = parseSince(options.since ?? '90d');
  const bucket = options.by ?? 'day';
  if (bucket !== 'day' && bucket !== 'week') throw new UsageError(`--by must be day or week (got "${bucket}")`);
  const kind = parseKind(options.kind);
  const store = await openContextStore(ctx);
  const t = await store.trends({ since, bucket, kind });
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ since, by: bucket, ...t }, null, 2));
    return 0;
  }
  const n = (v: number | null, d = 0) => (v === null ? '-' : v.toFixed(d));
  ctx.out(`Runs per ${bucket} since ${since.slice(0, 10)}`);
  ctx.out(
    t.runs.length
      ? formatColumns(
          [bucket.toUpperCase(), 'KIND', 'RUNS', 'PASS RATE', 'CASE PASS RATE', 'AVG DURATION', 'MAX DURATION'],
          t.runs.map((r) => [r.bucket, r.kind, String(r.runs), pct(r.passRate), r.cases ? pct(r.casesPassed / r.cases) : '-', `${(r.avgDurationMs / 1000).toFixed(1)}s`, `${(r.maxDurationMs / 1000).toFixed(1)}s`]),
        )
      : '  no runs',
  );
  if (t.perf.length) {
    ctx.out('');
    ctx.out('Performance by scenario and test type');
    ctx.out(formatColumns([bucket.toUpperCase(), 'SCENARIO', 'TYPE', 'RUNS', 'P95 AVG', 'P95 MAX', 'P99 AVG', 'TPS AVG', 'ERROR RATE'], t.perf.map((p) => [p.bucket, p.scenario, p.testType, String(p.runs), n(p.avgP95), n(p.maxP95), n(p.avgP99), n(p.avgTps, 1), p.avgErrorRate === null ? '-' : `${p.avgErrorRate.toFixed(2)}%`])));
  }
  if (t.chaos.length) {
    ctx.out('');
    ctx.out('Chaos recovery time by experiment type (passed experiments)');
    ctx.out(formatColumns(['TYPE', 'EXPERIMENTS', 'AVG RECOVERY', 'MAX RECOVERY'], t.chaos.map((c) => [c.experimentType, String(c.experiments), `${n(c.avgRecoverySec, 1)}s`, `${n(c.maxRecoverySec)}s`])));
  }
  if (t.canary.length) {
    ctx.out('');
    ctx.out('Canary deployments');
    ctx.out(formatColumns(['RUN', 'SERVICE', 'VERSIONS', 'STATUS', 'SAMPLES', 'ERROR AVG', 'ERROR MAX', 'P95 AVG', 'P95 MAX'], t.canary.map((c) => [c.runId.slice(0, 8), c.service, `${c.oldVersion} -> ${c.newVersion}`, c.status, String(c.samples), n(c.avgErrorRate, 2), n(c.maxErrorRate, 2), n(c.avgP95), n(c.maxP95)])));
  }
  if (t.api.length) {
    ctx.out('');
    ctx.out('API success rate by service');
    ctx.out(formatColumns(['SERVICE', 'SUITES', 'TESTS', 'PASSED', 'SUCCESS'], t.api.map((a) => [a.service, String(a.suites), String(a.tests), String(a.passed), a.successRate === null ? '-' : pct(a.successRate)])));
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// quarantine add | remove | list

const RELEASE_AFTER = 5;

export async function quarantineAddAction(
  ctx: CommandContext,
  target: string,
  options: { reason?: string; until?: string; kind?: string },
): Promise<number> {
  if (!options.reason?.trim()) throw new UsageError('quarantine add needs --reason "<why>"');
  let until: string | null = null;
  if (options.until !== undefined) {
    const t = Date.parse(options.until);
    if (Number.isNaN(t)) throw new UsageError(`--until must be a date such as 2026-12-31 (got "${options.until}")`);
    // A bare date means through that whole day (UTC).
    until = new Date(/^\d{4}-\d{2}-\d{2}$/.test(options.until) ? t + 86_399_999 : t).toISOString();
    if (Date.parse(until) < Date.now()) throw new UsageError(`--until ${options.until} is in the past`);
  }
  const kind = parseKind(options.kind) ?? null;
  const store = await openContextStore(ctx);
  let stored = target;
  if (/^[0-9a-f]{6,40}$/i.test(target)) {
    // A key prefix names exactly one case.
    const found = await store.findCases(target.toLowerCase(), 2);
    const keys = found.filter((f) => f.caseKey.startsWith(target.toLowerCase()));
    if (keys.length > 1) throw new UsageError(`case key prefix "${target}" is ambiguous; give more digits`);
    if (keys.length === 1) stored = keys[0]!.caseKey;
    else if (target.length < 8) throw new UsageError(`no case has a key starting with "${target}"`);
    else stored = target.toLowerCase();
  }
  const entry: QuarantineEntry = { id: randomUUID(), target: stored, kind, reason: options.reason.trim(), until, createdBy: ctx.globals.executedBy, createdAt: new Date().toISOString() };
  await store.addQuarantine(entry);
  if (ctx.globals.json) ctx.out(JSON.stringify(entry, null, 2));
  else ctx.out(`quarantined ${isCaseKeyTarget(stored) ? 'case' : 'pattern'} ${stored}${until ? ` until ${until.slice(0, 10)}` : ''}: ${entry.reason}`);
  return 0;
}

export async function quarantineRemoveAction(ctx: CommandContext, target: string): Promise<number> {
  const store = await openContextStore(ctx);
  let n = await store.removeQuarantine(target);
  if (!n && /^[0-9a-f]{6,39}$/i.test(target)) {
    const entry = (await store.listQuarantine()).filter((e) => e.target.startsWith(target.toLowerCase()));
    if (entry.length === 1) n = await store.removeQuarantine(entry[0]!.target);
  }
  if (!n) throw new UsageError(`"${target}" is not in the quarantine list`, { hint: 'See "shopfds-test quarantine list".' });
  if (ctx.globals.json) ctx.out(JSON.stringify({ removed: n }));
  else ctx.out(`released ${target} from quarantine`);
  return 0;
}

export async function quarantineListAction(ctx: CommandContext): Promise<number> {
  const store = await openContextStore(ctx);
  const now = Date.now();
  const entries = await store.listQuarantine();
  const rows = [];
  for (const e of entries) {
    // The cases an entry covers and how many times in a row each has passed since.
    const cases = await store.findCases(e.target, 20);
    const covered = cases.filter((c) => quarantineMatches(e, (c.kind ?? 'e2e') as RunKind, c.caseKey, c) && (e.kind === null || c.kind === e.kind));
    let streak: number | null = null;
    for (const c of covered) {
      const history = await store.caseHistory(c.caseKey, RELEASE_AFTER);
      const s = passStreak(history.map((h) => h.status));
      streak = streak === null ? s : Math.min(streak, s);
    }
    const expired = e.until !== null && Date.parse(e.until) < now;
    rows.push({ ...e, cases: covered.length, passStreak: streak, expired, suggestRelease: !expired && streak !== null && streak >= RELEASE_AFTER });
  }
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (!rows.length) {
    ctx.out('the quarantine list is empty');
    return 0;
  }
  ctx.out(
    formatColumns(
      ['TARGET', 'KIND', 'UNTIL', 'CASES', 'PASSES IN A ROW', 'BY', 'REASON'],
      rows.map((r) => [
        isCaseKeyTarget(r.target) ? shortCaseKey(r.target) : r.target,
        r.kind ?? 'any',
        r.until ? `${r.until.slice(0, 10)}${r.expired ? ' (expired)' : ''}` : '-',
        String(r.cases),
        r.passStreak === null ? '-' : `${r.passStreak}${r.suggestRelease ? ' (release?)' : ''}`,
        r.createdBy,
        r.reason,
      ]),
    ),
  );
  for (const r of rows.filter((x) => x.suggestRelease)) ctx.out(`suggest release: ${r.target} passed ${r.passStreak} times in a row; "shopfds-test quarantine remove ${r.target}"`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// db prune | stats

export async function pruneAction(ctx: CommandContext, options: { olderThan?: string; keepLast?: string; dryRun?: boolean; batchSize?: string }): Promise<number> {
  if (!options.olderThan) throw new UsageError('db prune needs --older-than <duration>, such as 30d');
  if (!/^\d+\s*[mhdw]$/i.test(options.olderThan.trim()) && Number.isNaN(Date.parse(options.olderThan))) {
    throw new UsageError(`--older-than must be a duration such as 30d or 12h, or an ISO date (got "${options.olderThan}")`);
  }
  const before = parseSince(options.olderThan);
  const keepLast = options.keepLast === undefined ? undefined : parsePositiveInt('--keep-last', options.keepLast, 1);
  const batchSize = options.batchSize === undefined ? undefined : parsePositiveInt('--batch-size', options.batchSize, 1);
  const store = await openContextStore(ctx);
  let folders = 0;
  const result = await store.prune({
    before,
    keepLast,
    dryRun: options.dryRun,
    batchSize,
    onBatch: (ids) => {
      folders += removeRunFolders(ctx, ids);
      ctx.progress.update(`pruned ${ids.length} run(s)…`);
    },
  });
  ctx.progress.stop();
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ before, dryRun: Boolean(options.dryRun), runs: result.runs, cases: result.cases, batches: result.batches, keptForAudit: result.keptForAudit, runIds: result.runIds }, null, 2));
    return 0;
  }
  const verb = options.dryRun ? 'would delete' : 'deleted';
  ctx.out(`${verb} ${result.runs} run(s) and ${result.cases} case(s) that started before ${before}${options.dryRun ? '' : ` in ${result.batches} batch(es)`}`);
  if (result.keptForAudit) ctx.out(`kept ${result.keptForAudit} chaos run(s): their audit trail is append-only`);
  return 0;
}

function dirSize(dir: string): { bytes: number; folders: number } {
  let bytes = 0;
  let folders = 0;
  if (!existsSync(dir)) return { bytes, folders };
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) bytes += statSync(p).size;
    }
  };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) folders++;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.isFile()) bytes += statSync(p).size;
  }
  return { bytes, folders };
}

function mb(bytes: number | null): string {
  if (bytes === null) return '-';
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function statsAction(ctx: CommandContext): Promise<number> {
  const store = await openContextStore(ctx);
  const stats = await store.stats();
  const artifacts = dirSize(ctx.globals.artifactsDir);
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ backend: store.backend, store: store.location, ...stats, artifacts: { dir: ctx.globals.artifactsDir, ...artifacts } }, null, 2));
    return 0;
  }
  ctx.out(`store: ${store.backend} ${store.location}  (${mb(stats.databaseBytes)})`);
  ctx.out(`runs: ${stats.runs}  cases: ${stats.cases}`);
  if (stats.byKind.length) ctx.out(formatColumns(['KIND', 'RUNS', 'OLDEST', 'NEWEST'], stats.byKind.map((k) => [k.kind, String(k.runs), day(k.oldest), day(k.newest)])));
  ctx.out('');
  ctx.out(formatColumns(['TABLE', 'ROWS', 'SIZE'], stats.tables.map((t) => [t.table, String(t.rows), mb(t.bytes)])));
  ctx.out('');
  ctx.out(`artifacts: ${mb(artifacts.bytes)} in ${artifacts.folders} run folder(s) under ${ctx.globals.artifactsDir}`);
  return 0;
}
