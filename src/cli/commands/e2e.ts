import type { Command } from 'commander';
import { Argument, Option } from '../commander.js';
import { withExamples, type Runner } from '../program.js';
import { addRunOutputOptions } from '../options.js';

/** Repeatable list flags: `--tag a --tag b` or `--tag a,b`. */
const list = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

/** A global `--config` that names a Playwright config belongs to `e2e`, not to shopfds-test. */
const PLAYWRIGHT_CONFIG = /\.(m|c)?[jt]s$/;

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

export function registerE2e(program: Command, run: Runner): void {
  const e2e = program
    .command('e2e [paths...]')
    .description('run E2E scenario files (default scenarios/) or Playwright specs with the real Playwright test runner')
    .option('--config <file>', 'a playwright.config.(ts|js|mjs) to run as is (its projects and specs), with results normalized')
    .option('--tag <tags>', 'only scenarios (or specs) with one of these tags; repeatable or comma-separated', list)
    .option('--type <types>', 'only scenarios of these test types (functional, regression, smoke, integration)', list)
    .option('--priority <priorities>', 'only scenarios of these priorities (critical, high, medium, low)', list)
    .option('--browser <browsers>', 'only these browsers (chromium, firefox, webkit)', list)
    .option('--grep <regexp>', 'only tests whose title matches')
    .option('--retries <n>', 'retries per test, overriding each scenario\'s retry_count')
    .option('--workers <n>', 'parallel Playwright workers')
    .option('--base-url <url>', 'system under test (default: start the bundled demo shop)')
    .addOption(new Option('--env <environment>', 'environment recorded with the run').choices(['local', 'staging', 'production']))
    .option('--shard <i/n>', 'run shard i of n (Playwright --shard)')
    .option('--run-group <key>', 'group shards into one logical run (default: the CI build id)')
    .option('--name <name>', 'run name shown in history and reports');
  addRunOutputOptions(e2e);
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
  e2e.action(run(async () => (await import('../actions/e2e.js')).e2eAction));
  withExamples(e2e, [
    'shopfds-test e2e',
    'shopfds-test e2e scenarios/catalog-smoke.yaml --retries 0',
    'shopfds-test e2e --tag checkout --priority critical,high',
    'shopfds-test e2e --base-url https://staging.shop.example --env staging',
    'shopfds-test e2e --config playwright.config.ts --junit results.xml',
    'shopfds-test e2e --shard 1/4 --run-group "$GITHUB_RUN_ID"',
  ]);

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
      .addArgument(new Argument('<name>', 'which schema').choices(['scenario']))
      .action(run(async () => (await import('../actions/schema.js')).schemaAction)),
    ['shopfds-test schema scenario > scenario.schema.json'],
  );
}
