import { UsageError } from '../model/index.js';
import type { CommandContext } from './context.js';

export interface ResolvedTarget {
  readonly baseUrl: string;
  /** True when the bundled demo shop was started for this command. */
  readonly demo: boolean;
}

/**
 * The system under test: `--base-url` (or config `baseUrl`) when given, else the bundled ShopFDS demo
 * shop on a free loopback port, stopped when the command ends. `SHOPFDS_DEMO_FAULTS` injects faults.
 */
export async function resolveTarget(ctx: CommandContext, baseUrl: string | undefined): Promise<ResolvedTarget> {
  const given = baseUrl ?? ctx.globals.config.baseUrl;
  if (given !== undefined) {
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      throw new UsageError(`--base-url must be an absolute http(s) URL (got "${given}")`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--base-url must be http or https (got "${given}")`);
    return { baseUrl: given.replace(/\/+$/, ''), demo: false };
  }
  const shop = await startDemoShop(ctx);
  return { baseUrl: shop.url, demo: true };
}

/**
 * Starts the bundled demo shop on a free loopback port with the faults of `SHOPFDS_DEMO_FAULTS`, and
 * stops it when the command ends.
 */
export async function startDemoShop(ctx: CommandContext): Promise<{ readonly url: string }> {
  const { startShop } = await import('../demo/shop.js');
  const { readFaultsFromEnv } = await import('../demo/faults.js');
  let faults;
  try {
    faults = readFaultsFromEnv(ctx.io.env as NodeJS.ProcessEnv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const shop = await startShop({ port: 0, faults });
  ctx.onTeardown(() => shop.close());
  ctx.progress.line(`started the ShopFDS demo shop at ${shop.url}`);
  return shop;
}
