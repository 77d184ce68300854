import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminRoutes, apiRoutes } from './api.js';
import { createRng, parseFaultConfig, readFaultsFromEnv, resolveFault } from './faults.js';
import { sendError, sendJson } from './http.js';
import { ShopMetrics } from './metrics.js';
import { pageRoutes, renderNotFound } from './pages.js';
import { findRoute } from './routing.js';
import type { RequestContext, Route, ShopRuntime } from './routing.js';
import { ShopError, ShopStore } from './store.js';
import type { FaultConfig, RunningShop, ShopOptions } from './types.js';

export type {
  FaultConfig,
  FdsAssessment,
  FdsDecision,
  FdsReason,
  FdsSignals,
  Order,
  OrderLine,
  OrderStatus,
  Product,
  RouteFault,
  RunningShop,
  ShippingAddress,
  ShopOptions,
} from './types.js';
export { assessRisk, BLOCK_THRESHOLD, REVIEW_THRESHOLD, VELOCITY_WINDOW_MS } from './fds.js';
export { parseFaultConfig } from './faults.js';
export { DEMO_USER, SEED_PRODUCTS } from './seed.js';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_SEED = 42;

function checkFaults(faults: FaultConfig): FaultConfig {
  const parsed = parseFaultConfig(faults);
  if (!parsed.ok) throw new Error(`Invalid fault configuration: ${parsed.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  return parsed.faults;
}

const ROUTES: readonly Route[] = [...apiRoutes, ...adminRoutes, ...pageRoutes];

/**
 * Starts the ShopFDS demo shop: catalog, cart, checkout behind a fraud detection system,
 * Prometheus metrics and fault injection. State lives in memory and starts from a fixed seed.
 * Binds 127.0.0.1 unless `host` says otherwise; port 0 (the default) picks a free port.
 */
export async function startShop(options: ShopOptions = {}): Promise<RunningShop> {
  const host = options.host ?? DEFAULT_HOST;
  const seed = options.seed ?? DEFAULT_SEED;
  const initialFaults: FaultConfig = options.faults ? checkFaults(options.faults) : (readFaultsFromEnv(process.env) ?? { routes: {} });
  let rng = createRng(seed);

  const runtime: ShopRuntime = {
    store: new ShopStore(),
    metrics: new ShopMetrics(),
    startedAt: Date.now(),
    faults: initialFaults,
    initialFaults,
    setFaults(faults) {
      runtime.faults = faults;
      // A new fault set restarts the random sequence, so the same config fails the same requests.
      rng = createRng(seed);
    },
    reset() {
      runtime.store.reset();
      runtime.setFaults(runtime.initialFaults);
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://shop.invalid');
    const path = url.pathname;
    const { match, allowed } = findRoute(ROUTES, method, path);
    const routeLabel = match ? match.route.pattern : 'unmatched';
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      runtime.metrics.observeRequest(method, routeLabel, res.statusCode, seconds);
    });
    try {
      const isAdmin = path === '/__admin' || path.startsWith('/__admin/');
      if (!isAdmin) {
        const fault = resolveFault(runtime.faults, method, path);
        if (fault?.latencyMs) {
          runtime.metrics.observeInjectedFault('latency');
          await sleep(fault.latencyMs);
        }
        if (fault?.down) {
          runtime.metrics.observeInjectedFault('down');
          throw new ShopError(503, 'service_unavailable', `Injected fault: ${method} ${path} is down`);
        }
        if (fault?.errorRate && rng() < fault.errorRate) {
          runtime.metrics.observeInjectedFault('error');
          throw new ShopError(fault.status ?? 500, 'injected_fault', `Injected fault: ${method} ${path} failed on purpose`);
        }
      }
      if (!match) {
        if (allowed.length > 0) {
          throw new ShopError(405, 'method_not_allowed', `${method} is not allowed on ${path}`);
        }
        if (isAdmin || path.startsWith('/api/') || req.headers.accept?.includes('application/json')) {
          throw new ShopError(404, 'not_found', `No route ${method} ${path}`);
        }
        const ctx: RequestContext = { req, res, url, params: {}, shop: runtime };
        renderNotFound(ctx);
        return;
      }
      const ctx: RequestContext = { req, res, url, params: match.params, shop: runtime };
      await match.route.handle(ctx);
    } catch (error) {
      if (res.headersSent) {
        res.destroy(error as Error);
        return;
      }
      if (error instanceof ShopError) {
        const headers: Record<string, string> = {};
        if (error.status === 405) headers.allow = [...new Set(allowed)].join(', ');
        if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="shopfds"';
        if (error.status === 503) headers['retry-after'] = '1';
        sendError(res, error, headers);
        return;
      }
      sendJson(res, 500, { error: { code: 'internal_error', message: (error as Error).message ?? 'Internal error' } });
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  // Keep-alive sockets would hold close() open; track them so close() can end them.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    setFaults(faults: FaultConfig) {
      runtime.setFaults(checkFaults(faults));
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
