// Shared helpers for the ShopFDS k6 scripts (k6 v0.45+ / v1.x JavaScript API).
import http from 'k6/http';
import { check, fail } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');

/** Integer env var with a default; k6 passes every -e/--env value as a string. */
export function envInt(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = parseInt(raw, 10);
  if (isNaN(value) || value < 0) fail(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** Duration env var ("30s", "5m", "1h") with a default. */
export function envDuration(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+(ms|s|m|h)$/.test(raw)) fail(`${name} must look like 30s, 5m or 1h, got "${raw}"`);
  return raw;
}

/** Thresholds every script shares: 95% of requests under 500 ms and under 1% failures. */
export const THRESHOLDS = {
  http_req_duration: ['p(95)<500'],
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.99'],
};

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

function authHeaders(token) {
  return { headers: Object.assign({ Authorization: `Bearer ${token}` }, JSON_HEADERS) };
}

/** Signs up one shopper per VU iteration stream; the email is unique per VU and run. */
export function signUp(tag) {
  const unique = `${tag}-${__VU}-${__ITER}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
  const deviceId = `k6-device-${unique}`;
  const res = http.post(
    `${BASE_URL}/api/auth/signup`,
    JSON.stringify({ name: 'k6 shopper', email: `k6-${unique}@shopfds.test`, password: 'k6-password-1', deviceId }),
    { headers: JSON_HEADERS, tags: { name: 'POST /api/auth/signup' } },
  );
  const ok = check(res, {
    'signup: status is 201': (r) => r.status === 201,
    'signup: returns a token': (r) => typeof r.json('token') === 'string',
  });
  return ok ? { token: res.json('token'), deviceId } : null;
}

/** Browses the catalog like a visitor: list, then one product. */
export function browse() {
  const list = http.get(`${BASE_URL}/api/products`, { tags: { name: 'GET /api/products' } });
  check(list, {
    'products: status is 200': (r) => r.status === 200,
    'products: lists the catalog': (r) => Array.isArray(r.json('products')) && r.json('products').length > 0,
  });
  const id = `p-00${1 + Math.floor(Math.random() * 8)}`;
  const one = http.get(`${BASE_URL}/api/products/${id}`, { tags: { name: 'GET /api/products/:id' } });
  check(one, { 'product: status is 200': (r) => r.status === 200 });
}

/**
 * Puts one cheap item in the cart and checks out from the signup device and a Korean card,
 * which the FDS approves (see src/demo/README.md). Returns the FDS decision.
 */
export function buyCheapItem(session) {
  const params = authHeaders(session.token);
  const add = http.post(`${BASE_URL}/api/cart`, JSON.stringify({ productId: 'p-001', quantity: 1 }), Object.assign({ tags: { name: 'POST /api/cart' } }, params));
  check(add, { 'cart: status is 200': (r) => r.status === 200 });
  const order = http.post(
    `${BASE_URL}/api/orders`,
    JSON.stringify({
      cardNumber: '4242424242424242',
      cardCountry: 'KR',
      shippingAddress: { recipient: 'k6 shopper', line1: '1 Load-ro', city: 'Seoul', postalCode: '06164', country: 'KR' },
      deviceId: session.deviceId,
    }),
    Object.assign({ tags: { name: 'POST /api/orders' } }, params),
  );
  check(order, {
    'order: status is 201': (r) => r.status === 201,
    'order: FDS decided': (r) => ['approve', 'review', 'block'].indexOf(r.json('order.fds.decision')) >= 0,
  });
  return order.status === 201 ? order.json('order.fds.decision') : null;
}

/** Scores a synthetic transaction without touching any account. */
export function scoreTransaction() {
  const amounts = [19000, 129000, 649000, 1890000];
  const res = http.post(
    `${BASE_URL}/api/fds/score`,
    JSON.stringify({
      amount: amounts[Math.floor(Math.random() * amounts.length)],
      cardCountry: Math.random() < 0.8 ? 'KR' : 'US',
      shippingCountry: 'KR',
      newDevice: Math.random() < 0.2,
      newAddress: Math.random() < 0.3,
      recentOrders: 0,
    }),
    { headers: JSON_HEADERS, tags: { name: 'POST /api/fds/score' } },
  );
  check(res, {
    'fds: status is 200': (r) => r.status === 200,
    'fds: score within 0..100': (r) => r.json('score') >= 0 && r.json('score') <= 100,
  });
}

export function health() {
  const res = http.get(`${BASE_URL}/health`, { tags: { name: 'GET /health' } });
  check(res, { 'health: status is 200': (r) => r.status === 200 });
}
