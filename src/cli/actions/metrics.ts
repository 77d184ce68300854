import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError, type Run } from '../../model/index.js';
import type { RunStore } from '../../store/types.js';
import type { CommandContext } from '../context.js';
import { openContextStore } from '../session.js';

export interface MetricsOptions {
  readonly port?: string;
  readonly listen?: string;
  readonly once?: boolean;
}

/** How many stored runs are looked at per scrape, newest first. */
const SCAN_LIMIT = 1000;
/** Per kind, name and environment: how many recent runs to try for one with figures. */
const PER_SERIES = 5;

/** The gauges of the latest runs in the store, in the Prometheus text format. */
export async function storeMetrics(store: RunStore): Promise<{ text: string; contentType: string }> {
  const [{ latestGauges, runSeriesKey }, { renderGauges }] = await Promise.all([import('../../report/prometheus.js'), import('../prometheus.js')]);
  const summaries = await store.listRuns({ limit: SCAN_LIMIT });
  const perSeries = new Map<string, number>();
  const runs: Run[] = [];
  for (const s of summaries) {
    const key = runSeriesKey(s);
    const n = perSeries.get(key) ?? 0;
    if (n >= PER_SERIES) continue;
    perSeries.set(key, n + 1);
    const run = await store.getRun(s.id);
    if (run) runs.push(run);
  }
  return renderGauges(latestGauges(runs));
}

/** `shopfds-test metrics`: serves /metrics until Ctrl-C or SIGTERM. */
export async function metricsAction(ctx: CommandContext, options: MetricsOptions): Promise<number> {
  const portText = options.port ?? '9464';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535 (got "${portText}")`);
  const store = await openContextStore(ctx);
  if (options.once) {
    ctx.io.stdout.write((await storeMetrics(store)).text);
    return 0;
  }
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(path === '/' ? 'shopfds-test metrics: see /metrics\n' : 'not found\n');
      return;
    }
    storeMetrics(store).then(
      ({ text, contentType }) => res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        ctx.err(`shopfds-test: could not read the result store: ${(error as Error).message}`);
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('the result store failed\n');
      },
    );
  });
  ctx.onTeardown(() => new Promise<void>((r) => server.close(() => r())));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new UsageError(`cannot listen on ${options.listen ?? '127.0.0.1'}:${portText} (${error.code ?? error.message})`)));
    server.listen(Number(portText), options.listen ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  ctx.err(`shopfds-test: serving Prometheus metrics at http://${host}:${address.port}/metrics (Ctrl-C to stop)`);
  await new Promise<void>((r) => {
    if (ctx.signal.aborted) r();
    else ctx.signal.addEventListener('abort', () => r(), { once: true });
  });
  return 0;
}
