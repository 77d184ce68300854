import type { Command } from 'commander';
import type { Runner } from '../program.js';

export function registerDemo(program: Command, run: Runner): void {
  program
    .command('demo')
    .description('demo (not available in this build)')
    .action(
      run(async () => async () => {
        const { UsageError } = await import('../../model/errors.js');
        throw new UsageError('"demo" is not available in this build');
      }),
    );
}
