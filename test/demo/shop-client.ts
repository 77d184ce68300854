import { randomUUID } from 'node:crypto';

/** A parsed answer from the demo shop. */
export interface ShopResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  readonly token?: string;
  /** JSON-encoded unless `raw` is given. */
  readonly body?: unknown;
  /** Sent as is (for malformed JSON). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
}

export async function call<T = any>(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<ShopResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (res.headers.get('content-type')?.includes('application/json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export interface Shopper {
  readonly token: string;
  readonly email: string;
  readonly deviceId: string;
  readonly userId: string;
}

export async function signUp(baseUrl: string, name = 'Test Shopper'): Promise<Shopper> {
  const unique = randomUUID().slice(0, 8);
  const email = `t-${unique}@shopfds.test`;
  const deviceId = `device-${unique}`;
  const res = await call(baseUrl, 'POST', '/api/auth/signup', { body: { email, password: 'password-123', name, deviceId } });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  return { token: res.body.token, email, deviceId, userId: res.body.user.id };
}

export const KR_ADDRESS = { recipient: 'Kim Tester', line1: '100 Sejong-daero', city: 'Seoul', postalCode: '04524', country: 'KR' };

export function orderBody(shopper: Shopper, overrides: Record<string, unknown> = {}) {
  return { cardNumber: '4242 4242 4242 4242', cardCountry: 'KR', shippingAddress: KR_ADDRESS, deviceId: shopper.deviceId, ...overrides };
}

/** Fills the cart with the given products and checks out. */
export async function buy(baseUrl: string, shopper: Shopper, productIds: readonly string[], overrides: Record<string, unknown> = {}) {
  for (const productId of productIds) {
    const add = await call(baseUrl, 'POST', '/api/cart', { token: shopper.token, body: { productId } });
    if (add.status !== 200) throw new Error(`add to cart failed: ${add.status} ${add.text}`);
  }
  return call(baseUrl, 'POST', '/api/orders', { token: shopper.token, body: orderBody(shopper, overrides) });
}

/** Asserts the shared error shape and returns the error. */
export function errorOf(res: ShopResponse): { code: string; message: string; details?: { field: string; message: string }[] } {
  if (!res.body || typeof res.body.error !== 'object') throw new Error(`expected an error body, got ${res.status} ${res.text}`);
  const { code, message } = res.body.error;
  if (typeof code !== 'string' || typeof message !== 'string' || message === '') {
    throw new Error(`error body lacks code/message: ${res.text}`);
  }
  return res.body.error;
}
