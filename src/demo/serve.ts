import { startShop } from './shop.js';
import type { FaultConfig, RunningShop } from './types.js';

/** Options of `shopfds-test demo serve`. */
export interface ServeDemoOptions {
  /** Port to listen on; 3000 by default (the port the example suites expect), 0 for a free one. */
  readonly port?: number;
  /** Interface to bind; 127.0.0.1 by default. */
  readonly host?: string;
  /** Faults active from the start; when absent, `SHOPFDS_DEMO_FAULTS` is read. */
  readonly faults?: FaultConfig;
  readonly seed?: number;
  /** Where the banner goes. */
  readonly stdout: NodeJS.WritableStream;
}

export const DEFAULT_DEMO_PORT = 3000;

/** Starts the demo shop for interactive use and prints where it listens and how to drive it. */
export async function serveDemo(opts: ServeDemoOptions): Promise<RunningShop> {
  const shop = await startShop({
    port: opts.port ?? DEFAULT_DEMO_PORT,
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.faults !== undefined ? { faults: opts.faults } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  opts.stdout.write(
    [
      `ShopFDS demo shop listening on ${shop.url}`,
      `  demo account: demo@shopfds.test / demo-password-1`,
      `  health: ${shop.url}/health   metrics: ${shop.url}/metrics`,
      `  faults: POST ${shop.url}/__admin/faults   reset: POST ${shop.url}/__admin/reset`,
      '',
    ].join('\n'),
  );
  return shop;
}
