import type { Command } from 'commander';
import { Argument } from '../commander.js';
import { withExamples, type Runner } from '../program.js';
import { addRunCommand, collectComma, type OptionSpec } from '../run-options.js';

const list = collectComma;

/** A global `--config` that names a Playwright config belongs to `e2e`, not to shopfds-test. */
const PLAYWRIGHT_CONFIG = /\.(m|c)?[jt]s$/;

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** `e2e`'s own options; the shared run options (--env, --base-url, --name, --run-group, ...) come from SHARED_RUN_OPTIONS. */
export const E2E_OPTIONS: readonly OptionSpec[] = [
  { key: 'config', flags: '--config <file>', description: 'a playwright.config.(ts|js|mjs) to run as is (its projects and specs), with results normalized' },
  { key: 'tag', flags: '--tag <tags>', description: 'only scenarios (or specs) with one of these tags; repeatable or comma-separated', list: 'comma' },
  { key: 'type', flags: '--type <types>', description: 'only scenarios of these test types (functional, regression, smoke, integration)', list: 'comma' },
  { key: 'priority', flags: '--priority <priorities>', description: 'only scenarios of these priorities (critical, high, medium, low)', list: 'comma' },
  { key: 'browser', flags: '--browser <browsers>', description: 'only these browsers (chromium, firefox, webkit)', list: 'comma' },
  { key: 'grep', flags: '--grep <regexp>', description: 'only tests whose title matches' },
  { key: 'retries', flags: '--retries <n>', description: "retries per test, overriding each scenario's retry_count and a Playwright config's retries (default: config e2e.retries)" },
  { key: 'workers', flags: '--workers <n>', description: 'parallel Playwright workers (default: config e2e.workers)' },
  // From the config file only: a Playwright config's own retries/workers win over them, a flag over both.
  { key: 'configRetries', config: 'e2e.retries' },
  { key: 'configWorkers', config: 'e2e.workers' },
  { key: 'shard', flags: '--shard <i/n>', description: 'run shard i of n (Playwright --shard)' },
  { key: 'configFromFile', config: 'e2e.playwrightConfig' },
  { key: 'scenariosDir', config: 'e2e.scenarios' },
  { key: 'defaultBrowser', config: 'e2e.browser' },
];

export function registerE2e(program: Command, run: Runner): void {
  const e2e = addRunCommand(program, run, {
    term: 'e2e [paths...]',
    description: 'run E2E scenario files (default scenarios/) or Playwright specs with the real Playwright test runner',
    table: E2E_OPTIONS,
    load: async () => (await import('../actions/e2e.js')).e2eAction,
    examples: [
      'shopfds-test e2e',
      'shopfds-test e2e scenarios/catalog-smoke.yaml --retries 0',
      'shopfds-test e2e --tag checkout --priority critical,high',
      'shopfds-test e2e --base-url https://staging.shop.example --env staging',
      'shopfds-test e2e --config playwright.config.ts --junit results.xml',
      'shopfds-test e2e --shard 1/4 --run-group "$GITHUB_RUN_ID"',
    ],
  });
  // The program's own --config (shopfds.config.*) is parsed wherever it appears; a Playwright
  // config given after `e2e` is moved back to this command before the action runs.
  e2e.hook('preAction', (_self, action) => {
    const root = rootOf(action);
    const given = root.getOptionValue('config') as string | undefined;
    if (given !== undefined && PLAYWRIGHT_CONFIG.test(given)) {
      root.setOptionValue('config', undefined);
      action.setOptionValue('config', given);
    }
  });

  const scenarios = withExamples(program.command('scenarios').description('show and check E2E scenario files'), [
    'shopfds-test scenarios list',
    'shopfds-test scenarios validate',
  ]);
  withExamples(
    scenarios
      .command('list [paths...]')
      .description('list scenarios (default scenarios/) with type, browser, priority, status and tags')
      .option('--tag <tags>', 'only scenarios with one of these tags', list)
      .option('--type <types>', 'only these test types', list)
      .option('--priority <priorities>', 'only these priorities', list)
      .option('--status <statuses>', 'only these statuses (draft, active, archived)', list)
      .action(run(async () => (await import('../actions/scenarios.js')).listScenariosAction)),
    ['shopfds-test scenarios list', 'shopfds-test scenarios list --tag fds --json'],
  );
  withExamples(
    scenarios
      .command('validate [paths...]')
      .description('check scenario files; problems are printed as file: scenario: field: message (exit 2)')
      .action(run(async () => (await import('../actions/scenarios.js')).validateScenariosAction)),
    ['shopfds-test scenarios validate', 'shopfds-test scenarios validate scenarios/new-flow.yaml'],
  );

  withExamples(
    program
      .command('schema')
      .description('print a JSON Schema for editor completion')
      .addArgument(new Argument('<name>', 'which schema').choices(['scenario', 'plan']))
      .action(run(async () => (await import('../actions/schema.js')).schemaAction)),
    ['shopfds-test schema scenario > scenario.schema.json', 'shopfds-test schema plan > plan.schema.json'],
  );
}
