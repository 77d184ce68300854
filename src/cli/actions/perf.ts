import { PERF_OPTIONS } from '../commands/perf.js';
import type { CommandContext } from '../context.js';
import { runCommand } from '../run-tool.js';

/** `shopfds-test perf <script>`: k6 through the run pipeline. */
export async function perfAction(ctx: CommandContext, script: string, flags: Record<string, unknown>): Promise<number> {
  return runCommand(ctx, 'k6', PERF_OPTIONS, { ...flags, script });
}
