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

/** `shopfds-test perf <script>`: k6 or Locust (perfToolOf) through the run pipeline. */
export async function perfAction(ctx: CommandContext, script: string, flags: Record<string, unknown>): Promise<number> {
  const tool = perfToolOf({ tool: flags.tool, script });
  if (tool === 'locust' && flags.host !== undefined && flags.baseUrl !== undefined && flags.host !== flags.baseUrl) throw new UsageError('give --host or --base-url, not both');
  return runCommand(ctx, tool, PERF_OPTIONS, { ...flags, script });
}
