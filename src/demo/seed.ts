import type { Product, ShippingAddress } from './types.js';

/**
 * Catalog every shop starts with (and returns to on `POST /__admin/reset`). Prices in KRW. The
 * cheap items the load scripts buy have deep stock so long k6 runs never hit `insufficient_stock`.
 */
export const SEED_PRODUCTS: readonly Product[] = [
  { id: 'p-001', name: 'Everyday Cotton T-Shirt', description: 'Soft organic cotton tee in charcoal.', price: 19_000, category: 'apparel', stock: 100_000 },
  { id: 'p-002', name: 'Canvas Tote Bag', description: 'Heavy canvas tote with an inner pocket.', price: 25_000, category: 'accessories', stock: 100_000 },
  { id: 'p-003', name: 'Ceramic Pour-Over Set', description: 'Dripper, server and two cups.', price: 48_000, category: 'kitchen', stock: 300 },
  { id: 'p-004', name: 'Wireless Earbuds', description: 'Bluetooth 5.3 earbuds with a charging case.', price: 129_000, category: 'electronics', stock: 300 },
  { id: 'p-005', name: 'Mechanical Keyboard', description: 'Tenkeyless keyboard with hot-swap switches.', price: 189_000, category: 'electronics', stock: 200 },
  { id: 'p-006', name: 'Noise-Cancelling Headphones', description: 'Over-ear headphones with 30 h battery.', price: 359_000, category: 'electronics', stock: 200 },
  { id: 'p-007', name: '27-inch 4K Monitor', description: 'IPS panel, USB-C with 90 W charging.', price: 649_000, category: 'electronics', stock: 1000 },
  { id: 'p-008', name: 'Ultralight Laptop', description: '14-inch, 1.1 kg, 32 GB memory.', price: 1_890_000, category: 'electronics', stock: 1000 },
];

/** The account that exists from the start, so login suites work without signing up. */
export const DEMO_USER = {
  id: 'u-0001',
  email: 'demo@shopfds.test',
  password: 'demo-password-1',
  name: 'Demo Shopper',
  /** Devices the demo user already used; orders from them do not score `new_device`. */
  knownDevices: ['demo-device-1'],
  /** Address the demo user already shipped to; orders to it do not score `new_shipping_address`. */
  knownAddresses: [
    { recipient: 'Demo Shopper', line1: '1 Teheran-ro', city: 'Seoul', postalCode: '06164', country: 'KR' },
  ] as readonly ShippingAddress[],
} as const;

/** Countries offered by the checkout page (ISO 3166-1 alpha-2). The API accepts any two letters. */
export const COUNTRIES: readonly (readonly [code: string, name: string])[] = [
  ['KR', 'South Korea'],
  ['US', 'United States'],
  ['JP', 'Japan'],
  ['CN', 'China'],
  ['GB', 'United Kingdom'],
  ['DE', 'Germany'],
  ['SG', 'Singapore'],
  ['NG', 'Nigeria'],
];
