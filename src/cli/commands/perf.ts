import type { Command } from 'commander';
import type { Runner } from '../program.js';

export function registerPerf(program: Command, run: Runner): void {
  program
    .command('perf')
    .description('perf (not available in this build)')
    .action(
      run(async () => async () => {
        const { UsageError } = await import('../../model/errors.js');
        throw new UsageError('"perf" is not available in this build');
      }),
    );
}
