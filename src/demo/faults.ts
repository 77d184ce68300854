import type { FaultConfig, RouteFault } from './types.js';

/** A problem found in a fault configuration, with the path of the offending field. */
export interface FaultIssue {
  readonly field: string;
  readonly message: string;
}

export type ParseFaultsResult =
  | { readonly ok: true; readonly faults: FaultConfig }
  | { readonly ok: false; readonly issues: readonly FaultIssue[] };

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseRouteFault(value: unknown, field: string, issues: FaultIssue[]): RouteFault | undefined {
  if (!isRecord(value)) {
    issues.push({ field, message: 'must be an object' });
    return undefined;
  }
  const out: { latencyMs?: number; errorRate?: number; status?: number; down?: boolean } = {};
  for (const key of Object.keys(value)) {
    if (!['latencyMs', 'errorRate', 'status', 'down'].includes(key)) {
      issues.push({ field: `${field}.${key}`, message: 'unknown field (expected latencyMs, errorRate, status, down)' });
    }
  }
  const { latencyMs, errorRate, status, down } = value;
  if (latencyMs !== undefined) {
    if (typeof latencyMs !== 'number' || !Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
      issues.push({ field: `${field}.latencyMs`, message: 'must be an integer from 0 to 60000' });
    } else out.latencyMs = latencyMs;
  }
  if (errorRate !== undefined) {
    if (typeof errorRate !== 'number' || !(errorRate >= 0 && errorRate <= 1)) {
      issues.push({ field: `${field}.errorRate`, message: 'must be a number from 0 to 1' });
    } else out.errorRate = errorRate;
  }
  if (status !== undefined) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      issues.push({ field: `${field}.status`, message: 'must be an integer from 400 to 599' });
    } else out.status = status;
  }
  if (down !== undefined) {
    if (typeof down !== 'boolean') issues.push({ field: `${field}.down`, message: 'must be a boolean' });
    else out.down = down;
  }
  return out;
}

/** Validates untrusted JSON (admin API body or `SHOPFDS_DEMO_FAULTS`) as a {@link FaultConfig}. */
export function parseFaultConfig(value: unknown): ParseFaultsResult {
  const issues: FaultIssue[] = [];
  if (!isRecord(value)) return { ok: false, issues: [{ field: '(root)', message: 'must be an object with "routes" and/or "global"' }] };
  for (const key of Object.keys(value)) {
    if (key !== 'routes' && key !== 'global') issues.push({ field: key, message: 'unknown field (expected routes, global)' });
  }
  let global: RouteFault | undefined;
  if (value.global !== undefined) global = parseRouteFault(value.global, 'global', issues);
  const routes: Record<string, RouteFault> = {};
  if (value.routes !== undefined) {
    if (!isRecord(value.routes)) {
      issues.push({ field: 'routes', message: 'must be an object keyed by "METHOD /path"' });
    } else {
      for (const [key, fault] of Object.entries(value.routes)) {
        const keyProblem = checkRouteKey(key);
        if (keyProblem) issues.push({ field: `routes.${key}`, message: keyProblem });
        const parsed = parseRouteFault(fault, `routes.${key}`, issues);
        if (parsed) routes[key] = parsed;
      }
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, faults: { ...(global ? { global } : {}), routes } };
}

function checkRouteKey(key: string): string | undefined {
  const trimmed = key.trim();
  if (trimmed === '*') return undefined;
  const parts = trimmed.split(/\s+/);
  if (parts.length === 1) return parts[0]!.startsWith('/') ? undefined : 'route key must be "*", "/path" or "METHOD /path"';
  if (parts.length !== 2) return 'route key must be "*", "/path" or "METHOD /path"';
  const [method, path] = parts as [string, string];
  if (!METHODS.has(method.toUpperCase())) return `unknown method "${method}"`;
  if (path !== '*' && !path.startsWith('/')) return 'path must start with "/" or be "*"';
  return undefined;
}

/**
 * Whether a route key selects a request. A key path matches segment by segment; `:name` and
 * `*` match any one segment, and a trailing `*` matches the rest of the path. Because a route's
 * own pattern (`/api/products/:id`) is a key that matches all its paths, keys can be copied from
 * the route table or written against concrete paths (`/api/products/p-001`).
 */
export function routeKeyMatches(key: string, method: string, path: string): boolean {
  const trimmed = key.trim();
  if (trimmed === '*') return true;
  const parts = trimmed.split(/\s+/);
  let keyMethod = '*';
  let keyPath: string;
  if (parts.length === 1) keyPath = parts[0]!;
  else [keyMethod, keyPath] = parts as [string, string];
  keyMethod = keyMethod.toUpperCase();
  if (keyMethod !== '*' && keyMethod !== method.toUpperCase()) return false;
  if (keyPath === '*') return true;
  const want = keyPath.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  for (let i = 0; i < want.length; i++) {
    const seg = want[i]!;
    if (seg === '*' && i === want.length - 1) return got.length >= want.length - 1;
    if (i >= got.length) return false;
    if (seg === '*' || seg.startsWith(':')) continue;
    if (seg !== got[i]) return false;
  }
  return want.length === got.length;
}

/** Merges `global` and every matching route entry (in key order) into one effective fault. */
export function resolveFault(faults: FaultConfig, method: string, path: string): RouteFault | undefined {
  let merged: RouteFault | undefined = faults.global ? { ...faults.global } : undefined;
  for (const [key, fault] of Object.entries(faults.routes ?? {})) {
    if (routeKeyMatches(key, method, path)) merged = { ...merged, ...fault };
  }
  return merged;
}

/**
 * mulberry32: a tiny seeded generator. Fault decisions must be reproducible across runs, so
 * `Math.random` is not used; the same seed and request order give the same failures.
 */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads `SHOPFDS_DEMO_FAULTS`; throws with every problem listed when it is not a valid config. */
export function readFaultsFromEnv(env: NodeJS.ProcessEnv): FaultConfig | undefined {
  const raw = env.SHOPFDS_DEMO_FAULTS;
  if (raw === undefined || raw.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`SHOPFDS_DEMO_FAULTS is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseFaultConfig(json);
  if (!parsed.ok) {
    throw new Error(`SHOPFDS_DEMO_FAULTS is invalid: ${parsed.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
  return parsed.faults;
}
