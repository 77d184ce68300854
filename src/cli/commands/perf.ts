import type { Command } from 'commander';
import { Option } from '../commander.js';
import { withExamples, type Runner } from '../program.js';
import { addRunOutputOptions } from '../options.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerPerf(program: Command, run: Runner): void {
  withExamples(
    addRunOutputOptions(
      program
        .command('perf <script>')
        .description(
          'run a k6 script (a path, or a name in k6/: load, spike, soak, stress) and store throughput, response times, error rate ' +
            'and a per-interval time series; every threshold and check is a case. As in k6, thresholds decide: a crossed one fails ' +
            'the run (exit 1), a check that failed only some of the time is flaky (needs k6)',
        )
        .addOption(new Option('--type <type>', 'performance test type (default: from the script name, else load)').choices(['load', 'spike', 'soak', 'stress']))
        .option('--target-tps <n>', 'expected requests per second; a lower actual rate is reported')
        .option('--fail-under-target', 'fail the run when the actual rate is below --target-tps')
        .option('--vus <n>', 'virtual users (k6 --vus; overrides the script)')
        .option('--duration <duration>', 'test duration such as 30s, 5m, 1h (k6 --duration; overrides the script)')
        .option('-e, --script-env <KEY=VALUE>', 'variable for the script (k6 -e); repeatable', collect, [])
        .option('--base-url <url>', 'system under test, passed as -e BASE_URL= (default: start the bundled demo shop)')
        .option('--interval <duration>', 'time-series bucket such as 1s, 500ms, 10s (default 1s)')
        .addOption(new Option('--env <environment>', 'environment the run is recorded for').choices(['local', 'staging', 'production'])),
    ).action(run(async () => (await import('../actions/perf.js')).perfAction)),
    [
      'shopfds-test perf load',
      'shopfds-test perf spike --target-tps 40 --fail-under-target',
      'shopfds-test perf k6/soak.js -e DURATION=30m -e VUS=20 --interval 10s',
      'shopfds-test perf ./checkout.js --base-url https://staging.shop.example --env staging --junit perf.xml',
    ],
  );
}
