import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop } from '../../src/demo/shop.js';
import type { RunningShop } from '../../src/demo/shop.js';
import { buy, signUp } from './shop-client.js';
import type { Shopper } from './shop-client.js';

let shop: RunningShop;
let shopper: Shopper;
let orderIds: { approve: string; review: string; block: string };

beforeAll(async () => {
  shop = await startShop({ faults: {} });
  shopper = await signUp(shop.url, 'Page <Tester>');
  const approve = await buy(shop.url, shopper, ['p-001']);
  const review = await buy(shop.url, shopper, ['p-007'], { cardCountry: 'US' });
  const block = await buy(shop.url, shopper, ['p-008'], { cardCountry: 'US', deviceId: 'unknown-device' });
  orderIds = { approve: approve.body.order.id, review: review.body.order.id, block: block.body.order.id };
});
afterAll(async () => {
  await shop.close();
});

async function page(path: string, signedIn = true) {
  const res = await fetch(shop.url + path, {
    headers: signedIn ? { cookie: `shopfds_token=${encodeURIComponent(shopper.token)}` } : {},
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

function testIds(html: string): Set<string> {
  return new Set([...html.matchAll(/data-testid="([^"]+)"/g)].map((m) => m[1]!));
}

const NAV = ['nav', 'nav-catalog', 'nav-products', 'nav-orders', 'nav-cart', 'cart-count'];

describe('pages', () => {
  it.each([
    ['/', 'Catalog', ['page-catalog', 'product-list', 'product-card', 'product-name', 'product-price', 'product-link-p-001', 'add-to-cart-p-008', 'error', 'cart-message']],
    ['/products/p-003', 'Ceramic Pour-Over Set', ['page-product', 'product-detail', 'product-name', 'product-description', 'product-price', 'quantity-input', 'add-to-cart', 'error', 'cart-message']],
    ['/signup', 'Sign up', ['page-signup', 'signup-form', 'signup-name', 'signup-email', 'signup-password', 'signup-submit', 'error']],
    ['/login', 'Log in', ['page-login', 'login-form', 'login-email', 'login-password', 'login-submit', 'error']],
    ['/cart', 'Cart', ['page-cart', 'cart-items', 'cart-item', 'cart-item-name', 'cart-item-quantity-p-008', 'cart-item-update-p-008', 'cart-item-remove-p-008', 'cart-item-subtotal-p-008', 'cart-total', 'cart-empty', 'checkout-link', 'error']],
    ['/checkout', 'Checkout', ['page-checkout', 'checkout-form', 'checkout-total', 'card-number', 'card-country', 'shipping-recipient', 'shipping-line1', 'shipping-city', 'shipping-postal-code', 'shipping-country', 'device-id', 'place-order', 'error']],
    ['/orders', 'Order history', ['page-orders', 'order-list', 'order-row', 'order-row-decision']],
  ])('GET %s renders with its data-testids', async (path, title, ids) => {
    const res = await page(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.html).toContain(`<title>${title} · ShopFDS</title>`);
    const found = testIds(res.html);
    for (const id of [...NAV, 'nav-user', 'logout-button', ...ids]) expect(found, id).toContain(id);
  });

  it.each([
    ['approve', 'Approved'],
    ['review', 'Held for review'],
    ['block', 'Blocked by FDS'],
  ] as const)('the order page shows the %s decision with its reasons', async (decision, text) => {
    const res = await page(`/orders/${orderIds[decision]}`);
    expect(res.status).toBe(200);
    expect(res.html).toContain(`data-testid="order-decision" data-decision="${decision}">${text}</strong>`);
    const found = testIds(res.html);
    for (const id of ['page-order', 'order-id', 'order-decision', 'order-status', 'order-message', 'risk-score', 'risk-reasons', 'risk-reason', 'order-items', 'order-total']) {
      expect(found, id).toContain(id);
    }
  });

  it('the order history links every order with its decision', async () => {
    const res = await page('/orders');
    for (const [decision, id] of Object.entries(orderIds)) {
      expect(res.html).toContain(`data-testid="order-link-${id}"`);
      expect(res.html).toContain(`data-decision="${decision}"`);
    }
  });

  it('the cart badge counts the items of the signed-in shopper', async () => {
    const res = await page('/');
    // the blocked laptop is still in the cart
    expect(res.html).toContain('data-testid="cart-count" data-count="1">1</span>');
    expect((await page('/', false)).html).toContain('data-testid="cart-count" data-count="0">0</span>');
  });

  it('guests see login and signup links instead of the account', async () => {
    const found = testIds((await page('/', false)).html);
    expect(found).toContain('nav-login');
    expect(found).toContain('nav-signup');
    expect(found).not.toContain('nav-user');
  });

  it.each(['/cart', '/checkout', '/orders', '/orders/o-000001'])('%s sends guests to the login page', async (path) => {
    const res = await page(path, false);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
  });

  it('a stale session cookie counts as a guest', async () => {
    const res = await fetch(`${shop.url}/cart`, { headers: { cookie: 'shopfds_token=sfd_expired' }, redirect: 'manual' });
    expect(res.status).toBe(302);
  });

  it('unknown pages, products and other shoppers\' orders are HTML 404s', async () => {
    const other = await signUp(shop.url);
    const foreign = await fetch(`${shop.url}/orders/${orderIds.approve}`, { headers: { cookie: `shopfds_token=${other.token}` } });
    expect(foreign.status).toBe(404);
    for (const path of ['/no-such-page', '/products/p-999']) {
      const res = await page(path);
      expect(res.status, path).toBe(404);
      expect(res.html).toContain('data-testid="not-found"');
    }
  });

  it('escapes user-provided text', async () => {
    const res = await page('/checkout');
    expect(res.html).toContain('value="Page &lt;Tester&gt;"');
    expect(res.html).not.toContain('Page <Tester>');
  });

  it('every form field has a label', async () => {
    for (const path of ['/signup', '/login', '/checkout']) {
      const { html } = await page(path);
      for (const m of html.matchAll(/<(input|select)[^>]*\bid="([^"]+)"/g)) {
        expect(html, `${path} #${m[2]}`).toContain(`<label for="${m[2]}">`);
      }
    }
  });

  it('the cart page shows an empty state', async () => {
    const fresh = await signUp(shop.url);
    const res = await fetch(`${shop.url}/cart`, { headers: { cookie: `shopfds_token=${fresh.token}` } });
    const html = await res.text();
    expect(html).toMatch(/<p data-testid="cart-empty">/);
    expect(html).toMatch(/<table data-testid="cart-items" hidden>/);
  });
});
