import { UsageError } from '../../model/index.js';
import type { CommandContext } from '../context.js';

/** `shopfds-test schema scenario|plan`: the JSON Schema of a scenario or plan file. */
export async function schemaAction(ctx: CommandContext, name: string): Promise<number> {
  if (name === 'plan') {
    const { planJsonSchema } = await import('../../plan/schema.js');
    ctx.out(JSON.stringify(planJsonSchema(), null, 2));
    return 0;
  }
  if (name !== 'scenario') throw new UsageError(`unknown schema "${name}" (available: scenario, plan)`);
  const { scenarioJsonSchema } = await import('../../adapters/playwright/scenario.js');
  ctx.out(JSON.stringify(scenarioJsonSchema(), null, 2));
  return 0;
}
