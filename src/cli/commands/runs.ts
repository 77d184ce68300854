import type { Command } from 'commander';
import { Option } from '../commander.js';
import { RUN_KINDS } from '../../model/kinds.js';
import { withExamples, type Runner } from '../program.js';

export function registerRuns(program: Command, run: Runner): void {
  const runs = withExamples(program.command('runs').description('browse stored runs'), [
    'shopfds-test runs list --since 7d',
    'shopfds-test runs show 3f2a9c1e',
    'shopfds-test runs failures --since 30d',
    'shopfds-test runs flaky --since 30d',
    'shopfds-test runs compare',
    'shopfds-test runs trend --since 90d --by week',
  ]);
  withExamples(
    runs
      .command('list')
      .description('list recent runs, newest first')
      .addOption(new Option('--kind <kind>', 'only this kind').choices(RUN_KINDS))
      .addOption(new Option('--status <status>', 'only this status (flaky: runs with a flaky case)').choices(['passed', 'failed', 'error', 'interrupted', 'flaky']))
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
      .description('show one run: cases with their keys, failures with messages, artifacts (a unique id prefix works)')
      .action(run(async () => (await import('../actions/runs.js')).showRunAction)),
    ['shopfds-test runs show 3f2a9c1e', 'shopfds-test runs show 3f2a9c1e --json'],
  );
  withExamples(
    runs
      .command('failures')
      .description('cases that failed recently, grouped across runs, most failures first (flaky cases: `runs flaky`)')
      .option('--since <when>', 'ISO date or duration (default 7d)')
      .option('--limit <n>', 'how many cases (default 20)')
      .action(run(async () => (await import('../actions/runs.js')).failuresAction)),
    ['shopfds-test runs failures', 'shopfds-test runs failures --since 30d --json'],
  );
  withExamples(
    runs
      .command('history <case-key-or-pattern>')
      .description("one case's outcomes across runs: a case key (or its first 6+ hex digits, shown by `runs show`) or a name pattern with * wildcards")
      .option('--limit <n>', 'how many runs (default 20)')
      .action(run(async () => (await import('../actions/history.js')).historyAction)),
    ['shopfds-test runs history 9c1e0b7a', "shopfds-test runs history 'checkout.spec.ts › *pays*'", "shopfds-test runs history 'GET /orders*' --json"],
  );
  withExamples(
    runs
      .command('flaky')
      .description(
        'cases that are flaky in the history: failed then passed on a retry, passed and failed on the same commit, or flip between pass and fail often (see README)',
      )
      .option('--since <when>', 'ISO date or duration (default 30d)')
      .addOption(new Option('--kind <kind>', 'only this kind').choices(RUN_KINDS))
      .option('--min-flip-rate <rate>', 'flip rate that makes a case flaky, 0..1 or a percentage (default 10%)')
      .option('--limit <n>', 'how many cases (default 50)')
      .action(run(async () => (await import('../actions/history.js')).flakyAction)),
    ['shopfds-test runs flaky', 'shopfds-test runs flaky --since 14d --kind api --json'],
  );
  withExamples(
    runs
      .command('compare [run-a] [run-b]')
      .description('compare two runs: new failures, fixed, still failing, added/removed cases, duration changes, perf deltas (default: the latest run against the previous run of the same name)')
      .option('--threshold <percent>', 'duration change that is reported (default 50%)')
      .action(run(async () => (await import('../actions/history.js')).compareAction)),
    ['shopfds-test runs compare', 'shopfds-test runs compare 3f2a9c1e 8b1d0e44', 'shopfds-test runs compare 8b1d0e44 --json'],
  );
  withExamples(
    runs
      .command('trend')
      .description('pass rate and duration per day or week by kind; perf p95/p99/TPS/error rate by scenario; chaos recovery; canary; API success by service')
      .option('--since <when>', 'ISO date or duration (default 90d)')
      .addOption(new Option('--by <bucket>', 'bucket size').choices(['day', 'week']))
      .addOption(new Option('--kind <kind>', 'only this kind').choices(RUN_KINDS))
      .action(run(async () => (await import('../actions/history.js')).trendAction)),
    ['shopfds-test runs trend', 'shopfds-test runs trend --since 30d --by week --kind perf --json'],
  );
}
