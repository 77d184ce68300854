import type { Command } from 'commander';
import type { Runner } from '../program.js';

export function registerChaos(program: Command, run: Runner): void {
  program
    .command('chaos')
    .description('chaos (not available in this build)')
    .action(
      run(async () => async () => {
        const { UsageError } = await import('../../model/errors.js');
        throw new UsageError('"chaos" is not available in this build');
      }),
    );
}
