import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startShop } from '../../src/demo/shop.js';
import type { RunningShop } from '../../src/demo/shop.js';
import { call, errorOf, signUp } from './shop-client.js';

let shop: RunningShop;
let url: string;

beforeAll(async () => {
  shop = await startShop({ faults: {}, seed: 7 });
  url = shop.url;
});
afterAll(async () => {
  await shop.close();
});
afterEach(async () => {
  await call(url, 'DELETE', '/__admin/faults');
});

const setFaults = (faults: unknown) => call(url, 'POST', '/__admin/faults', { body: faults });

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

describe('fault injection admin API', () => {
  it('GET, POST and DELETE /__admin/faults manage the active faults', async () => {
    expect((await call(url, 'GET', '/__admin/faults')).body).toEqual({ faults: { routes: {} } });
    const config = { routes: { 'POST /api/orders': { latencyMs: 200, errorRate: 0.5, status: 503 } }, global: { latencyMs: 1 } };
    const set = await setFaults(config);
    expect(set.status).toBe(200);
    expect(set.body.faults).toEqual(config);
    expect((await call(url, 'GET', '/__admin/faults')).body.faults).toEqual(config);
    const cleared = await call(url, 'DELETE', '/__admin/faults');
    expect(cleared.body.faults).toEqual({ routes: {} });
  });

  it('rejects invalid configurations with 422 and keeps the old one', async () => {
    await setFaults({ routes: { 'GET /health': { latencyMs: 1 } } });
    const res = await setFaults({
      routes: { 'GET /health': { latencyMs: -1, errorRate: 2, status: 200, down: 'yes', typo: 1 }, 'FETCH /x': {}, 'no-slash': {} },
      extra: true,
    });
    expect(res.status).toBe(422);
    const fields = errorOf(res).details!.map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'extra',
        'routes.GET /health.latencyMs',
        'routes.GET /health.errorRate',
        'routes.GET /health.status',
        'routes.GET /health.down',
        'routes.GET /health.typo',
        'routes.FETCH /x',
        'routes.no-slash',
      ]),
    );
    expect((await call(url, 'GET', '/__admin/faults')).body.faults).toEqual({ routes: { 'GET /health': { latencyMs: 1 } } });
    expect((await call(url, 'POST', '/__admin/faults', { raw: '{oops' })).status).toBe(400);
  });

  it('setFaults() validates too', () => {
    expect(() => shop.setFaults({ routes: { '*': { errorRate: 3 } } })).toThrow(/errorRate/);
  });
});

describe('injected faults', () => {
  it('latencyMs delays the matching route by at least that long', async () => {
    await setFaults({ routes: { 'GET /api/products/:id': { latencyMs: 150 } } });
    const slow = await timed(() => call(url, 'GET', '/api/products/p-001'));
    expect(slow.value.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(150);
  });

  it('down answers 503 on every request of the route only', async () => {
    await setFaults({ routes: { 'POST /api/auth/login': { down: true } } });
    for (let i = 0; i < 5; i++) {
      const res = await call(url, 'POST', '/api/auth/login', { body: { email: 'demo@shopfds.test', password: 'demo-password-1' } });
      expect(res.status).toBe(503);
      expect(errorOf(res).code).toBe('service_unavailable');
      expect(res.headers.get('retry-after')).toBe('1');
    }
    expect((await call(url, 'GET', '/api/products')).status).toBe(200);
    expect((await call(url, 'POST', '/api/auth/signup', { body: {} })).status).toBe(422);
  });

  it('errorRate 1 fails every request with the configured status', async () => {
    await setFaults({ routes: { 'GET /api/products': { errorRate: 1, status: 502 } } });
    const statuses = await Promise.all(Array.from({ length: 10 }, () => call(url, 'GET', '/api/products').then((r) => r.status)));
    expect(statuses).toEqual(Array(10).fill(502));
    const res = await call(url, 'GET', '/api/products');
    expect(errorOf(res).code).toBe('injected_fault');
  });

  it('errorRate 0 never fails and errorRate without status defaults to 500', async () => {
    await setFaults({ routes: { 'GET /health': { errorRate: 0 }, 'GET /api/products/:id': { errorRate: 1 } } });
    expect((await call(url, 'GET', '/health')).status).toBe(200);
    expect((await call(url, 'GET', '/api/products/p-002')).status).toBe(500);
  });

  it('errorRate is reproducible: the same seed and config fail the same requests', async () => {
    const config = { routes: { 'GET /health': { errorRate: 0.5, status: 503 } } };
    const run = async () => {
      await setFaults(config);
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await call(url, 'GET', '/health')).status);
      return out;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(5);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(5);
  });

  it('"*" and global apply to every route but never to /__admin', async () => {
    await setFaults({ routes: { '*': { down: true } } });
    expect((await call(url, 'GET', '/health')).status).toBe(503);
    expect((await fetch(`${url}/`)).status).toBe(503);
    expect((await call(url, 'GET', '/__admin/faults')).status).toBe(200);
    await setFaults({ global: { errorRate: 1, status: 504 } });
    expect((await call(url, 'GET', '/api/products')).status).toBe(504);
    expect((await call(url, 'POST', '/__admin/reset')).status).toBe(200);
  });

  it('route keys match by method and path pattern', async () => {
    await setFaults({ routes: { 'GET /api/products/p-002': { down: true }, '/api/cart/items/*': { errorRate: 1, status: 418 } } });
    expect((await call(url, 'GET', '/api/products/p-002')).status).toBe(503);
    expect((await call(url, 'GET', '/api/products/p-001')).status).toBe(200);
    const { token } = await signUp(url);
    expect((await call(url, 'DELETE', '/api/cart/items/p-001', { token })).status).toBe(418);
    expect((await call(url, 'PATCH', '/api/cart/items/p-001', { token, body: { quantity: 1 } })).status).toBe(418);
    expect((await call(url, 'GET', '/api/cart', { token })).status).toBe(200);
  });

  it('a more specific entry overrides the global fault', async () => {
    await setFaults({ global: { down: true }, routes: { 'GET /health': { down: false } } });
    expect((await call(url, 'GET', '/health')).status).toBe(200);
    expect((await call(url, 'GET', '/api/products')).status).toBe(503);
  });
});

describe('reset', () => {
  it('POST /__admin/reset restores the seed data and the start-up faults', async () => {
    const shopper = await signUp(url);
    await call(url, 'POST', '/api/cart', { token: shopper.token, body: { productId: 'p-001' } });
    await setFaults({ routes: { 'GET /api/products': { down: true } } });
    const res = await call(url, 'POST', '/__admin/reset');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'reset', faults: { routes: {} } });
    expect((await call(url, 'GET', '/api/products')).status).toBe(200);
    // accounts and sessions are gone, the demo shopper is back
    expect((await call(url, 'GET', '/api/cart', { token: shopper.token })).status).toBe(401);
    const again = await call(url, 'POST', '/api/auth/signup', { body: { email: shopper.email, password: 'password-123', name: 'Again' } });
    expect(again.status).toBe(201);
    expect(again.body.user.id).toBe('u-0002');
    const demo = await call(url, 'POST', '/api/auth/login', { body: { email: 'demo@shopfds.test', password: 'demo-password-1' } });
    expect(demo.status).toBe(200);
  });

  it('reset returns to the faults given at start, and SHOPFDS_DEMO_FAULTS is read when none are given', async () => {
    const previous = process.env.SHOPFDS_DEMO_FAULTS;
    process.env.SHOPFDS_DEMO_FAULTS = JSON.stringify({ routes: { 'GET /api/products': { down: true } } });
    let envShop: RunningShop | undefined;
    try {
      envShop = await startShop();
      expect((await call(envShop.url, 'GET', '/api/products')).status).toBe(503);
      await call(envShop.url, 'DELETE', '/__admin/faults');
      expect((await call(envShop.url, 'GET', '/api/products')).status).toBe(200);
      await call(envShop.url, 'POST', '/__admin/reset');
      expect((await call(envShop.url, 'GET', '/api/products')).status).toBe(503);
    } finally {
      if (previous === undefined) delete process.env.SHOPFDS_DEMO_FAULTS;
      else process.env.SHOPFDS_DEMO_FAULTS = previous;
      await envShop?.close();
    }
  });

  it('an invalid SHOPFDS_DEMO_FAULTS stops the shop from starting', async () => {
    const previous = process.env.SHOPFDS_DEMO_FAULTS;
    try {
      process.env.SHOPFDS_DEMO_FAULTS = '{not json';
      await expect(startShop()).rejects.toThrow(/SHOPFDS_DEMO_FAULTS is not valid JSON/);
      process.env.SHOPFDS_DEMO_FAULTS = JSON.stringify({ routes: { 'GET /x': { errorRate: 5 } } });
      await expect(startShop()).rejects.toThrow(/routes\.GET \/x\.errorRate/);
    } finally {
      if (previous === undefined) delete process.env.SHOPFDS_DEMO_FAULTS;
      else process.env.SHOPFDS_DEMO_FAULTS = previous;
    }
  });
});

describe('GET /metrics', () => {
  it('exposes request counters, latency histograms and FDS decisions in Prometheus text format', async () => {
    const fresh = await startShop({ faults: {} });
    try {
      const shopper = await signUp(fresh.url);
      await call(fresh.url, 'GET', '/api/products/p-001');
      await call(fresh.url, 'GET', '/api/products/p-404');
      await call(fresh.url, 'POST', '/api/cart', { token: shopper.token, body: { productId: 'p-001' } });
      await call(fresh.url, 'POST', '/api/orders', {
        token: shopper.token,
        body: { cardNumber: '4242424242424242', cardCountry: 'KR', shippingAddress: { recipient: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'KR' }, deviceId: shopper.deviceId },
      });
      await call(fresh.url, 'POST', '/api/fds/score', { body: { amount: 2_000_000, cardCountry: 'US', shippingCountry: 'KR', newDevice: true } });
      await call(fresh.url, 'POST', '/__admin/faults', { body: { routes: { 'GET /health': { down: true } } } });
      await call(fresh.url, 'GET', '/health');

      const res = await fetch(`${fresh.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      const lines = text.trimEnd().split('\n');
      // every line is a comment or `name{labels} value`
      for (const line of lines) {
        expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+)$/);
      }
      expect(text).toContain('# TYPE shopfds_http_requests_total counter');
      expect(text).toContain('shopfds_http_requests_total{method="GET",route="/api/products/:id",status="200"} 1');
      expect(text).toContain('shopfds_http_requests_total{method="GET",route="/api/products/:id",status="404"} 1');
      expect(text).toContain('shopfds_http_requests_total{method="POST",route="/api/auth/signup",status="201"} 1');
      expect(text).toContain('shopfds_http_requests_total{method="GET",route="/health",status="503"} 1');
      expect(text).toContain('# TYPE shopfds_http_request_duration_seconds histogram');
      expect(text).toContain('shopfds_http_request_duration_seconds_bucket{method="GET",route="/api/products/:id",le="+Inf"} 2');
      expect(text).toContain('shopfds_http_request_duration_seconds_count{method="GET",route="/api/products/:id"} 2');
      expect(text).toMatch(/shopfds_http_request_duration_seconds_sum\{method="GET",route="\/api\/products\/:id"\} [0-9.e-]+/);
      expect(text).toContain('shopfds_fds_decisions_total{decision="approve"} 1');
      expect(text).toContain('shopfds_fds_decisions_total{decision="review"} 0');
      expect(text).toContain('shopfds_fds_decisions_total{decision="block"} 1');
      expect(text).toContain('shopfds_injected_faults_total{kind="down"} 1');

      // buckets are cumulative
      const buckets = lines
        .filter((l) => l.startsWith('shopfds_http_request_duration_seconds_bucket{method="GET",route="/api/products/:id"'))
        .map((l) => Number(l.split(' ').pop()));
      expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    } finally {
      await fresh.close();
    }
  });
});
