import type { User } from './store.js';

export function escapeHtml(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function formatKrw(amount: number): string {
  return `${amount.toLocaleString('en-US')} KRW`;
}

/** Tagged template that escapes interpolations unless they are wrapped with {@link raw}. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += renderValue(value) + strings[i + 1]!;
  });
  return new RawHtml(out);
}

export class RawHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function raw(value: string): RawHtml {
  return new RawHtml(value);
}

function renderValue(value: unknown): string {
  if (value instanceof RawHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

const STYLE = `
  *{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d2433;background:#f6f7fb}
  nav{display:flex;gap:1rem;align-items:center;padding:.75rem 1.5rem;background:#1d2433;color:#fff}
  nav a,nav button{color:#fff;text-decoration:none;background:none;border:0;font:inherit;cursor:pointer}
  nav .spacer{flex:1}.badge{display:inline-block;min-width:1.4em;padding:0 .4em;border-radius:1em;background:#e8474c;color:#fff;text-align:center;font-size:.85em}
  main{max-width:960px;margin:1.5rem auto;padding:0 1.5rem}h1{font-size:1.6rem}
  .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:1rem;list-style:none;padding:0}
  .card{background:#fff;border-radius:8px;padding:1rem;box-shadow:0 1px 3px #0002}
  form{display:grid;gap:.75rem;max-width:420px}label{display:grid;gap:.25rem;font-weight:600}
  input,select{font:inherit;padding:.45rem .6rem;border:1px solid #b8bfcc;border-radius:6px}
  button{font:inherit;padding:.5rem .9rem;border-radius:6px;border:0;background:#2d6cdf;color:#fff;cursor:pointer}
  button.secondary{background:#e4e7ee;color:#1d2433}table{width:100%;border-collapse:collapse;background:#fff}
  td,th{padding:.5rem;border-bottom:1px solid #e4e7ee;text-align:left}.error{color:#b3261e;font-weight:600}
  .notice{color:#1f7a3a}.decision-approve{color:#1f7a3a}.decision-review{color:#a15c00}.decision-block{color:#b3261e}
  fieldset{border:1px solid #d5dae3;border-radius:8px;display:grid;gap:.75rem}
`;

/**
 * Browser helpers shared by every page. The bearer token is kept in the `shopfds_token` cookie
 * (readable by scripts, SameSite=Lax) so the server can render the signed-in pages and the
 * scripts can send `Authorization: Bearer`. The device id lives in localStorage.
 */
const CLIENT = `
const SHOP = {
  token() {
    const m = document.cookie.match(/(?:^|; )shopfds_token=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : null;
  },
  setToken(t) { document.cookie = 'shopfds_token=' + encodeURIComponent(t) + '; path=/; SameSite=Lax'; },
  clearToken() { document.cookie = 'shopfds_token=; path=/; max-age=0; SameSite=Lax'; },
  deviceId() {
    let id = localStorage.getItem('shopfds.deviceId');
    if (!id) {
      id = 'dev-' + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
      localStorage.setItem('shopfds.deviceId', id);
    }
    return id;
  },
  async api(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const t = SHOP.token();
    if (t) headers.authorization = 'Bearer ' + t;
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      return { ok: false, status: 0, data: { error: { code: 'network_error', message: 'The shop could not be reached.' } } };
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    return { ok: res.ok, status: res.status, data };
  },
  showError(el, result) {
    const msg = result && result.data && result.data.error ? result.data.error.message : 'Request failed with status ' + (result ? result.status : '?');
    el.textContent = msg;
    el.hidden = false;
  },
  requireLogin() { location.href = '/login?next=' + encodeURIComponent(location.pathname); },
  setCartCount(n) {
    const b = document.querySelector('[data-testid="cart-count"]');
    if (b) { b.textContent = String(n); b.setAttribute('data-count', String(n)); }
  },
  value(testId) { return document.querySelector('[data-testid="' + testId + '"]').value; },
  formatKrw(n) { return n.toLocaleString('en-US') + ' KRW'; },
};
SHOP.deviceId();
const logout = document.querySelector('[data-testid="logout-button"]');
if (logout) logout.addEventListener('click', async () => {
  await SHOP.api('POST', '/api/auth/logout');
  SHOP.clearToken();
  location.href = '/';
});
`;

export interface LayoutOptions {
  readonly title: string;
  readonly testId: string;
  readonly user: User | undefined;
  readonly cartCount: number;
  readonly body: RawHtml;
  /** Page script, run after the shared helpers. */
  readonly script?: string;
}

export function layout(opts: LayoutOptions): string {
  const account = opts.user
    ? html`<span data-testid="nav-user">${opts.user.email}</span>
        <button type="button" data-testid="logout-button">Log out</button>`
    : html`<a href="/login" data-testid="nav-login">Log in</a><a href="/signup" data-testid="nav-signup">Sign up</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)} · ShopFDS</title>
<style>${STYLE}</style>
</head>
<body>
${html`<nav data-testid="nav">
  <a href="/" data-testid="nav-catalog"><strong>ShopFDS</strong></a>
  <a href="/" data-testid="nav-products">Products</a>
  <a href="/orders" data-testid="nav-orders">Orders</a>
  <span class="spacer"></span>
  <a href="/cart" data-testid="nav-cart">Cart <span class="badge" data-testid="cart-count" data-count="${opts.cartCount}">${opts.cartCount}</span></a>
  ${account}
</nav>
<main data-testid="${opts.testId}">
${opts.body}
</main>`}
<script>${CLIENT}</script>
${opts.script ? `<script>\n${opts.script}\n</script>` : ''}
</body>
</html>
`;
}
