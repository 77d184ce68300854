import { UsageError } from '../../model/index.js';
import type { CommandContext } from '../context.js';

export async function demoServeAction(ctx: CommandContext, options: { port?: string; host?: string }): Promise<number> {
  let port: number | undefined;
  if (options.port !== undefined) {
    if (!/^\d+$/.test(options.port) || Number(options.port) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535 (got "${options.port}")`);
    port = Number(options.port);
  }
  const { serveDemo } = await import('../../demo/serve.js');
  let shop;
  try {
    shop = await serveDemo({ port, host: options.host, stdout: ctx.io.stdout as NodeJS.WritableStream });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port ?? 3000} is already in use`, { hint: 'Pick another with --port, or --port 0 for a free one.' });
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new UsageError(`cannot listen on ${options.host ?? '127.0.0.1'}:${port ?? 3000}: ${code}`);
    throw error;
  }
  ctx.onTeardown(() => shop.close());
  // Serve until Ctrl-C or SIGTERM.
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  ctx.err('stopping the demo shop');
  return 0;
}

export async function demoRunAction(): Promise<number> {
  throw new UsageError('the combined demo run is being assembled');
}
