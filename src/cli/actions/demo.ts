import { fileURLToPath } from 'node:url';
import { UsageError } from '../../model/index.js';
import type { CommandContext } from '../context.js';

/** The package root: the example suites ship beside `dist/`. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

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

const SUITES = ['e2e', 'api', 'perf'] as const;

/**
 * `shopfds-test demo`: the bundled plan `plans/demo.yaml` (the demo shop as a service, every example
 * suite as a step), run by the plan engine. A suite whose tool is missing is skipped with the install
 * hint; when no suite could run, the demo exits 3 instead of passing.
 */
export async function demoRunAction(ctx: CommandContext, options: { skip?: string; markdown?: string }): Promise<number> {
  const skip = (options.skip ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of skip) {
    if (!(SUITES as readonly string[]).includes(part)) throw new UsageError(`--skip takes a comma-separated list of ${SUITES.join(', ')} (got "${part}")`);
  }
  if (new Set(skip).size === SUITES.length) throw new UsageError(`--skip leaves no suite to run (it names all of ${SUITES.join(', ')})`);
  const { locatePlan, readPlan, executeAndReport } = await import('./plan.js');
  const located = locatePlan({ ...ctx, io: { ...ctx.io, cwd: PACKAGE_ROOT } }, 'demo');
  const read = await readPlan(ctx, located);
  if (!read.ok) throw new Error(`the bundled demo plan is invalid: ${read.problems.join('; ')}`);
  const { prepareSteps } = await import('../plan/engine.js');
  const prepared = await prepareSteps(ctx, read.plan);
  if (prepared.problems.length) throw new Error(`the bundled demo plan is invalid: ${prepared.problems.join('; ')}`);
  return executeAndReport(ctx, { ...located, bundled: true, shown: 'bundled:demo' }, read.plan, prepared.steps, { skip, markdown: options.markdown }, 'demo');
}
