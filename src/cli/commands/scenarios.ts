import type { Command } from 'commander';
import { Argument, withExamples } from '../commander.js';
import type { Runner } from '../context.js';
import { collectComma as list } from '../run-options.js';

/** `scenarios list|validate` and `schema`: the E2E scenario files, without running them. */
export function registerScenarios(program: Command, run: Runner): void {
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
