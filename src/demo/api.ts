import { assessRisk, BLOCK_THRESHOLD, REVIEW_THRESHOLD } from './fds.js';
import { parseFaultConfig } from './faults.js';
import { bearerToken, BodyValidator, readJsonObject, sendJson, sendText } from './http.js';
import type { RequestContext, Route } from './routing.js';
import { ShopError } from './store.js';
import type { ShippingAddress } from './types.js';
import type { User } from './store.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const COUNTRY = /^[A-Za-z]{2}$/;
const DEVICE = /^[A-Za-z0-9._:-]+$/;
const PRODUCT_ID = /^[A-Za-z0-9_-]+$/;

function publicUser(user: User) {
  return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt };
}

/** The signed-in user, or a 401 (missing token: `unauthorized`; unknown token: `invalid_token`). */
function requireUser(ctx: RequestContext): User {
  const token = bearerToken(ctx.req);
  if (token === undefined) {
    throw new ShopError(401, 'unauthorized', 'Authentication required: send "Authorization: Bearer <token>"');
  }
  const user = token ? ctx.shop.store.userForToken(token) : undefined;
  if (!user) throw new ShopError(401, 'invalid_token', 'The bearer token is invalid or has been revoked');
  return user;
}

/** The signed-in user when a token is sent; a bad token is still a 401. */
function optionalUser(ctx: RequestContext): User | undefined {
  return bearerToken(ctx.req) === undefined ? undefined : requireUser(ctx);
}

/** Luhn checksum, so obviously mistyped card numbers are rejected like a real payment form would. */
export function isValidCardNumber(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function readAddress(v: BodyValidator, prefix: string): ShippingAddress {
  return {
    recipient: v.string(`${prefix}.recipient`, { max: 80 }),
    line1: v.string(`${prefix}.line1`, { max: 120 }),
    city: v.string(`${prefix}.city`, { max: 80 }),
    postalCode: v.string(`${prefix}.postalCode`, { max: 12, pattern: /^[A-Za-z0-9 -]+$/, patternMessage: 'must contain letters, digits, spaces or dashes' }),
    country: v.string(`${prefix}.country`, { pattern: COUNTRY, patternMessage: 'must be a two-letter ISO 3166-1 country code' }).toUpperCase(),
  };
}

export const apiRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: '/health',
    kind: 'ops',
    handle(ctx) {
      sendJson(ctx.res, 200, {
        status: 'ok',
        service: 'shopfds-demo',
        uptimeSeconds: Math.round((Date.now() - ctx.shop.startedAt) / 1000),
      });
    },
  },
  {
    method: 'GET',
    pattern: '/metrics',
    kind: 'ops',
    handle(ctx) {
      sendText(ctx.res, 200, ctx.shop.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
    },
  },
  {
    method: 'POST',
    pattern: '/api/auth/signup',
    kind: 'api',
    async handle(ctx) {
      const v = new BodyValidator(await readJsonObject(ctx.req));
      const email = v.string('email', { max: 254, pattern: EMAIL, patternMessage: 'must be an email address' });
      const password = v.string('password', { min: 8, max: 128 });
      const name = v.string('name', { max: 80 });
      const deviceId = v.string('deviceId', { optional: true, max: 100, pattern: DEVICE, patternMessage: 'may contain letters, digits and . _ : -' });
      v.done();
      const { user, token } = ctx.shop.store.signup({ email, password, name, ...(deviceId ? { deviceId } : {}) });
      sendJson(ctx.res, 201, { user: publicUser(user), token, tokenType: 'Bearer' }, { location: `/api/auth/me` });
    },
  },
  {
    method: 'POST',
    pattern: '/api/auth/login',
    kind: 'api',
    async handle(ctx) {
      const v = new BodyValidator(await readJsonObject(ctx.req));
      const email = v.string('email', { max: 254 });
      const password = v.string('password', { max: 128 });
      const deviceId = v.string('deviceId', { optional: true, max: 100, pattern: DEVICE, patternMessage: 'may contain letters, digits and . _ : -' });
      v.done();
      const { user, token } = ctx.shop.store.login({ email, password, ...(deviceId ? { deviceId } : {}) });
      sendJson(ctx.res, 200, { user: publicUser(user), token, tokenType: 'Bearer' });
    },
  },
  {
    method: 'POST',
    pattern: '/api/auth/logout',
    kind: 'api',
    handle(ctx) {
      requireUser(ctx);
      ctx.shop.store.logout(bearerToken(ctx.req)!);
      ctx.res.writeHead(204).end();
    },
  },
  {
    method: 'GET',
    pattern: '/api/auth/me',
    kind: 'api',
    handle(ctx) {
      sendJson(ctx.res, 200, { user: publicUser(requireUser(ctx)) });
    },
  },
  {
    method: 'GET',
    pattern: '/api/products',
    kind: 'api',
    handle(ctx) {
      const category = ctx.url.searchParams.get('category');
      const products = ctx.shop.store.listProducts().filter((p) => !category || p.category === category);
      sendJson(ctx.res, 200, { products });
    },
  },
  {
    method: 'GET',
    pattern: '/api/products/:id',
    kind: 'api',
    handle(ctx) {
      const product = ctx.shop.store.getProduct(ctx.params.id!);
      if (!product) throw new ShopError(404, 'product_not_found', `No product with id ${ctx.params.id}`);
      sendJson(ctx.res, 200, { product });
    },
  },
  {
    method: 'GET',
    pattern: '/api/cart',
    kind: 'api',
    handle(ctx) {
      sendJson(ctx.res, 200, { cart: ctx.shop.store.cart(requireUser(ctx).id) });
    },
  },
  {
    method: 'POST',
    pattern: '/api/cart',
    kind: 'api',
    async handle(ctx) {
      const user = requireUser(ctx);
      const v = new BodyValidator(await readJsonObject(ctx.req));
      const productId = v.string('productId', { max: 40, pattern: PRODUCT_ID });
      const quantity = v.int('quantity', { min: 1, max: 10, optional: true, fallback: 1 });
      v.done();
      sendJson(ctx.res, 200, { cart: ctx.shop.store.addToCart(user.id, productId, quantity) });
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/cart/items/:productId',
    kind: 'api',
    async handle(ctx) {
      const user = requireUser(ctx);
      const v = new BodyValidator(await readJsonObject(ctx.req));
      const quantity = v.int('quantity', { min: 1, max: 10 });
      v.done();
      sendJson(ctx.res, 200, { cart: ctx.shop.store.setCartQuantity(user.id, ctx.params.productId!, quantity) });
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/cart/items/:productId',
    kind: 'api',
    handle(ctx) {
      const user = requireUser(ctx);
      sendJson(ctx.res, 200, { cart: ctx.shop.store.removeFromCart(user.id, ctx.params.productId!) });
    },
  },
  {
    method: 'POST',
    pattern: '/api/orders',
    kind: 'api',
    async handle(ctx) {
      const user = requireUser(ctx);
      const v = new BodyValidator(await readJsonObject(ctx.req));
      const rawCard = v.string('cardNumber', { max: 30 });
      const cardNumber = rawCard.replace(/[\s-]/g, '');
      if (rawCard && !isValidCardNumber(cardNumber)) {
        v.issues.push({ field: 'cardNumber', message: 'must be a valid card number (12 to 19 digits passing the Luhn check)' });
      }
      const cardCountry = v.string('cardCountry', { pattern: COUNTRY, patternMessage: 'must be a two-letter ISO 3166-1 country code' }).toUpperCase();
      const hasAddress = v.object('shippingAddress');
      const shippingAddress = hasAddress ? readAddress(v, 'shippingAddress') : undefined;
      const deviceId = v.string('deviceId', { max: 100, pattern: DEVICE, patternMessage: 'may contain letters, digits and . _ : -' });
      v.done();
      const order = ctx.shop.store.placeOrder(user, { cardNumber, cardCountry, shippingAddress: shippingAddress!, deviceId });
      ctx.shop.metrics.observeDecision(order.fds.decision);
      sendJson(ctx.res, 201, { order }, { location: `/api/orders/${order.id}` });
    },
  },
  {
    method: 'GET',
    pattern: '/api/orders',
    kind: 'api',
    handle(ctx) {
      const user = requireUser(ctx);
      sendJson(ctx.res, 200, { orders: ctx.shop.store.ordersOf(user.id) });
    },
  },
  {
    method: 'GET',
    pattern: '/api/orders/:id',
    kind: 'api',
    handle(ctx) {
      const user = requireUser(ctx);
      const order = ctx.shop.store.getOrder(ctx.params.id!);
      if (!order) throw new ShopError(404, 'order_not_found', `No order with id ${ctx.params.id}`);
      if (order.userId !== user.id) throw new ShopError(403, 'forbidden', 'This order belongs to another account');
      sendJson(ctx.res, 200, { order });
    },
  },
  {
    method: 'POST',
    pattern: '/api/fds/score',
    kind: 'api',
    async handle(ctx) {
      const user = optionalUser(ctx);
      const body = await readJsonObject(ctx.req);
      const v = new BodyValidator(body);
      const amount = v.int('amount', { min: 0, max: 1_000_000_000_000 });
      const cardCountry = v.string('cardCountry', { pattern: COUNTRY, patternMessage: 'must be a two-letter ISO 3166-1 country code' }).toUpperCase();
      const shippingCountry = v.string('shippingCountry', { pattern: COUNTRY, patternMessage: 'must be a two-letter ISO 3166-1 country code' }).toUpperCase();
      const newDevice = v.bool('newDevice');
      const newAddress = v.bool('newAddress');
      const recentOrders = v.has('recentOrders') ? v.int('recentOrders', { min: 0, max: 100_000 }) : undefined;
      const deviceId = v.string('deviceId', { optional: true, max: 100, pattern: DEVICE, patternMessage: 'may contain letters, digits and . _ : -' });
      const shippingAddress = v.has('shippingAddress') && v.object('shippingAddress') ? readAddress(v, 'shippingAddress') : undefined;
      v.done();
      // Explicit signals win; otherwise they come from the signed-in user's history (none without a token).
      const derived = user
        ? ctx.shop.store.signalsFor(user, deviceId || undefined, shippingAddress)
        : { newDevice: false, newAddress: false, recentOrders: 0 };
      const assessment = assessRisk({
        amount,
        cardCountry,
        shippingCountry,
        newDevice: newDevice ?? derived.newDevice,
        newAddress: newAddress ?? derived.newAddress,
        recentOrders: recentOrders ?? derived.recentOrders,
      });
      ctx.shop.metrics.observeDecision(assessment.decision);
      sendJson(ctx.res, 200, { ...assessment, thresholds: { review: REVIEW_THRESHOLD, block: BLOCK_THRESHOLD } });
    },
  },
];

export const adminRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: '/__admin/faults',
    kind: 'admin',
    handle(ctx) {
      sendJson(ctx.res, 200, { faults: ctx.shop.faults });
    },
  },
  {
    method: 'POST',
    pattern: '/__admin/faults',
    kind: 'admin',
    async handle(ctx) {
      const parsed = parseFaultConfig(await readJsonObject(ctx.req));
      if (!parsed.ok) throw new ShopError(422, 'validation_failed', 'Invalid fault configuration', parsed.issues);
      ctx.shop.setFaults(parsed.faults);
      sendJson(ctx.res, 200, { faults: ctx.shop.faults });
    },
  },
  {
    method: 'DELETE',
    pattern: '/__admin/faults',
    kind: 'admin',
    handle(ctx) {
      ctx.shop.setFaults({ routes: {} });
      sendJson(ctx.res, 200, { faults: ctx.shop.faults });
    },
  },
  {
    method: 'POST',
    pattern: '/__admin/reset',
    kind: 'admin',
    handle(ctx) {
      ctx.shop.reset();
      sendJson(ctx.res, 200, { status: 'reset', faults: ctx.shop.faults });
    },
  },
];
