import type { Command } from 'commander';
import type { Runner } from '../program.js';

export function registerApi(program: Command, run: Runner): void {
  program
    .command('api')
    .description('api (not available in this build)')
    .action(
      run(async () => async () => {
        const { UsageError } = await import('../../model/errors.js');
        throw new UsageError('"api" is not available in this build');
      }),
    );
}
