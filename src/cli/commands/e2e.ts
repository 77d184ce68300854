import type { Command } from 'commander';
import type { Runner } from '../program.js';

export function registerE2e(program: Command, run: Runner): void {
  program
    .command('e2e')
    .description('e2e (not available in this build)')
    .action(
      run(async () => async () => {
        const { UsageError } = await import('../../model/errors.js');
        throw new UsageError('"e2e" is not available in this build');
      }),
    );
}
