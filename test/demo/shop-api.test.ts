import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_USER, SEED_PRODUCTS, startShop } from '../../src/demo/shop.js';
import type { RunningShop } from '../../src/demo/shop.js';
import { buy, call, errorOf, KR_ADDRESS, orderBody, signUp } from './shop-client.js';

let shop: RunningShop;
let url: string;

beforeAll(async () => {
  shop = await startShop({ port: 0, faults: {} });
  url = shop.url;
});
afterAll(async () => {
  await shop.close();
});
beforeEach(async () => {
  await call(url, 'POST', '/__admin/reset');
});

describe('startShop', () => {
  it('binds 127.0.0.1 on a free port by default', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(shop.port).toBeGreaterThan(0);
  });

  it('two shops run side by side and close independently', async () => {
    const other = await startShop();
    expect(other.port).not.toBe(shop.port);
    expect((await call(other.url, 'GET', '/health')).status).toBe(200);
    await other.close();
    await expect(fetch(`${other.url}/health`)).rejects.toThrow();
    expect((await call(url, 'GET', '/health')).status).toBe(200);
  });
});

describe('health', () => {
  it('GET /health answers ok', async () => {
    const res = await call(url, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', service: 'shopfds-demo' });
    expect(res.body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('auth', () => {
  it('signs up, logs in and reads the current user', async () => {
    const signup = await call(url, 'POST', '/api/auth/signup', {
      body: { email: 'New.User@ShopFDS.test', password: 'password-123', name: 'New User' },
    });
    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({ tokenType: 'Bearer', user: { email: 'new.user@shopfds.test', name: 'New User' } });
    expect(signup.body.user).not.toHaveProperty('passwordHash');

    const login = await call(url, 'POST', '/api/auth/login', { body: { email: 'new.user@shopfds.test', password: 'password-123' } });
    expect(login.status).toBe(200);
    expect(login.body.token).toMatch(/^sfd_/);
    expect(login.body.token).not.toBe(signup.body.token);

    const me = await call(url, 'GET', '/api/auth/me', { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('new.user@shopfds.test');
  });

  it('the seeded demo account can log in', async () => {
    const res = await call(url, 'POST', '/api/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: DEMO_USER.id, email: DEMO_USER.email });
  });

  it('a duplicate email is 409', async () => {
    const res = await call(url, 'POST', '/api/auth/signup', { body: { email: DEMO_USER.email, password: 'password-123', name: 'Again' } });
    expect(res.status).toBe(409);
    expect(errorOf(res).code).toBe('email_taken');
  });

  it('a wrong password and an unknown email are the same 401', async () => {
    const wrong = await call(url, 'POST', '/api/auth/login', { body: { email: DEMO_USER.email, password: 'nope-nope' } });
    const unknown = await call(url, 'POST', '/api/auth/login', { body: { email: 'nobody@shopfds.test', password: 'nope-nope' } });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(errorOf(res)).toMatchObject({ code: 'invalid_credentials', message: 'Invalid email or password.' });
    }
  });

  it('logout revokes the token', async () => {
    const shopper = await signUp(url);
    const out = await call(url, 'POST', '/api/auth/logout', { token: shopper.token });
    expect(out.status).toBe(204);
    const after = await call(url, 'GET', '/api/cart', { token: shopper.token });
    expect(after.status).toBe(401);
    expect(errorOf(after).code).toBe('invalid_token');
  });
});

describe('bad input', () => {
  it('malformed JSON is 400 invalid_json', async () => {
    const res = await call(url, 'POST', '/api/auth/login', { raw: '{"email": ' });
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe('invalid_json');
  });

  it('an empty body and a non-object body are 400', async () => {
    for (const raw of ['', '[1,2]', '"text"', 'null']) {
      const res = await call(url, 'POST', '/api/auth/signup', { raw });
      expect(res.status, raw).toBe(400);
      expect(errorOf(res).code).toBe('invalid_json');
    }
  });

  it('missing fields are 422 with every field listed', async () => {
    const res = await call(url, 'POST', '/api/auth/signup', { body: {} });
    expect(res.status).toBe(422);
    const error = errorOf(res);
    expect(error.code).toBe('validation_failed');
    expect(error.details!.map((d) => d.field).sort()).toEqual(['email', 'name', 'password']);
    expect(error.details!.every((d) => d.message === 'is required')).toBe(true);
  });

  it('wrong types are 422', async () => {
    const res = await call(url, 'POST', '/api/auth/signup', { body: { email: 1, password: false, name: {} } });
    expect(res.status).toBe(422);
    expect(errorOf(res).details).toEqual([
      { field: 'email', message: 'must be a string' },
      { field: 'password', message: 'must be a string' },
      { field: 'name', message: 'must be a string' },
    ]);
  });

  it('a bad email and a short password are 422', async () => {
    const res = await call(url, 'POST', '/api/auth/signup', { body: { email: 'not-an-email', password: 'short', name: 'X' } });
    expect(res.status).toBe(422);
    expect(errorOf(res).details!.map((d) => d.field)).toEqual(['email', 'password']);
  });

  it('cart quantities must be integers from 1 to 10', async () => {
    const shopper = await signUp(url);
    for (const quantity of [0, 11, 1.5, '2']) {
      const res = await call(url, 'POST', '/api/cart', { token: shopper.token, body: { productId: 'p-001', quantity } });
      expect(res.status, String(quantity)).toBe(422);
      expect(errorOf(res).details![0]!.field).toBe('quantity');
    }
  });

  it('checkout validates card, countries, address and device', async () => {
    const shopper = await signUp(url);
    await call(url, 'POST', '/api/cart', { token: shopper.token, body: { productId: 'p-001' } });
    const res = await call(url, 'POST', '/api/orders', {
      token: shopper.token,
      body: { cardNumber: '4242 4242 4242 4241', cardCountry: 'Korea', shippingAddress: { line1: 5 }, deviceId: 'bad device!' },
    });
    expect(res.status).toBe(422);
    const fields = errorOf(res).details!.map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'cardNumber',
        'cardCountry',
        'shippingAddress.recipient',
        'shippingAddress.line1',
        'shippingAddress.city',
        'shippingAddress.postalCode',
        'shippingAddress.country',
        'deviceId',
      ]),
    );
    const missing = await call(url, 'POST', '/api/orders', { token: shopper.token, body: { cardNumber: '4242424242424242' } });
    expect(missing.status).toBe(422);
    expect(errorOf(missing).details!.map((d) => d.field)).toEqual(['cardCountry', 'shippingAddress', 'deviceId']);
  });

  it('unknown API routes are 404 and wrong methods 405 with Allow', async () => {
    const missing = await call(url, 'GET', '/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('not_found');
    const wrong = await call(url, 'PUT', '/api/cart');
    expect(wrong.status).toBe(405);
    expect(errorOf(wrong).code).toBe('method_not_allowed');
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });
});

describe('catalog', () => {
  it('lists the eight seeded products', async () => {
    const res = await call(url, 'GET', '/api/products');
    expect(res.status).toBe(200);
    expect(res.body.products).toEqual(SEED_PRODUCTS);
    expect(res.body.products).toHaveLength(8);
  });

  it('filters by category', async () => {
    const res = await call(url, 'GET', '/api/products?category=electronics');
    expect(res.body.products.length).toBeGreaterThan(0);
    expect(res.body.products.every((p: { category: string }) => p.category === 'electronics')).toBe(true);
  });

  it('gets one product or 404', async () => {
    const res = await call(url, 'GET', '/api/products/p-003');
    expect(res.status).toBe(200);
    expect(res.body.product).toMatchObject({ id: 'p-003', price: 48_000 });
    const missing = await call(url, 'GET', '/api/products/p-404');
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('product_not_found');
  });
});

describe('cart', () => {
  it('requires a bearer token', async () => {
    for (const [method, path] of [
      ['GET', '/api/cart'],
      ['POST', '/api/cart'],
      ['PATCH', '/api/cart/items/p-001'],
      ['DELETE', '/api/cart/items/p-001'],
    ] as const) {
      const res = await call(url, method, path, method === 'GET' || method === 'DELETE' ? {} : { body: { productId: 'p-001', quantity: 1 } });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(errorOf(res).code).toBe('unauthorized');
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    }
    const bad = await call(url, 'GET', '/api/cart', { token: 'sfd_forged' });
    expect(bad.status).toBe(401);
    expect(errorOf(bad).code).toBe('invalid_token');
    const basic = await call(url, 'GET', '/api/cart', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(basic.status).toBe(401);
  });

  it('adds, changes quantity and removes', async () => {
    const { token } = await signUp(url);
    expect((await call(url, 'GET', '/api/cart', { token })).body.cart).toEqual({ items: [], itemCount: 0, total: 0, currency: 'KRW' });
    await call(url, 'POST', '/api/cart', { token, body: { productId: 'p-001', quantity: 2 } });
    const added = await call(url, 'POST', '/api/cart', { token, body: { productId: 'p-002' } });
    expect(added.status).toBe(200);
    expect(added.body.cart).toMatchObject({ itemCount: 3, total: 2 * 19_000 + 25_000 });

    const patched = await call(url, 'PATCH', '/api/cart/items/p-001', { token, body: { quantity: 5 } });
    expect(patched.status).toBe(200);
    expect(patched.body.cart.items[0]).toEqual({ productId: 'p-001', name: 'Everyday Cotton T-Shirt', unitPrice: 19_000, quantity: 5, subtotal: 95_000 });

    const removed = await call(url, 'DELETE', '/api/cart/items/p-002', { token });
    expect(removed.status).toBe(200);
    expect(removed.body.cart).toMatchObject({ itemCount: 5, total: 95_000 });
  });

  it('404 for unknown products and items not in the cart, 409 past the per-product limit', async () => {
    const { token } = await signUp(url);
    const unknown = await call(url, 'POST', '/api/cart', { token, body: { productId: 'p-999' } });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe('product_not_found');
    const notInCart = await call(url, 'PATCH', '/api/cart/items/p-003', { token, body: { quantity: 2 } });
    expect(notInCart.status).toBe(404);
    expect(errorOf(notInCart).code).toBe('cart_item_not_found');
    const removeMissing = await call(url, 'DELETE', '/api/cart/items/p-003', { token });
    expect(removeMissing.status).toBe(404);
    await call(url, 'POST', '/api/cart', { token, body: { productId: 'p-001', quantity: 8 } });
    const tooMany = await call(url, 'POST', '/api/cart', { token, body: { productId: 'p-001', quantity: 3 } });
    expect(tooMany.status).toBe(409);
    expect(errorOf(tooMany).code).toBe('quantity_limit');
  });

  it('carts belong to their shopper', async () => {
    const a = await signUp(url);
    const b = await signUp(url);
    await call(url, 'POST', '/api/cart', { token: a.token, body: { productId: 'p-004' } });
    expect((await call(url, 'GET', '/api/cart', { token: b.token })).body.cart.itemCount).toBe(0);
  });
});

describe('orders and the FDS', () => {
  it('a small domestic order from the signup device is approved and empties the cart', async () => {
    const shopper = await signUp(url);
    const res = await buy(url, shopper, ['p-001']);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/orders/${res.body.order.id}`);
    expect(res.body.order).toMatchObject({
      status: 'approved',
      total: 19_000,
      currency: 'KRW',
      card: { last4: '4242', country: 'KR' },
      shippingAddress: KR_ADDRESS,
      fds: { score: 10, decision: 'approve', reasons: [{ code: 'new_shipping_address', points: 10 }] },
    });
    expect(res.text).not.toContain('4242424242424242');
    expect((await call(url, 'GET', '/api/cart', { token: shopper.token })).body.cart.itemCount).toBe(0);
  });

  it('a large order with a foreign card is held for review', async () => {
    const shopper = await signUp(url);
    const res = await buy(url, shopper, ['p-007'], { cardCountry: 'US' });
    expect(res.status).toBe(201);
    expect(res.body.order.status).toBe('held');
    expect(res.body.order.fds).toMatchObject({ score: 60, decision: 'review' });
    expect(res.body.order.fds.reasons.map((r: { code: string }) => r.code)).toEqual(['amount_high', 'card_country_mismatch', 'new_shipping_address']);
  });

  it('a huge order with a foreign card from a new device is blocked and keeps the cart', async () => {
    const shopper = await signUp(url);
    const res = await buy(url, shopper, ['p-008'], { cardCountry: 'US', deviceId: 'never-seen-device' });
    expect(res.status).toBe(201);
    expect(res.body.order.status).toBe('blocked');
    expect(res.body.order.fds).toMatchObject({ score: 90, decision: 'block' });
    expect(res.body.order.fds.reasons.map((r: { code: string }) => r.code)).toEqual([
      'amount_very_high',
      'card_country_mismatch',
      'new_device',
      'new_shipping_address',
    ]);
    const cart = await call(url, 'GET', '/api/cart', { token: shopper.token });
    expect(cart.body.cart).toMatchObject({ itemCount: 1, total: 1_890_000 });
  });

  it('the demo shopper has a known device and address', async () => {
    const login = await call(url, 'POST', '/api/auth/login', { body: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const shopper = { token: login.body.token, email: DEMO_USER.email, deviceId: 'demo-device-1', userId: DEMO_USER.id };
    const res = await buy(url, shopper, ['p-001'], { shippingAddress: DEMO_USER.knownAddresses[0] });
    expect(res.body.order.fds).toEqual({ score: 0, decision: 'approve', reasons: [] });
  });

  it('an approved order makes its device and address known for the next one', async () => {
    const shopper = await signUp(url);
    await buy(url, shopper, ['p-001'], { deviceId: 'second-device' });
    const next = await buy(url, shopper, ['p-001'], { deviceId: 'second-device' });
    expect(next.body.order.fds).toEqual({ score: 0, decision: 'approve', reasons: [] });
  });

  it('order velocity adds risk from the third recent order on', async () => {
    const shopper = await signUp(url);
    const scores: number[] = [];
    for (let i = 0; i < 6; i++) scores.push((await buy(url, shopper, ['p-001'])).body.order.fds.score);
    // first order: new address (+10); orders 4-5: +15; order 6: +30
    expect(scores).toEqual([10, 0, 0, 15, 15, 30]);
  });

  it('lists and reads orders; another shopper gets 403, unknown ids 404', async () => {
    const a = await signUp(url);
    const first = (await buy(url, a, ['p-001'])).body.order;
    const second = (await buy(url, a, ['p-002'])).body.order;
    const list = await call(url, 'GET', '/api/orders', { token: a.token });
    expect(list.status).toBe(200);
    expect(list.body.orders.map((o: { id: string }) => o.id)).toEqual([second.id, first.id]);
    const one = await call(url, 'GET', `/api/orders/${first.id}`, { token: a.token });
    expect(one.status).toBe(200);
    expect(one.body.order).toEqual(first);

    const b = await signUp(url);
    const forbidden = await call(url, 'GET', `/api/orders/${first.id}`, { token: b.token });
    expect(forbidden.status).toBe(403);
    expect(errorOf(forbidden).code).toBe('forbidden');
    const missing = await call(url, 'GET', '/api/orders/o-999999', { token: b.token });
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('order_not_found');
    expect((await call(url, 'GET', '/api/orders')).status).toBe(401);
  });

  it('checkout of an empty cart is 409', async () => {
    const shopper = await signUp(url);
    const res = await call(url, 'POST', '/api/orders', { token: shopper.token, body: orderBody(shopper) });
    expect(res.status).toBe(409);
    expect(errorOf(res).code).toBe('cart_empty');
  });
});

describe('POST /api/fds/score', () => {
  const score = (body: Record<string, unknown>, token?: string) =>
    call(url, 'POST', '/api/fds/score', { body, ...(token ? { token } : {}) });

  it.each([
    [{ amount: 19_000, cardCountry: 'KR', shippingCountry: 'KR' }, 0, 'approve'],
    [{ amount: 649_000, cardCountry: 'us', shippingCountry: 'KR', newAddress: true }, 60, 'review'],
    [{ amount: 1_890_000, cardCountry: 'US', shippingCountry: 'KR', newDevice: true, newAddress: true }, 90, 'block'],
    [{ amount: 5_000_000, cardCountry: 'NG', shippingCountry: 'KR', newDevice: true, newAddress: true, recentOrders: 9 }, 100, 'block'],
    [{ amount: 399_000, cardCountry: 'KR', shippingCountry: 'KR', recentOrders: 3 }, 25, 'approve'],
    [{ amount: 1_500_000, cardCountry: 'KR', shippingCountry: 'KR' }, 40, 'review'],
  ])('%j scores %i (%s)', async (body, expectedScore, decision) => {
    const res = await score(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ score: expectedScore, decision, thresholds: { review: 40, block: 70 } });
    expect(res.body.reasons.reduce((n: number, r: { points: number }) => n + r.points, 0)).toBeGreaterThanOrEqual(expectedScore);
  });

  it('derives device, address and velocity from the signed-in shopper', async () => {
    const shopper = await signUp(url);
    const known = await score({ amount: 1_000, cardCountry: 'KR', shippingCountry: 'KR', deviceId: shopper.deviceId }, shopper.token);
    expect(known.body.score).toBe(0);
    const unknown = await score(
      { amount: 1_000, cardCountry: 'KR', shippingCountry: 'KR', deviceId: 'other-device', shippingAddress: KR_ADDRESS },
      shopper.token,
    );
    expect(unknown.body.reasons.map((r: { code: string }) => r.code)).toEqual(['new_device', 'new_shipping_address']);
  });

  it('rejects wrong types with 422 and a bad token with 401', async () => {
    const res = await score({ amount: '100', cardCountry: 'KOR', shippingCountry: 7, newDevice: 'yes' });
    expect(res.status).toBe(422);
    expect(errorOf(res).details!.map((d) => d.field)).toEqual(['amount', 'cardCountry', 'shippingCountry', 'newDevice']);
    const bad = await score({ amount: 1, cardCountry: 'KR', shippingCountry: 'KR' }, 'sfd_forged');
    expect(bad.status).toBe(401);
  });
});
