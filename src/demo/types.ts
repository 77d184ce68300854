/**
 * Public types of the ShopFDS demo shop.
 *
 * The shop is the system under test that ships with the CLI: a small web shop with a fraud
 * detection system (FDS) in front of checkout, a JSON API, Prometheus metrics and a fault
 * injection switchboard for resilience experiments.
 */

/** A fault applied to the requests a route key matches. All fields are optional and combine. */
export interface RouteFault {
  /** Delay added before the route answers, in milliseconds (0..60000). */
  readonly latencyMs?: number;
  /** Share of requests (0..1) answered with `status` instead of the real response. */
  readonly errorRate?: number;
  /** Status code used for `errorRate` failures (400..599, default 500). */
  readonly status?: number;
  /** When true the route always answers 503, whatever `errorRate` says. */
  readonly down?: boolean;
}

/**
 * Fault injection settings. Keys of `routes` are `"METHOD /path/pattern"` (for example
 * `"POST /api/orders"` or `"GET /api/products/:id"`), a bare path pattern for every method,
 * or `"*"` for every route. `global` applies to every route before the route entries.
 * Admin routes (`/__admin/...`) are never faulted.
 */
export interface FaultConfig {
  readonly routes?: Readonly<Record<string, RouteFault>>;
  readonly global?: RouteFault;
}

/** Options for {@link startShop}. */
export interface ShopOptions {
  /** TCP port; 0 (the default) picks a free port. */
  readonly port?: number;
  /** Interface to bind; 127.0.0.1 by default. */
  readonly host?: string;
  /** Faults active from the start; when absent, `SHOPFDS_DEMO_FAULTS` (JSON) is read. */
  readonly faults?: FaultConfig;
  /** Seed of the random generator behind `errorRate`; the same seed gives the same failures. */
  readonly seed?: number;
}

/** A running shop. */
export interface RunningShop {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, closes open ones and resolves when the server is down. */
  close(): Promise<void>;
  /** Replaces the active faults (same effect as `POST /__admin/faults`). */
  setFaults(faults: FaultConfig): void;
}

/** FDS decision: approve (score < 40), review (40..69) or block (>= 70). */
export type FdsDecision = 'approve' | 'review' | 'block';

/** Order status that follows from the FDS decision. */
export type OrderStatus = 'approved' | 'held' | 'blocked';

/** One rule that added points to a risk score. */
export interface FdsReason {
  readonly code: string;
  readonly points: number;
  readonly message: string;
}

/** Signals the FDS scores. */
export interface FdsSignals {
  /** Order amount in KRW (whole won). */
  readonly amount: number;
  /** ISO 3166-1 alpha-2 country of the card issuer. */
  readonly cardCountry: string;
  /** ISO 3166-1 alpha-2 country of the shipping address. */
  readonly shippingCountry: string;
  /** The device id was never seen for this user. */
  readonly newDevice: boolean;
  /** The shipping address was never used by this user. */
  readonly newAddress: boolean;
  /** Orders this user placed in the velocity window before this one. */
  readonly recentOrders: number;
}

/** Result of scoring one order. */
export interface FdsAssessment {
  /** 0..100 */
  readonly score: number;
  readonly decision: FdsDecision;
  readonly reasons: readonly FdsReason[];
}

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Unit price in KRW. */
  readonly price: number;
  readonly category: string;
  readonly stock: number;
}

export interface ShippingAddress {
  readonly recipient: string;
  readonly line1: string;
  readonly city: string;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2 */
  readonly country: string;
}

export interface OrderLine {
  readonly productId: string;
  readonly name: string;
  readonly unitPrice: number;
  readonly quantity: number;
  readonly subtotal: number;
}

export interface Order {
  readonly id: string;
  readonly userId: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderLine[];
  readonly total: number;
  readonly currency: 'KRW';
  readonly card: { readonly last4: string; readonly country: string };
  readonly shippingAddress: ShippingAddress;
  readonly deviceId: string;
  readonly fds: FdsAssessment;
  readonly createdAt: string;
}
