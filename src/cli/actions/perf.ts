import { UsageError } from '../../model/index.js';
import { PERF_OPTIONS } from '../commands/perf.js';
import type { CommandContext } from '../context.js';
import { runCommand } from '../run-tool.js';

/** The load tool: --tool, else Locust for a .py file, else k6. */
export function perfToolOf(request: { readonly tool?: unknown; readonly script: string }): 'k6' | 'locust' {
  if (request.tool !== undefined) {
    if (request.tool !== 'k6' && request.tool !== 'locust') throw new UsageError(`--tool must be k6 or locust (got "${String(request.tool)}")`);
    return request.tool;
  }
  return /\.py$/i.test(request.script) ? 'locust' : 'k6';
}

/** `shopfds-test perf <script>`: k6 through the run pipeline; Locust through its adapter (perf-locust.ts). */
export async function perfAction(ctx: CommandContext, script: string, flags: Record<string, unknown>): Promise<number> {
  if (perfToolOf({ tool: flags.tool, script }) === 'locust') {
    const [{ runLocustSuite }, { finishRun }] = await Promise.all([import('./perf-locust.js'), import('../session.js')]);
    const run = await runLocustSuite(ctx, { ...(flags as Omit<import('./perf-locust.js').LocustPerfRequest, 'script'>), script });
    return finishRun(ctx, run, { junit: flags.junit as string | undefined, markdown: flags.markdown as string | undefined });
  }
  return runCommand(ctx, 'k6', PERF_OPTIONS, { ...flags, script });
}
