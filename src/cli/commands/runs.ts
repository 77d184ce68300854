import type { Command } from 'commander';
import { Option } from '../commander.js';
import { withExamples, type Runner } from '../program.js';

export function registerRuns(program: Command, run: Runner): void {
  const runs = withExamples(program.command('runs').description('browse stored runs'), [
    'shopfds-test runs list --since 7d',
    'shopfds-test runs show 3f2a9c1e',
    'shopfds-test runs failures --since 30d',
  ]);
  withExamples(
    runs
      .command('list')
      .description('list recent runs, newest first')
      .addOption(new Option('--kind <kind>', 'only this kind').choices(['e2e', 'api', 'perf', 'chaos', 'canary']))
      .addOption(new Option('--status <status>', 'only this status').choices(['passed', 'failed', 'error', 'interrupted']))
      .addOption(new Option('--env <environment>', 'only this environment').choices(['local', 'staging', 'production']))
      .option('--since <when>', 'runs started since an ISO date or a duration such as 7d, 12h, 30m')
      .option('--group <key>', 'only runs of this run group (shards)')
      .option('--limit <n>', 'how many runs (default 20)')
      .action(run(async () => (await import('../actions/runs.js')).listRunsAction)),
    ['shopfds-test runs list', 'shopfds-test runs list --kind e2e --status failed --since 7d', 'shopfds-test runs list --json --limit 100'],
  );
  withExamples(
    runs
      .command('show <run-id>')
      .description('show one run: cases, failures with messages, artifacts (a unique id prefix works)')
      .action(run(async () => (await import('../actions/runs.js')).showRunAction)),
    ['shopfds-test runs show 3f2a9c1e', 'shopfds-test runs show 3f2a9c1e --json'],
  );
  withExamples(
    runs
      .command('failures')
      .description('cases that failed recently, grouped across runs, most failures first')
      .option('--since <when>', 'ISO date or duration (default 7d)')
      .option('--limit <n>', 'how many cases (default 20)')
      .action(run(async () => (await import('../actions/runs.js')).failuresAction)),
    ['shopfds-test runs failures', 'shopfds-test runs failures --since 30d --json'],
  );
  withExamples(
    runs
      .command('history <case-key>')
      .description("one case's outcomes across runs (keys are shown by `runs failures`)")
      .option('--limit <n>', 'how many runs (default 20)')
      .action(run(async () => (await import('../actions/runs.js')).historyAction)),
    ['shopfds-test runs history 9c1e0b...'],
  );
}
