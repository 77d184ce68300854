import type { Command } from 'commander';
import type { Runner } from '../program.js';

export function registerCanary(program: Command, run: Runner): void {
  program
    .command('canary')
    .description('canary (not available in this build)')
    .action(
      run(async () => async () => {
        const { UsageError } = await import('../../model/errors.js');
        throw new UsageError('"canary" is not available in this build');
      }),
    );
}
