import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { assessRisk, VELOCITY_WINDOW_MS } from './fds.js';
import { DEMO_USER, SEED_PRODUCTS } from './seed.js';
import type { FdsAssessment, Order, OrderLine, Product, ShippingAddress } from './types.js';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly devices: Set<string>;
  readonly addresses: Set<string>;
  readonly createdAt: string;
}

export interface CartView {
  readonly items: readonly OrderLine[];
  readonly itemCount: number;
  readonly total: number;
  readonly currency: 'KRW';
}

/** Thrown by store operations; the HTTP layer maps it to `{ error: { code, message } }`. */
export class ShopError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: readonly { field: string; message: string }[],
  ) {
    super(message);
    this.name = 'ShopError';
  }
}

/** Small scrypt cost: the demo must stay fast under load tests; this is not a production setting. */
const SCRYPT_PARAMS = { N: 1024, r: 8, p: 1 } as const;

function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, SCRYPT_PARAMS);
  return `${salt.toString('hex')}:${key.toString('hex')}`;
}

function verifyPassword(password: string, stored: string): boolean {
  const [saltHex, keyHex] = stored.split(':') as [string, string];
  const expected = Buffer.from(keyHex, 'hex');
  const actual = scryptSync(password, Buffer.from(saltHex, 'hex'), expected.length, SCRYPT_PARAMS);
  return timingSafeEqual(expected, actual);
}

export function addressKey(a: ShippingAddress): string {
  const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
  return [a.line1, a.city, a.postalCode, a.country].map(norm).join('|');
}

/** Everything the shop remembers; rebuilt from the seed by {@link ShopStore.reset}. */
export class ShopStore {
  private products = new Map<string, Product>();
  private users = new Map<string, User>();
  private usersByEmail = new Map<string, User>();
  private sessions = new Map<string, string>();
  private carts = new Map<string, Map<string, number>>();
  private orders: Order[] = [];
  private nextUser = 1;
  private nextOrder = 1;
  /** Hash of the demo password, computed once: reset must stay cheap. */
  private readonly demoHash = hashPassword(DEMO_USER.password);

  constructor(private readonly now: () => number = Date.now) {
    this.reset();
  }

  reset(): void {
    this.products = new Map(SEED_PRODUCTS.map((p) => [p.id, { ...p }]));
    this.users = new Map();
    this.usersByEmail = new Map();
    this.sessions = new Map();
    this.carts = new Map();
    this.orders = [];
    this.nextUser = 2;
    this.nextOrder = 1;
    const demo: User = {
      id: DEMO_USER.id,
      email: DEMO_USER.email,
      name: DEMO_USER.name,
      passwordHash: this.demoHash,
      devices: new Set(DEMO_USER.knownDevices),
      addresses: new Set(DEMO_USER.knownAddresses.map(addressKey)),
      createdAt: '2025-01-01T00:00:00.000Z',
    };
    this.users.set(demo.id, demo);
    this.usersByEmail.set(demo.email, demo);
  }

  listProducts(): readonly Product[] {
    return [...this.products.values()];
  }

  getProduct(id: string): Product | undefined {
    return this.products.get(id);
  }

  signup(input: { email: string; password: string; name: string; deviceId?: string }): { user: User; token: string } {
    const email = input.email.trim().toLowerCase();
    if (this.usersByEmail.has(email)) throw new ShopError(409, 'email_taken', `An account with ${email} already exists`);
    const user: User = {
      id: `u-${String(this.nextUser++).padStart(4, '0')}`,
      email,
      name: input.name.trim(),
      passwordHash: hashPassword(input.password),
      devices: new Set(input.deviceId ? [input.deviceId] : []),
      addresses: new Set(),
      createdAt: new Date(this.now()).toISOString(),
    };
    this.users.set(user.id, user);
    this.usersByEmail.set(email, user);
    return { user, token: this.issueToken(user) };
  }

  login(input: { email: string; password: string; deviceId?: string }): { user: User; token: string } {
    const user = this.usersByEmail.get(input.email.trim().toLowerCase());
    if (!user || !verifyPassword(input.password, user.passwordHash)) {
      throw new ShopError(401, 'invalid_credentials', 'Invalid email or password.');
    }
    if (input.deviceId) user.devices.add(input.deviceId);
    return { user, token: this.issueToken(user) };
  }

  logout(token: string): void {
    this.sessions.delete(token);
  }

  private issueToken(user: User): string {
    const token = `sfd_${randomBytes(24).toString('base64url')}`;
    this.sessions.set(token, user.id);
    return token;
  }

  userForToken(token: string): User | undefined {
    const id = this.sessions.get(token);
    return id === undefined ? undefined : this.users.get(id);
  }

  cart(userId: string): CartView {
    const lines: OrderLine[] = [];
    for (const [productId, quantity] of this.carts.get(userId) ?? []) {
      const p = this.products.get(productId);
      if (!p) continue;
      lines.push({ productId, name: p.name, unitPrice: p.price, quantity, subtotal: p.price * quantity });
    }
    return {
      items: lines,
      itemCount: lines.reduce((n, l) => n + l.quantity, 0),
      total: lines.reduce((n, l) => n + l.subtotal, 0),
      currency: 'KRW',
    };
  }

  addToCart(userId: string, productId: string, quantity: number): CartView {
    const product = this.products.get(productId);
    if (!product) throw new ShopError(404, 'product_not_found', `No product with id ${productId}`);
    const cart = this.carts.get(userId) ?? new Map<string, number>();
    const next = (cart.get(productId) ?? 0) + quantity;
    if (next > 10) throw new ShopError(409, 'quantity_limit', `At most 10 of one product per order (cart would hold ${next})`);
    if (next > product.stock) throw new ShopError(409, 'insufficient_stock', `Only ${product.stock} of ${product.name} left`);
    cart.set(productId, next);
    this.carts.set(userId, cart);
    return this.cart(userId);
  }

  setCartQuantity(userId: string, productId: string, quantity: number): CartView {
    const cart = this.carts.get(userId);
    if (!cart?.has(productId)) throw new ShopError(404, 'cart_item_not_found', `Product ${productId} is not in the cart`);
    const product = this.products.get(productId)!;
    if (quantity > product.stock) throw new ShopError(409, 'insufficient_stock', `Only ${product.stock} of ${product.name} left`);
    cart.set(productId, quantity);
    return this.cart(userId);
  }

  removeFromCart(userId: string, productId: string): CartView {
    const cart = this.carts.get(userId);
    if (!cart?.has(productId)) throw new ShopError(404, 'cart_item_not_found', `Product ${productId} is not in the cart`);
    cart.delete(productId);
    return this.cart(userId);
  }

  /** Risk signals of a prospective order for this user, from the user's history. */
  signalsFor(user: User, deviceId: string | undefined, address: ShippingAddress | undefined) {
    const since = this.now() - VELOCITY_WINDOW_MS;
    return {
      newDevice: deviceId === undefined ? false : !user.devices.has(deviceId),
      newAddress: address === undefined ? false : !user.addresses.has(addressKey(address)),
      recentOrders: this.orders.filter((o) => o.userId === user.id && Date.parse(o.createdAt) >= since).length,
    };
  }

  /**
   * Checkout: scores the cart with the FDS and records the order. Approved and held orders take
   * stock and empty the cart; a blocked order keeps the cart so the shopper can try again.
   */
  placeOrder(
    user: User,
    input: { cardNumber: string; cardCountry: string; shippingAddress: ShippingAddress; deviceId: string },
  ): Order {
    const cart = this.cart(user.id);
    if (cart.items.length === 0) throw new ShopError(409, 'cart_empty', 'The cart is empty');
    for (const line of cart.items) {
      const p = this.products.get(line.productId)!;
      if (line.quantity > p.stock) throw new ShopError(409, 'insufficient_stock', `Only ${p.stock} of ${p.name} left`);
    }
    const signals = this.signalsFor(user, input.deviceId, input.shippingAddress);
    const fds: FdsAssessment = assessRisk({
      amount: cart.total,
      cardCountry: input.cardCountry,
      shippingCountry: input.shippingAddress.country,
      ...signals,
    });
    const status = fds.decision === 'approve' ? 'approved' : fds.decision === 'review' ? 'held' : 'blocked';
    const order: Order = {
      id: `o-${String(this.nextOrder++).padStart(6, '0')}`,
      userId: user.id,
      status,
      items: cart.items,
      total: cart.total,
      currency: 'KRW',
      card: { last4: input.cardNumber.slice(-4), country: input.cardCountry },
      shippingAddress: input.shippingAddress,
      deviceId: input.deviceId,
      fds,
      createdAt: new Date(this.now()).toISOString(),
    };
    this.orders.push(order);
    if (status !== 'blocked') {
      for (const line of cart.items) {
        const p = this.products.get(line.productId)!;
        this.products.set(p.id, { ...p, stock: p.stock - line.quantity });
      }
      this.carts.delete(user.id);
      user.devices.add(input.deviceId);
      user.addresses.add(addressKey(input.shippingAddress));
    }
    return order;
  }

  ordersOf(userId: string): readonly Order[] {
    return this.orders.filter((o) => o.userId === userId).reverse();
  }

  getOrder(id: string): Order | undefined {
    return this.orders.find((o) => o.id === id);
  }
}
