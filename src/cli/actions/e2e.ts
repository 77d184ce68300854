import { E2E_OPTIONS } from '../commands/e2e.js';
import type { CommandContext } from '../context.js';
import { runCommand } from '../run-tool.js';

/** `shopfds-test e2e [paths...]`: Playwright through the run pipeline. */
export async function e2eAction(ctx: CommandContext, paths: string[], flags: Record<string, unknown>): Promise<number> {
  return runCommand(ctx, 'playwright', E2E_OPTIONS, { ...flags, paths });
}
