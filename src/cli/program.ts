import { readFileSync } from 'node:fs';
import type { Command as CommandType } from 'commander';
import { Command, Option, withExamples } from './commander.js';
import type { CliIo, Runner } from './context.js';
import { ERROR_CODES, errorLine } from '../model/errors.js';
import { defineRunCommand, runCommands } from './run-commands.js';
/** The package's version, from package.json (one source of truth). */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

export type { Runner } from './context.js';
export { withExamples } from './commander.js';

type Register = (program: CommandType, run: Runner) => void;

interface TopCommand {
  readonly term: string;
  readonly summary: string;
  readonly load: () => Promise<Register>;
}

/**
 * The top-level commands other than the run commands: how each appears in `shopfds-test --help`,
 * and the module that defines it in full. Only the command named on the command line is loaded; the
 * others are listed by their summary, so `--help` and `--version` load no command module at all.
 * The run commands (e2e, api, perf, ...) come from their data in run-commands.ts and are listed
 * after RUN_COMMANDS_AFTER.
 */
const TOP_COMMANDS: Readonly<Record<string, TopCommand>> = {
  plan: { term: 'plan', summary: 'run plans: tiers of steps across every tool, with gates and one release report', load: async () => (await import('./commands/plan.js')).registerPlan },
  demo: { term: 'demo', summary: 'run every example suite against the bundled ShopFDS demo shop, or serve the shop', load: async () => (await import('./commands/demo.js')).registerDemo },
  scenarios: { term: 'scenarios', summary: 'show and check E2E scenario files', load: async () => (await import('./commands/scenarios.js')).registerScenarios },
  schema: { term: 'schema <name>', summary: 'print a JSON Schema for editor completion', load: async () => (await import('./commands/scenarios.js')).registerScenarios },
  chaos: { term: 'chaos', summary: 'Litmus chaos experiments through kubectl, behind an approval gate', load: async () => (await import('./commands/chaos.js')).registerChaos },
  canary: { term: 'canary', summary: 'Flagger canary status and watch through kubectl', load: async () => (await import('./commands/canary.js')).registerCanary },
  import: { term: 'import <files...>', summary: 'store JUnit, Playwright JSON, Newman JSON, k6 or Locust reports produced elsewhere', load: async () => (await import('./commands/import.js')).registerImport },
  runs: { term: 'runs', summary: 'browse stored runs: list, show, failures, flaky, history, trend, compare', load: async () => (await import('./commands/runs.js')).registerRuns },
  report: { term: 'report [run-id]', summary: 'render a stored run as a table, JSON, JUnit XML, Markdown or a self-contained HTML page', load: async () => (await import('./commands/report.js')).registerReport },
  serve: { term: 'serve', summary: 'a local, read-only web dashboard over the result store', load: async () => (await import('./commands/serve.js')).registerServe },
  metrics: { term: 'metrics', summary: 'serve the stored runs\' figures as Prometheus gauges (/metrics)', load: async () => (await import('./commands/metrics.js')).registerMetrics },
  quarantine: { term: 'quarantine', summary: 'quarantine known-flaky cases: they still run, their failures do not fail the exit code', load: async () => (await import('./commands/quarantine.js')).registerQuarantine },
  db: { term: 'db', summary: 'manage the result store: migrate, status, sync, prune, stats', load: async () => (await import('./commands/db.js')).registerDb },
};

const RUN_COMMANDS_AFTER = 'demo';

/** Every top-level command in listing order: TOP_COMMANDS with the run commands after RUN_COMMANDS_AFTER. */
function topCommands(): [string, TopCommand][] {
  const fixed = Object.entries(TOP_COMMANDS);
  const at = fixed.findIndex(([name]) => name === RUN_COMMANDS_AFTER) + 1;
  const runs = runCommands().map(([name, spec]): [string, TopCommand] => [
    name,
    { term: spec.term, summary: spec.summary, load: async () => (program, run) => void defineRunCommand(program, run, spec) },
  ]);
  return [...fixed.slice(0, at), ...runs, ...fixed.slice(at)];
}

/** Global options that take a value, so their value is not mistaken for the command name. */
const VALUE_OPTIONS = new Set(['--db', '--config', '--pushgateway']);

/** The first command-line word that names a command, or null (`--help`, no arguments). */
export function commandNameOf(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return null;
}

/**
 * Builds a fresh program. `run` wraps each action: it resolves globals, sets up signals and
 * teardown, and records the exit code. With `argv`, only the command it names is defined in full
 * (all of them for `help` or when `argv` is not given).
 */
export async function createProgram(io: CliIo, run: Runner, argv?: readonly string[]): Promise<CommandType> {
  const program = new Command('shopfds-test')
    .description('One CLI over Playwright, Newman, k6, Litmus and Flagger: one run model, one history, reports CI systems understand.')
    .version(VERSION, '-V, --version')
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // Commander's own usage errors get the same one-line form and code as every other error.
      outputError: (s, write) => write(s.startsWith('error: ') ? errorLine(ERROR_CODES.usage, s.slice('error: '.length)) : s),
    })
    .addOption(new Option('--db <path|url>', 'result store: SQLite file path or postgres:// URL (env SHOPFDS_DATABASE_URL; default .shopfds/results.db)'))
    .addOption(new Option('--config <file>', 'config file (default shopfds.config.json|yaml in the working directory)'))
    .addOption(new Option('--json', 'machine-readable JSON on stdout'))
    .addOption(new Option('--no-color', 'disable colour (also NO_COLOR)'))
    .addOption(new Option('--debug', 'print stack traces and tool command lines'))
    .addOption(new Option('--pushgateway <url>', 'push each run\'s Prometheus metrics to this Pushgateway (env SHOPFDS_PUSHGATEWAY_URL, config prometheus.pushgateway)'))
    .showSuggestionAfterError(true)
    .exitOverride();
  withExamples(program, [
    'shopfds-test demo',
    'shopfds-test e2e --tag checkout',
    'shopfds-test api collections/shopfds-api.postman_collection.json',
    'shopfds-test runs list --kind e2e --status failed',
    'shopfds-test report --latest --format junit --output results.xml',
  ]);
  const commands = new Map(topCommands());
  const named = argv === undefined ? 'help' : commandNameOf(argv);
  const wanted = named === 'help' ? [...commands.keys()] : named !== null && commands.has(named) ? [named] : [];
  const registered = new Set<Register>();
  for (const name of wanted) {
    const register = await commands.get(name)!.load();
    if (!registered.has(register)) register(program, run);
    registered.add(register);
  }
  const defined = new Set(program.commands.map((c) => c.name()));
  for (const [name, entry] of commands) {
    if (!defined.has(name)) program.command(entry.term).summary(entry.summary);
  }
  // Keep the listing in one order however the commands were defined.
  const order = [...commands.keys()];
  (program.commands as CommandType[]).sort((a, b) => order.indexOf(a.name()) - order.indexOf(b.name()));
  return program;
}
