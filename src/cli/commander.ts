import { createRequire } from 'node:module';
import type { Command as CommandType } from 'commander';

/*
 * commander through require(): it is a CommonJS package, and loading it as CommonJS skips the ESM
 * wrapper and its export scan, which is a measurable share of `--help`'s start-up time.
 */
const commander = createRequire(import.meta.url)('commander') as typeof import('commander');

export const { Argument, Command, CommanderError, Option } = commander;

/** Adds "Examples:" to a command's help. */
export function withExamples(cmd: CommandType, examples: readonly string[]): CommandType {
  return cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}
