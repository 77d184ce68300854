import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { ActionFn, CliIo } from './context.js';
import { registerApi } from './commands/api.js';
import { registerCanary } from './commands/canary.js';
import { registerChaos } from './commands/chaos.js';
import { registerDb } from './commands/db.js';
import { registerDemo } from './commands/demo.js';
import { registerE2e } from './commands/e2e.js';
import { registerImport } from './commands/import.js';
import { registerPerf } from './commands/perf.js';
import { registerReport } from './commands/report.js';
import { registerRuns } from './commands/runs.js';

/** The package's version, from package.json (one source of truth). */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** How each command file hands its actions to the runner without loading them up front. */
export type Runner = <A extends unknown[]>(load: () => Promise<ActionFn<A>>) => (...args: unknown[]) => Promise<void>;

/** Adds "Examples:" to a command's help. */
export function withExamples(cmd: Command, examples: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}

/**
 * Builds a fresh program. `run` wraps each action: it resolves globals, sets up signals and
 * teardown, and records the exit code.
 */
export function createProgram(io: CliIo, run: Runner): Command {
  const program = new Command('shopfds-test')
    .description('One CLI over Playwright, Newman, k6, Litmus and Flagger: one run model, one history, reports CI systems understand.')
    .version(VERSION, '-V, --version')
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `shopfds-test: ${s}` : s),
    })
    .addOption(new Option('--db <path|url>', 'result store: SQLite file path or postgres:// URL (env SHOPFDS_DATABASE_URL; default .shopfds/results.db)'))
    .addOption(new Option('--config <file>', 'config file (default shopfds.config.json|yaml in the working directory)'))
    .addOption(new Option('--json', 'machine-readable JSON on stdout'))
    .addOption(new Option('--no-color', 'disable colour (also NO_COLOR)'))
    .addOption(new Option('--debug', 'print stack traces and tool command lines'))
    .showSuggestionAfterError(true)
    .exitOverride();
  withExamples(program, [
    'shopfds-test demo',
    'shopfds-test e2e --tag checkout',
    'shopfds-test api collections/shopfds-api.postman_collection.json',
    'shopfds-test runs list --kind e2e --status failed',
    'shopfds-test report --latest --format junit --output results.xml',
  ]);
  for (const register of [registerDemo, registerE2e, registerApi, registerPerf, registerChaos, registerCanary, registerImport, registerRuns, registerReport, registerDb]) {
    register(program, run);
  }
  return program;
}
