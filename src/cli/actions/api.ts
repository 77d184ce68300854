import { API_OPTIONS } from '../commands/api.js';
import type { CommandContext } from '../context.js';
import { runCommand } from '../run-tool.js';

/** `shopfds-test api [collection...]`: Newman through the run pipeline. */
export async function apiAction(ctx: CommandContext, collections: string[], flags: Record<string, unknown>): Promise<number> {
  return runCommand(ctx, 'newman', API_OPTIONS, { ...flags, collections });
}
