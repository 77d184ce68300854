import { UsageError } from '../../model/index.js';
import type { CommandContext } from '../context.js';

/** `shopfds-test schema scenario`: the JSON Schema of a scenario file. */
export async function schemaAction(ctx: CommandContext, name: string): Promise<number> {
  if (name !== 'scenario') throw new UsageError(`unknown schema "${name}" (available: scenario)`);
  const { scenarioJsonSchema } = await import('../../adapters/playwright/scenario.js');
  ctx.out(JSON.stringify(scenarioJsonSchema(), null, 2));
  return 0;
}
