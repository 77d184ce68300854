import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { RUN_KINDS, RUN_STATUSES, ENVIRONMENTS, type Run, type RunKind, type RunStatus, type Environment } from '../model/index.js';
import {
  renderCompare,
  renderFlaky,
  renderMessage,
  renderRunListHead,
  renderRunListRest,
  renderTrends,
  dashboardHeader,
  type DashboardLiveRun,
  type FlakyData,
  type TrendsData,
} from '../report/dashboard.js';
import { renderGroupHtml, renderRunHtml, type HtmlArtifactLinks } from '../report/html.js';
import { formatDuration } from '../report/format.js';
import type { RunStore } from '../store/types.js';

/*
 * `shopfds-test serve`: a read-only dashboard over the result store. GET and HEAD only; artifacts are
 * served from the artifacts folder and nothing else; the Host header must name this server (a page on
 * another site cannot reach it through DNS rebinding).
 */

export interface DashboardOptions {
  readonly store: RunStore;
  readonly host: string;
  readonly port: number;
  /** Artifacts are served from here only. */
  readonly artifactsDir: string;
  /** Relative artifact paths in runs are relative to this folder. */
  readonly cwd: string;
  /** How often the events stream checks the store, in milliseconds. */
  readonly pollMs?: number;
  /** Heartbeats older than this show a live run as abandoned (default: the store's, 60 s). */
  readonly liveStaleMs?: number;
}

export interface RunningDashboard {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
};

const MAX_LIST = 1000;

/** Optional store queries that other parts of the store may provide; shown when present. */
interface OptionalQueries {
  listLiveRuns?(options?: { staleAfterMs?: number }): Promise<readonly { id: string; kind: string; name: string; state: 'running' | 'abandoned'; startedAt: string; heartbeatAt: string | null; progress?: string | null }[]>;
  listQuarantine?(): Promise<readonly { target: string; kind: string | null; reason: string; until: string | null; createdBy: string }[]>;
  caseWindowStats?(since: string): Promise<readonly { caseKey: string; runs: number; failures: number; retriedPasses: number; flips: number; lastSeen: string }[]>;
  describeCases?(keys: readonly { caseKey: string; lastSeen: string }[]): Promise<readonly { caseKey: string; name: string; suitePath: readonly string[] }[]>;
}

/**
 * Resolves a request path under the artifacts folder, or null when it would leave it (`..`, an
 * absolute path, an encoded separator, a NUL byte, or a symbolic link that points outside).
 */
export function resolveArtifactPath(artifactsDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = urlPath.split('/').map((seg) => decodeURIComponent(seg)).join('/');
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..' || s.includes('/'))) return null;
  const root = resolve(artifactsDir);
  const target = resolve(root, ...segments);
  if (target === root || !target.startsWith(root + sep)) return null;
  try {
    const realRoot = realpathSync(root);
    const real = realpathSync(target);
    if (!real.startsWith(realRoot + sep)) return null;
    if (!statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8', head = false): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(head ? undefined : body);
}

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return value && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const { store } = options;
  const queries = store as unknown as OptionalQueries;
  const location = store.location;
  const artifactsRoot = resolve(options.artifactsDir);
  const links: HtmlArtifactLinks = {
    href(path) {
      const abs = isAbsolute(path) ? path : resolve(options.cwd, path);
      const rel = relative(artifactsRoot, abs);
      if (!rel || rel.startsWith('..') || isAbsolute(rel)) return null;
      return `/artifacts/${rel.split(sep).map(encodeURIComponent).join('/')}`;
    },
  };
  const eventClients = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'read-only dashboard: GET and HEAD only\n', 'text/plain; charset=utf-8');
    }
    if (allowedHosts.size && !allowedHosts.has((req.headers.host ?? '').toLowerCase())) return send(res, 421, 'unknown host\n', 'text/plain; charset=utf-8');
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    const q = url.searchParams;

    if (path === '/') {
      const limit = Math.min(MAX_LIST, Math.max(1, Number.parseInt(q.get('limit') ?? '50', 10) || 50));
      const since = q.get('since') && !Number.isNaN(Date.parse(q.get('since')!)) ? new Date(q.get('since')!).toISOString() : undefined;
      const filter = {
        kind: pick<RunKind>(q.get('kind'), RUN_KINDS),
        status: pick<RunStatus>(q.get('status'), RUN_STATUSES),
        environment: pick<Environment>(q.get('environment'), ENVIRONMENTS),
        since,
        group: q.get('group') || undefined,
        limit,
      };
      // The page head goes out before the store is asked, so the browser starts at once.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      if (head) return void res.end();
      res.write(renderRunListHead(location, filter));
      const [rows, live] = await Promise.all([
        store.listRuns({ kind: filter.kind, status: filter.status, environment: filter.environment, since: filter.since, runGroup: filter.group, limit }),
        liveRuns(),
      ]);
      res.end(renderRunListRest(rows, live));
      return;
    }
    const runMatch = /^\/runs\/([0-9a-fA-F-]{4,36})$/.exec(path);
    if (runMatch) {
      const run = await store.getRun(runMatch[1]!);
      if (!run) return send(res, 404, renderMessage(location, 'Run not found', `No run with id ${runMatch[1]} in this store.`), undefined, head);
      return send(res, 200, renderRunHtml(run, { artifacts: links, header: dashboardHeader(location, '') }), undefined, head);
    }
    const groupMatch = /^\/groups\/([^/]+)$/.exec(path);
    if (groupMatch) {
      let key: string;
      try {
        key = decodeURIComponent(groupMatch[1]!);
      } catch {
        return send(res, 400, renderMessage(location, 'Bad request', 'The group key is not valid.'), undefined, head);
      }
      const members = await store.listRuns({ runGroup: key, limit: MAX_LIST });
      if (!members.length) return send(res, 404, renderMessage(location, 'Group not found', `No runs in group ${key}.`), undefined, head);
      const runs: Run[] = [];
      for (const m of members) {
        const r = await store.getRun(m.id);
        if (r) runs.push(r);
      }
      return send(res, 200, renderGroupHtml(key, runs, { artifacts: links, header: dashboardHeader(location, '') }), undefined, head);
    }
    if (path === '/trends') return send(res, 200, renderTrends(location, await trends(pick<RunKind>(q.get('kind'), RUN_KINDS))), undefined, head);
    if (path === '/flaky') {
      const since = q.get('since') && !Number.isNaN(Date.parse(q.get('since')!)) ? new Date(q.get('since')!).toISOString() : new Date(Date.now() - 14 * 86_400_000).toISOString();
      return send(res, 200, renderFlaky(location, await flaky(since)), undefined, head);
    }
    if (path === '/compare') {
      const chosen = q.getAll('run');
      const aId = q.get('a') ?? chosen[0] ?? null;
      const bId = q.get('b') ?? chosen[1] ?? null;
      let [a, b, recent] = await Promise.all([aId ? store.getRun(aId) : null, bId ? store.getRun(bId) : null, store.listRuns({ limit: 100 })]);
      if ((aId && !a) || (bId && !b)) return send(res, 404, renderMessage(location, 'Run not found', `No run with id ${!a ? aId : bId} in this store.`), undefined, head);
      // Two runs ticked in the list: the older one is A, so "newly failing" reads forward in time.
      if (!q.get('a') && a && b && a.startedAt > b.startedAt) [a, b] = [b, a];
      return send(res, 200, renderCompare(location, a, b, recent), undefined, head);
    }
    if (path.startsWith('/artifacts/')) {
      const file = resolveArtifactPath(artifactsRoot, path.slice('/artifacts/'.length));
      if (!file) return send(res, 404, 'not found\n', 'text/plain; charset=utf-8', head);
      const size = statSync(file).size;
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': size,
        'x-content-type-options': 'nosniff',
        // An artifact never runs as a page of this origin.
        'content-security-policy': "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
      });
      if (head) return void res.end();
      createReadStream(file).pipe(res);
      return;
    }
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      if (head) return void res.end();
      eventClients.add(res);
      req.on('close', () => eventClients.delete(res));
      res.write(': connected\n\n');
      const live = await liveRuns();
      if (live) res.write(`event: live\ndata: ${JSON.stringify(live)}\n\n`);
      return;
    }
    if (path === '/api/runs') {
      const rows = await store.listRuns({ limit: Math.min(MAX_LIST, Number.parseInt(q.get('limit') ?? '50', 10) || 50) });
      return send(res, 200, JSON.stringify(rows), 'application/json', head);
    }
    return send(res, 404, renderMessage(location, 'Not found', `Nothing at ${path}.`), undefined, head);
  }

  async function liveRuns(): Promise<DashboardLiveRun[] | null> {
    if (typeof queries.listLiveRuns !== 'function') return null;
    const rows = await queries.listLiveRuns.call(store, { staleAfterMs: options.liveStaleMs });
    return rows.map((r) => ({ id: r.id, kind: r.kind, name: r.name, state: r.state, startedAt: r.startedAt, heartbeatAt: r.heartbeatAt, progress: r.progress ?? elapsed(r.startedAt, r.heartbeatAt) }));
  }

  /** How long the run had been going at its last heartbeat (the records carry no finer progress). */
  function elapsed(startedAt: string, heartbeatAt: string | null): string | null {
    const ms = heartbeatAt ? Date.parse(heartbeatAt) - Date.parse(startedAt) : Number.NaN;
    return Number.isFinite(ms) && ms >= 0 ? `${formatDuration(ms)} elapsed at last heartbeat` : null;
  }

  async function trends(kind: RunKind | undefined): Promise<TrendsData> {
    const rows = await store.listRuns({ kind, limit: 500 });
    const perfRuns = kind && kind !== 'perf' ? [] : (await store.listRuns({ kind: 'perf', limit: 60 })).slice(0, 60);
    const chaosRuns = kind && kind !== 'chaos' ? [] : (await store.listRuns({ kind: 'chaos', limit: 60 })).slice(0, 60);
    const p95: { startedAt: string; scenario: string; p95: number | null }[] = [];
    for (const s of perfRuns) {
      const run = await store.getRun(s.id);
      if (run?.perf) p95.push({ startedAt: run.startedAt, scenario: run.perf.test.scenario_name, p95: run.perf.test.p95_response_time });
    }
    const recovery: { startedAt: string; experiment: string; seconds: number | null }[] = [];
    for (const s of chaosRuns) {
      const run = await store.getRun(s.id);
      if (run?.chaos) recovery.push({ startedAt: run.startedAt, experiment: run.chaos.experiment.name, seconds: run.chaos.experiment.recovery_time_sec });
    }
    return { kind, runs: rows, p95, recovery };
  }

  async function flaky(since: string): Promise<FlakyData> {
    const failing = await store.failuresSince(since, 100);
    let flakyRows: FlakyData['flaky'] = null;
    if (typeof queries.caseWindowStats === 'function') {
      const stats = (await queries.caseWindowStats.call(store, since)).filter((s) => s.retriedPasses > 0 || s.flips >= 2);
      const names = typeof queries.describeCases === 'function' ? await queries.describeCases.call(store, stats.map((s) => ({ caseKey: s.caseKey, lastSeen: s.lastSeen }))) : [];
      const byKey = new Map(names.map((n) => [n.caseKey, [...n.suitePath, n.name].join(' › ')]));
      flakyRows = stats.map((s) => ({ name: byKey.get(s.caseKey) ?? s.caseKey, detail: `${s.runs} runs, ${s.failures} failures, ${s.retriedPasses} passed on retry, ${s.flips} flips` }));
    }
    let quarantine: FlakyData['quarantine'] = null;
    if (typeof queries.listQuarantine === 'function') {
      quarantine = (await queries.listQuarantine.call(store)).map((e) => ({ name: e.target, detail: `${e.reason}${e.until ? ` (until ${e.until})` : ''} · ${e.createdBy}` }));
    }
    return { since, failing, flaky: flakyRows, quarantine };
  }

  // The events stream: runs that land in the store, and live runs when the store records them.
  let newest: string | null = (await store.listRuns({ limit: 1 }))[0]?.id ?? null;
  let lastLive = '';
  let polling = false;
  const poll = setInterval(async () => {
    if (!eventClients.size || polling) return;
    polling = true;
    try {
      const [latest] = await store.listRuns({ limit: 1 });
      if (latest && latest.id !== newest) {
        newest = latest.id;
        broadcast('run', latest);
      }
      const live = await liveRuns();
      const text = JSON.stringify(live);
      if (live && text !== lastLive) {
        lastLive = text;
        broadcast('live', live);
      }
    } catch {
      // The next tick tries again; a store hiccup must not stop the dashboard.
    } finally {
      polling = false;
    }
  }, options.pollMs ?? 2000);
  poll.unref();
  function broadcast(event: string, data: unknown): void {
    for (const client of eventClients) client.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, renderMessage(location, 'The store failed', (error as Error).message));
      else res.end();
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  // Bound to every interface on purpose: then any Host may be right.
  if (options.host !== '0.0.0.0' && options.host !== '::') allowedHosts = new Set([`${hostPart}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].map((h) => h.toLowerCase()));
  return {
    url: `http://${hostPart}:${port}/`,
    server,
    async close() {
      clearInterval(poll);
      for (const client of eventClients) client.end();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
