import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ShopMetrics } from './metrics.js';
import type { ShopStore } from './store.js';
import type { FaultConfig } from './types.js';

/** Mutable runtime of one shop instance, shared by all handlers. */
export interface ShopRuntime {
  readonly store: ShopStore;
  readonly metrics: ShopMetrics;
  readonly startedAt: number;
  /** Faults in force; replaced as a whole by the admin API. */
  faults: FaultConfig;
  /** Faults given at start (options or `SHOPFDS_DEMO_FAULTS`); `POST /__admin/reset` returns to them. */
  readonly initialFaults: FaultConfig;
  setFaults(faults: FaultConfig): void;
  reset(): void;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly shop: ShopRuntime;
}

/** `page` answers HTML, `api` JSON under /api, `ops` health and metrics, `admin` /__admin (never faulted). */
export type RouteKind = 'page' | 'api' | 'ops' | 'admin';

export interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly kind: RouteKind;
  handle(ctx: RequestContext): Promise<void> | void;
}

/** Matches `/api/products/:id` style patterns; returns the decoded params or undefined. */
export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const seg = want[i]!;
    let value: string;
    try {
      value = decodeURIComponent(got[i]!);
    } catch {
      return undefined;
    }
    if (seg.startsWith(':')) params[seg.slice(1)] = value;
    else if (seg !== value) return undefined;
  }
  return params;
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** Finds the route for a request; `allowed` lists the methods of a path matched with another method. */
export function findRoute(routes: readonly Route[], method: string, path: string): { match?: RouteMatch; allowed: string[] } {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, path);
    if (!params) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { match: { route, params }, allowed };
    allowed.push(route.method);
  }
  return { allowed };
}
