import { describe, expect, it } from 'vitest';
import { assessRisk, decide } from '../../src/demo/fds.js';
import { createRng, parseFaultConfig, resolveFault, routeKeyMatches } from '../../src/demo/faults.js';

const base = { amount: 10_000, cardCountry: 'KR', shippingCountry: 'KR', newDevice: false, newAddress: false, recentOrders: 0 };

describe('assessRisk', () => {
  it.each([
    [99_999, 0],
    [100_000, 10],
    [499_999, 10],
    [500_000, 25],
    [1_499_999, 25],
    [1_500_000, 40],
  ])('amount %i adds %i points', (amount, points) => {
    expect(assessRisk({ ...base, amount }).score).toBe(points);
  });

  it.each([
    [{ cardCountry: 'US' }, 'card_country_mismatch', 25],
    [{ newDevice: true }, 'new_device', 15],
    [{ newAddress: true }, 'new_shipping_address', 10],
    [{ recentOrders: 2 }, undefined, 0],
    [{ recentOrders: 3 }, 'order_velocity_elevated', 15],
    [{ recentOrders: 4 }, 'order_velocity_elevated', 15],
    [{ recentOrders: 5 }, 'order_velocity_high', 30],
  ])('%j scores %s', (signals, code, points) => {
    const result = assessRisk({ ...base, ...signals });
    expect(result.score).toBe(points);
    expect(result.reasons.map((r) => r.code)).toEqual(code ? [code] : []);
  });

  it('caps the score at 100', () => {
    const all = assessRisk({ amount: 9_999_999, cardCountry: 'US', shippingCountry: 'KR', newDevice: true, newAddress: true, recentOrders: 50 });
    expect(all.score).toBe(100);
    expect(all.decision).toBe('block');
    expect(all.reasons).toHaveLength(5);
  });

  it('decides approve below 40, review from 40 to 69, block from 70', () => {
    expect([0, 39, 40, 69, 70, 100].map(decide)).toEqual(['approve', 'approve', 'review', 'review', 'block', 'block']);
  });
});

describe('fault helpers', () => {
  it('route keys match methods, params, wildcards and "*"', () => {
    expect(routeKeyMatches('*', 'GET', '/anything')).toBe(true);
    expect(routeKeyMatches('GET /api/products/:id', 'GET', '/api/products/p-001')).toBe(true);
    expect(routeKeyMatches('GET /api/products/:id', 'GET', '/api/products')).toBe(false);
    expect(routeKeyMatches('GET /api/products/:id', 'POST', '/api/products/p-001')).toBe(false);
    expect(routeKeyMatches('get /api/products', 'GET', '/api/products')).toBe(true);
    expect(routeKeyMatches('/api/cart', 'DELETE', '/api/cart')).toBe(true);
    expect(routeKeyMatches('* /api/cart', 'PATCH', '/api/cart')).toBe(true);
    expect(routeKeyMatches('GET /api/*', 'GET', '/api/orders/o-1')).toBe(true);
    expect(routeKeyMatches('GET /api/*/o-1', 'GET', '/api/orders/o-1')).toBe(true);
    expect(routeKeyMatches('POST *', 'POST', '/api/orders')).toBe(true);
  });

  it('merges global first, then matching routes in key order', () => {
    const faults = { global: { latencyMs: 5, errorRate: 0.1 }, routes: { '*': { errorRate: 0.2 }, 'GET /health': { errorRate: 0, status: 503 } } };
    expect(resolveFault(faults, 'GET', '/health')).toEqual({ latencyMs: 5, errorRate: 0, status: 503 });
    expect(resolveFault(faults, 'GET', '/')).toEqual({ latencyMs: 5, errorRate: 0.2 });
    expect(resolveFault({ routes: {} }, 'GET', '/')).toBeUndefined();
  });

  it('the seeded generator is deterministic and uniform enough', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(createRng(43)()).not.toBe(createRng(42)());
  });

  it('parseFaultConfig accepts the documented shape', () => {
    const config = { routes: { 'POST /api/orders': { latencyMs: 200, errorRate: 0.5, status: 503, down: true } }, global: { latencyMs: 0 } };
    expect(parseFaultConfig(config)).toEqual({ ok: true, faults: config });
    expect(parseFaultConfig([])).toMatchObject({ ok: false });
  });
});
