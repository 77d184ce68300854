import { parseCookies, redirect, sendText } from './http.js';
import { formatKrw, html, layout, raw } from './html.js';
import type { RequestContext, Route } from './routing.js';
import { COUNTRIES } from './seed.js';
import type { User } from './store.js';
import type { Order } from './types.js';

/*
 * Server-rendered pages. Each page carries stable `data-testid`s (listed in src/demo/README.md)
 * so browser suites never depend on text or layout. Forms post to the JSON API from a small inline
 * script and show API errors in a `data-testid="error"` element.
 */

function sessionUser(ctx: RequestContext): User | undefined {
  const token = parseCookies(ctx.req.headers.cookie).shopfds_token;
  return token ? ctx.shop.store.userForToken(token) : undefined;
}

function render(ctx: RequestContext, status: number, page: Omit<Parameters<typeof layout>[0], 'user' | 'cartCount'>): void {
  const user = sessionUser(ctx);
  const cartCount = user ? ctx.shop.store.cart(user.id).itemCount : 0;
  sendText(ctx.res, status, layout({ ...page, user, cartCount }), 'text/html; charset=utf-8');
}

/** Pages behind login send the browser to /login?next=... when there is no valid session cookie. */
function requirePageUser(ctx: RequestContext): User | undefined {
  const user = sessionUser(ctx);
  if (!user) redirect(ctx.res, `/login?next=${encodeURIComponent(ctx.url.pathname)}`);
  return user;
}

export function renderNotFound(ctx: RequestContext): void {
  render(ctx, 404, {
    title: 'Not found',
    testId: 'page-not-found',
    body: html`<h1>Page not found</h1><p data-testid="not-found">Nothing lives at ${ctx.url.pathname}.</p><p><a href="/">Back to the catalog</a></p>`,
  });
}

const DECISION_TEXT = { approve: 'Approved', review: 'Held for review', block: 'Blocked by FDS' } as const;
const DECISION_MESSAGE = {
  approve: 'Payment approved. Your order is on its way.',
  review: 'Your order is held for a manual fraud review. We will email you within 24 hours.',
  block: 'The fraud detection system blocked this payment. Your card was not charged and your cart was kept.',
} as const;

function countryOptions(selected: string) {
  return COUNTRIES.map(([code, name]) => html`<option value="${code}"${raw(code === selected ? ' selected' : '')}>${name} (${code})</option>`);
}

const ADD_TO_CART_SCRIPT = `
document.querySelectorAll('[data-add-to-cart]').forEach((button) => {
  button.addEventListener('click', async () => {
    const msg = document.querySelector('[data-testid="cart-message"]');
    const err = document.querySelector('[data-testid="error"]');
    err.hidden = true;
    if (!SHOP.token()) return SHOP.requireLogin();
    const qtyInput = document.querySelector('[data-testid="quantity-input"]');
    const quantity = qtyInput ? Number(qtyInput.value) : 1;
    button.disabled = true;
    const r = await SHOP.api('POST', '/api/cart', { productId: button.getAttribute('data-add-to-cart'), quantity });
    button.disabled = false;
    if (r.status === 401) return SHOP.requireLogin();
    if (!r.ok) return SHOP.showError(err, r);
    SHOP.setCartCount(r.data.cart.itemCount);
    msg.textContent = 'Added ' + button.getAttribute('data-product-name') + ' to the cart.';
    msg.hidden = false;
  });
});
`;

function orderDecisionBlock(order: Order) {
  const d = order.fds.decision;
  return html`<section class="card">
    <p>Decision: <strong class="decision-${d}" data-testid="order-decision" data-decision="${d}">${DECISION_TEXT[d]}</strong></p>
    <p data-testid="order-message">${DECISION_MESSAGE[d]}</p>
    <p>Order status: <span data-testid="order-status">${order.status}</span></p>
    <p>Risk score: <span data-testid="risk-score">${order.fds.score}</span> / 100</p>
    <ul data-testid="risk-reasons">
      ${order.fds.reasons.length === 0
        ? html`<li data-testid="risk-reason-none">No risk signals</li>`
        : order.fds.reasons.map((r) => html`<li data-testid="risk-reason" data-code="${r.code}">${r.message} (+${r.points})</li>`)}
    </ul>
  </section>`;
}

export const pageRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: '/',
    kind: 'page',
    handle(ctx) {
      const products = ctx.shop.store.listProducts();
      render(ctx, 200, {
        title: 'Catalog',
        testId: 'page-catalog',
        body: html`<h1>Catalog</h1>
          <p class="error" role="alert" data-testid="error" hidden></p>
          <p class="notice" role="status" data-testid="cart-message" hidden></p>
          <ul class="grid" data-testid="product-list">
            ${products.map(
              (p) => html`<li class="card" data-testid="product-card" data-product-id="${p.id}">
                <h2><a href="/products/${p.id}" data-testid="product-link-${p.id}"><span data-testid="product-name">${p.name}</span></a></h2>
                <p data-testid="product-price">${formatKrw(p.price)}</p>
                <button type="button" data-testid="add-to-cart-${p.id}" data-add-to-cart="${p.id}" data-product-name="${p.name}">Add to cart</button>
              </li>`,
            )}
          </ul>`,
        script: ADD_TO_CART_SCRIPT,
      });
    },
  },
  {
    method: 'GET',
    pattern: '/products/:id',
    kind: 'page',
    handle(ctx) {
      const p = ctx.shop.store.getProduct(ctx.params.id!);
      if (!p) return renderNotFound(ctx);
      render(ctx, 200, {
        title: p.name,
        testId: 'page-product',
        body: html`<article class="card" data-testid="product-detail" data-product-id="${p.id}">
            <h1 data-testid="product-name">${p.name}</h1>
            <p data-testid="product-description">${p.description}</p>
            <p>Price: <strong data-testid="product-price">${formatKrw(p.price)}</strong></p>
            <p>In stock: <span data-testid="product-stock">${p.stock}</span></p>
            <label>Quantity <input type="number" min="1" max="10" value="1" name="quantity" data-testid="quantity-input"></label>
            <p><button type="button" data-testid="add-to-cart" data-add-to-cart="${p.id}" data-product-name="${p.name}">Add to cart</button></p>
            <p class="error" role="alert" data-testid="error" hidden></p>
            <p class="notice" role="status" data-testid="cart-message" hidden></p>
          </article>
          <p><a href="/" data-testid="back-to-catalog">Back to the catalog</a> · <a href="/cart" data-testid="go-to-cart">Go to cart</a></p>`,
        script: ADD_TO_CART_SCRIPT,
      });
    },
  },
  {
    method: 'GET',
    pattern: '/signup',
    kind: 'page',
    handle(ctx) {
      render(ctx, 200, {
        title: 'Sign up',
        testId: 'page-signup',
        body: html`<h1>Create your account</h1>
          <form data-testid="signup-form" novalidate>
            <label for="signup-name">Name <input id="signup-name" name="name" autocomplete="name" data-testid="signup-name"></label>
            <label for="signup-email">Email <input id="signup-email" name="email" type="email" autocomplete="email" data-testid="signup-email"></label>
            <label for="signup-password">Password (at least 8 characters) <input id="signup-password" name="password" type="password" autocomplete="new-password" data-testid="signup-password"></label>
            <p class="error" role="alert" data-testid="error" hidden></p>
            <button type="submit" data-testid="signup-submit">Create account</button>
          </form>
          <p>Already have an account? <a href="/login" data-testid="login-link">Log in</a></p>`,
        script: `
const form = document.querySelector('[data-testid="signup-form"]');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const err = document.querySelector('[data-testid="error"]');
  err.hidden = true;
  const body = { name: SHOP.value('signup-name'), email: SHOP.value('signup-email'), password: SHOP.value('signup-password'), deviceId: SHOP.deviceId() };
  const r = await SHOP.api('POST', '/api/auth/signup', body);
  if (!r.ok) return SHOP.showError(err, r);
  SHOP.setToken(r.data.token);
  location.href = '/';
});`,
      });
    },
  },
  {
    method: 'GET',
    pattern: '/login',
    kind: 'page',
    handle(ctx) {
      render(ctx, 200, {
        title: 'Log in',
        testId: 'page-login',
        body: html`<h1>Log in</h1>
          <form data-testid="login-form" novalidate>
            <label for="login-email">Email <input id="login-email" name="email" type="email" autocomplete="email" data-testid="login-email"></label>
            <label for="login-password">Password <input id="login-password" name="password" type="password" autocomplete="current-password" data-testid="login-password"></label>
            <p class="error" role="alert" data-testid="error" hidden></p>
            <button type="submit" data-testid="login-submit">Log in</button>
          </form>
          <p>New here? <a href="/signup" data-testid="signup-link">Create an account</a></p>`,
        script: `
const form = document.querySelector('[data-testid="login-form"]');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const err = document.querySelector('[data-testid="error"]');
  err.hidden = true;
  const r = await SHOP.api('POST', '/api/auth/login', { email: SHOP.value('login-email'), password: SHOP.value('login-password'), deviceId: SHOP.deviceId() });
  if (!r.ok) return SHOP.showError(err, r);
  SHOP.setToken(r.data.token);
  const next = new URLSearchParams(location.search).get('next');
  location.href = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
});`,
      });
    },
  },
  {
    method: 'GET',
    pattern: '/cart',
    kind: 'page',
    handle(ctx) {
      const user = requirePageUser(ctx);
      if (!user) return;
      const cart = ctx.shop.store.cart(user.id);
      render(ctx, 200, {
        title: 'Cart',
        testId: 'page-cart',
        body: html`<h1>Your cart</h1>
          <p data-testid="cart-empty"${raw(cart.items.length ? ' hidden' : '')}>Your cart is empty. <a href="/">Browse the catalog</a>.</p>
          <table data-testid="cart-items"${raw(cart.items.length ? '' : ' hidden')}>
            <thead><tr><th>Product</th><th>Unit price</th><th>Quantity</th><th>Subtotal</th><th></th></tr></thead>
            <tbody>
            ${cart.items.map(
              (l) => html`<tr data-testid="cart-item" data-product-id="${l.productId}">
                <td data-testid="cart-item-name">${l.name}</td>
                <td>${formatKrw(l.unitPrice)}</td>
                <td><label>Quantity of ${l.name}
                  <input type="number" min="1" max="10" value="${l.quantity}" data-testid="cart-item-quantity-${l.productId}"></label>
                  <button type="button" class="secondary" data-testid="cart-item-update-${l.productId}" data-update="${l.productId}">Update</button></td>
                <td data-testid="cart-item-subtotal-${l.productId}">${formatKrw(l.subtotal)}</td>
                <td><button type="button" class="secondary" data-testid="cart-item-remove-${l.productId}" data-remove="${l.productId}">Remove</button></td>
              </tr>`,
            )}
            </tbody>
          </table>
          <p>Total: <strong data-testid="cart-total">${formatKrw(cart.total)}</strong></p>
          <p class="error" role="alert" data-testid="error" hidden></p>
          <p class="notice" role="status" data-testid="cart-status" hidden></p>
          <p${raw(cart.items.length ? '' : ' hidden')} data-testid="checkout-section"><a href="/checkout" data-testid="checkout-link">Proceed to checkout</a></p>`,
        // Rows are updated in place from the API answer (no reload), so the next browser step never races a navigation.
        script: `
function applyCart(cart, message) {
  SHOP.setCartCount(cart.itemCount);
  document.querySelector('[data-testid="cart-total"]').textContent = SHOP.formatKrw(cart.total);
  document.querySelectorAll('[data-testid="cart-item"]').forEach((row) => {
    const id = row.getAttribute('data-product-id');
    const line = cart.items.find((l) => l.productId === id);
    if (!line) { row.remove(); return; }
    row.querySelector('[data-testid="cart-item-subtotal-' + id + '"]').textContent = SHOP.formatKrw(line.subtotal);
    row.querySelector('[data-testid="cart-item-quantity-' + id + '"]').value = String(line.quantity);
  });
  const empty = cart.items.length === 0;
  document.querySelector('[data-testid="cart-empty"]').hidden = !empty;
  document.querySelector('[data-testid="cart-items"]').hidden = empty;
  document.querySelector('[data-testid="checkout-section"]').hidden = empty;
  const status = document.querySelector('[data-testid="cart-status"]');
  status.textContent = message;
  status.hidden = false;
}
async function cartAction(method, id, body, message) {
  const err = document.querySelector('[data-testid="error"]');
  err.hidden = true;
  const r = await SHOP.api(method, '/api/cart/items/' + encodeURIComponent(id), body);
  if (r.status === 401) return SHOP.requireLogin();
  if (!r.ok) return SHOP.showError(err, r);
  applyCart(r.data.cart, message);
}
document.querySelectorAll('[data-update]').forEach((b) => b.addEventListener('click', () => {
  const id = b.getAttribute('data-update');
  const input = document.querySelector('[data-testid="cart-item-quantity-' + id + '"]');
  cartAction('PATCH', id, { quantity: Number(input.value) }, 'Quantity updated.');
}));
document.querySelectorAll('[data-remove]').forEach((b) => b.addEventListener('click', () => {
  cartAction('DELETE', b.getAttribute('data-remove'), undefined, 'Item removed.');
}));`,
      });
    },
  },
  {
    method: 'GET',
    pattern: '/checkout',
    kind: 'page',
    handle(ctx) {
      const user = requirePageUser(ctx);
      if (!user) return;
      const cart = ctx.shop.store.cart(user.id);
      render(ctx, 200, {
        title: 'Checkout',
        testId: 'page-checkout',
        body: html`<h1>Checkout</h1>
          <section class="card" data-testid="checkout-summary">
            <p>${cart.itemCount} item(s). Total: <strong data-testid="checkout-total">${formatKrw(cart.total)}</strong></p>
            ${cart.items.length === 0 ? html`<p data-testid="cart-empty">Your cart is empty. <a href="/">Browse the catalog</a>.</p>` : ''}
          </section>
          <form data-testid="checkout-form" novalidate>
            <fieldset><legend>Payment</legend>
              <label for="card-number">Card number <input id="card-number" name="cardNumber" inputmode="numeric" autocomplete="cc-number" data-testid="card-number"></label>
              <label for="card-country">Card issuing country <select id="card-country" name="cardCountry" data-testid="card-country">${countryOptions('KR')}</select></label>
            </fieldset>
            <fieldset><legend>Shipping address</legend>
              <label for="shipping-recipient">Recipient <input id="shipping-recipient" name="recipient" value="${user.name}" data-testid="shipping-recipient"></label>
              <label for="shipping-line1">Street address <input id="shipping-line1" name="line1" data-testid="shipping-line1"></label>
              <label for="shipping-city">City <input id="shipping-city" name="city" data-testid="shipping-city"></label>
              <label for="shipping-postal-code">Postal code <input id="shipping-postal-code" name="postalCode" data-testid="shipping-postal-code"></label>
              <label for="shipping-country">Country <select id="shipping-country" name="shippingCountry" data-testid="shipping-country">${countryOptions('KR')}</select></label>
            </fieldset>
            <fieldset><legend>Device</legend>
              <label for="device-id">Device ID <input id="device-id" name="deviceId" data-testid="device-id"></label>
            </fieldset>
            <p class="error" role="alert" data-testid="error" hidden></p>
            <button type="submit" data-testid="place-order">Place order</button>
          </form>`,
        script: `
const form = document.querySelector('[data-testid="checkout-form"]');
document.querySelector('[data-testid="device-id"]').value = SHOP.deviceId();
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const err = document.querySelector('[data-testid="error"]');
  err.hidden = true;
  const body = {
    cardNumber: SHOP.value('card-number'),
    cardCountry: SHOP.value('card-country'),
    shippingAddress: {
      recipient: SHOP.value('shipping-recipient'),
      line1: SHOP.value('shipping-line1'),
      city: SHOP.value('shipping-city'),
      postalCode: SHOP.value('shipping-postal-code'),
      country: SHOP.value('shipping-country'),
    },
    deviceId: SHOP.value('device-id'),
  };
  const submit = document.querySelector('[data-testid="place-order"]');
  submit.disabled = true;
  const r = await SHOP.api('POST', '/api/orders', body);
  submit.disabled = false;
  if (r.status === 401) return SHOP.requireLogin();
  if (!r.ok) return SHOP.showError(err, r);
  location.href = '/orders/' + encodeURIComponent(r.data.order.id);
});`,
      });
    },
  },
  {
    method: 'GET',
    pattern: '/orders',
    kind: 'page',
    handle(ctx) {
      const user = requirePageUser(ctx);
      if (!user) return;
      const orders = ctx.shop.store.ordersOf(user.id);
      render(ctx, 200, {
        title: 'Order history',
        testId: 'page-orders',
        body: html`<h1>Order history</h1>
          ${orders.length === 0
            ? html`<p data-testid="orders-empty">You have not placed any orders yet.</p>`
            : html`<table data-testid="order-list">
                <thead><tr><th>Order</th><th>Placed</th><th>Total</th><th>Decision</th></tr></thead>
                <tbody>
                ${orders.map(
                  (o) => html`<tr data-testid="order-row" data-order-id="${o.id}">
                    <td><a href="/orders/${o.id}" data-testid="order-link-${o.id}">${o.id}</a></td>
                    <td>${o.createdAt}</td>
                    <td>${formatKrw(o.total)}</td>
                    <td data-testid="order-row-decision" data-decision="${o.fds.decision}">${DECISION_TEXT[o.fds.decision]}</td>
                  </tr>`,
                )}
                </tbody>
              </table>`}`,
      });
    },
  },
  {
    method: 'GET',
    pattern: '/orders/:id',
    kind: 'page',
    handle(ctx) {
      const user = requirePageUser(ctx);
      if (!user) return;
      const order = ctx.shop.store.getOrder(ctx.params.id!);
      if (!order || order.userId !== user.id) return renderNotFound(ctx);
      render(ctx, 200, {
        title: `Order ${order.id}`,
        testId: 'page-order',
        body: html`<h1>Order <span data-testid="order-id">${order.id}</span></h1>
          ${orderDecisionBlock(order)}
          <table data-testid="order-items">
            <thead><tr><th>Product</th><th>Quantity</th><th>Subtotal</th></tr></thead>
            <tbody>${order.items.map((l) => html`<tr data-testid="order-item"><td>${l.name}</td><td>${l.quantity}</td><td>${formatKrw(l.subtotal)}</td></tr>`)}</tbody>
          </table>
          <p>Total: <strong data-testid="order-total">${formatKrw(order.total)}</strong> · Card ending ${order.card.last4} (${order.card.country})</p>
          <p><a href="/orders" data-testid="order-history-link">All orders</a> · <a href="/" data-testid="continue-shopping">Continue shopping</a></p>`,
      });
    },
  },
];
