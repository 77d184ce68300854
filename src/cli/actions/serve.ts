import { UsageError } from '../../model/index.js';
import type { CommandContext } from '../context.js';
import { openContextStore } from '../session.js';

interface ServeOptions {
  port: string;
  host: string;
  open?: boolean;
}

/** `shopfds-test serve`: runs until interrupted. */
export async function serveAction(ctx: CommandContext, options: ServeOptions): Promise<number> {
  const port = Number(options.port);
  if (!/^\d+$/.test(options.port) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535 (got "${options.port}")`);
  if (!options.host.trim()) throw new UsageError('--host must not be empty');
  const store = await openContextStore(ctx);
  // Fail on a broken or newer store now, not on the first page.
  await store.listRuns({ limit: 1 });
  const { startDashboard } = await import('../dashboard-server.js');
  let dashboard;
  try {
    // SHOPFDS_LIVE_STALE_MS: how old a heartbeat may be before a run in progress shows as abandoned (default 60 s).
    const liveStaleMs = Number(ctx.io.env.SHOPFDS_LIVE_STALE_MS) || undefined;
    dashboard = await startDashboard({ store, host: options.host, port, artifactsDir: ctx.globals.artifactsDir, cwd: ctx.io.cwd, liveStaleMs });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${options.host} is in use`, { hint: 'Pick another with --port, or --port 0 for any free port.' });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on ${options.host}: no such address on this machine`);
    throw error;
  }
  ctx.onTeardown(() => dashboard.close());
  ctx.out(dashboard.url);
  ctx.err(`shopfds-test: dashboard of ${store.location} at ${dashboard.url} (read-only; Ctrl-C to stop)`);
  if (options.open && !ctx.globals.ci) {
    const { openInBrowser } = await import('../../exec/browser.js');
    if (!(await openInBrowser(dashboard.url, ctx.io.env))) ctx.err('shopfds-test: no browser to open here; open the address above.');
  }
  await new Promise<void>((resolvePromise) => {
    if (ctx.signal.aborted) return resolvePromise();
    ctx.signal.addEventListener('abort', () => resolvePromise(), { once: true });
  });
  return 0;
}
