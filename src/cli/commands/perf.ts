import type { Command } from 'commander';
import type { Runner } from '../program.js';
import { addRunCommand, type OptionSpec } from '../run-options.js';

/** `perf`'s own options; the shared run options (--env, --base-url, --name, ...) come from SHARED_RUN_OPTIONS. */
export const PERF_OPTIONS: readonly OptionSpec[] = [
  { key: 'type', flags: '--type <type>', description: 'performance test type (default: from the script name, else load)', choices: ['load', 'spike', 'soak', 'stress'] },
  { key: 'targetTps', flags: '--target-tps <n>', description: 'expected requests per second; a lower actual rate is reported' },
  { key: 'failUnderTarget', flags: '--fail-under-target', description: 'fail the run when the actual rate is below --target-tps' },
  { key: 'vus', flags: '--vus <n>', description: 'virtual users (k6 --vus; overrides the script)' },
  { key: 'duration', flags: '--duration <duration>', description: 'test duration such as 30s, 5m, 1h (k6 --duration; overrides the script)' },
  { key: 'scriptEnv', flags: '-e, --script-env <KEY=VALUE>', description: 'variable for the script (k6 -e); repeatable', list: 'repeat' },
  { key: 'interval', flags: '--interval <duration>', description: 'time-series bucket such as 1s, 500ms, 10s (default: config perf.intervalSec, else 1s)', config: 'perf.intervalSec', fromConfig: (sec) => `${Number(sec) * 1000}ms` },
  { key: 'scriptsDir', config: 'perf.scripts' },
  { key: 'k6Path', config: 'perf.k6Path' },
];

export function registerPerf(program: Command, run: Runner): void {
  addRunCommand(program, run, {
    term: 'perf <script>',
    description:
      'run a k6 script (a path, or a name in k6/: load, spike, soak, stress) and store throughput, response times, error rate ' +
      'and a per-interval time series; every threshold and check is a case. As in k6, thresholds decide: a crossed one fails ' +
      'the run (exit 1), a check that failed only some of the time is flaky (needs k6)',
    table: PERF_OPTIONS,
    load: async () => (await import('../actions/perf.js')).perfAction,
    examples: [
      'shopfds-test perf load',
      'shopfds-test perf spike --target-tps 40 --fail-under-target',
      'shopfds-test perf k6/soak.js -e DURATION=30m -e VUS=20 --interval 10s',
      'shopfds-test perf ./checkout.js --base-url https://staging.shop.example --env staging --junit perf.xml',
    ],
  });
}
