import type { Command } from 'commander';
import { withExamples, type Runner } from '../program.js';
import { collectComma } from '../run-options.js';

/** What `plan run` and `plan show` share: which tiers and steps, and what every step is given. */
function withSelection(cmd: Command): Command {
  return cmd
    .option('--tier <names>', 'only these tiers (and the tiers they need); repeatable or comma-separated', collectComma)
    .option('--from-ci', 'only the tiers whose trigger matches the CI event (GitHub Actions, GitLab CI, Jenkins)')
    .option('--skip <steps>', 'leave out these steps (by id or tag); repeatable or comma-separated', collectComma)
    .option('--env <env>', 'environment for every step (local, staging, production; default: the plan\'s env)')
    .option('--base-url <url>', 'system under test for every step that takes --base-url (a service\'s URL wins after it starts)')
    .option('--run-group <key>', 'group key for every step run (default: the CI build id)');
}

/** `shopfds-test plan`: run plans (plans/*.yaml), tiers of steps across every tool, with gates. */
export function registerPlan(program: Command, run: Runner): void {
  const plan = withExamples(program.command('plan').description('run plans: tiers of steps across every tool, with gates and one release report'), [
    'shopfds-test plan run plans/release.yaml',
    'shopfds-test plan run plans/release.yaml --from-ci',
    'shopfds-test plan run release --tier tier1',
    'shopfds-test plan show plans/release.yaml',
    'shopfds-test plan validate',
    'shopfds-test plan list',
  ]);
  withExamples(
    withSelection(
      plan
        .command('run <plan>')
        .description('run a plan file (or a plan named in plans/): its tiers, steps, services and gates; store one plan run with its step runs'),
    )
      .option('--dry-run', 'print what would run, in order, with the resolved command lines, and run nothing')
      .option('--junit <file>', 'write JUnit XML of the plan: one case per step and per gate')
      .option('--markdown <file>', 'append the Markdown summary (e.g. "$GITHUB_STEP_SUMMARY")')
      .option('--html <file>', 'write the self-contained HTML report of the plan run')
      .action(run(async () => (await import('../actions/plan.js')).planRunAction)),
    [
      'shopfds-test plan run plans/release.yaml',
      'shopfds-test plan run plans/ci.yaml --from-ci --junit plan.xml --markdown "$GITHUB_STEP_SUMMARY"',
      'shopfds-test plan run plans/release.yaml --tier tier2 --base-url https://staging.shop.example --env staging',
      'shopfds-test plan run plans/release.yaml --dry-run',
    ],
  );
  withExamples(
    withSelection(plan.command('show <plan>').description('print what a plan would run, in order, with the resolved command lines (as run --dry-run)'))
      .action(run(async () => (await import('../actions/plan.js')).planShowAction)),
    ['shopfds-test plan show plans/release.yaml', 'shopfds-test plan show demo --json'],
  );
  withExamples(
    plan
      .command('validate [plans...]')
      .description('check plan files (default plans/*.yaml): schema, step options, gates; problems one per line (exit 2)')
      .action(run(async () => (await import('../actions/plan.js')).planValidateAction)),
    ['shopfds-test plan validate', 'shopfds-test plan validate plans/release.yaml'],
  );
  withExamples(
    plan
      .command('list')
      .description('list the plans in plans/ and the bundled ones')
      .action(run(async () => (await import('../actions/plan.js')).planListAction)),
    ['shopfds-test plan list'],
  );
}
