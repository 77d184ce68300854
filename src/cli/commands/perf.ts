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
  { key: 'baseline', flags: '--baseline <run-id|last-passed>', description: 'compare p95 with a stored perf run, or the newest passed perf run of the same name' },
  { key: 'maxRegression', flags: '--max-regression <percent>', description: 'with --baseline: fail the run when p95 rises more than this (default 10%)' },
  { key: 'scriptsDir', config: 'perf.scripts' },
  { key: 'k6Path', config: 'perf.k6Path' },
  { key: 'locustPath', config: 'perf.locustPath' },
  { key: 'tool', flags: '--tool <tool>', description: 'load tool (default: locust for a .py file, else k6)', choices: ['k6', 'locust'] },
  { key: 'users', flags: '--users <n>', description: 'Locust users (locust --users; default 15; --vus works too)' },
  { key: 'spawnRate', flags: '--spawn-rate <n>', description: 'Locust users started per second (default 5)' },
  { key: 'host', flags: '--host <url>', description: 'Locust --host (same as --base-url)' },
  { key: 'exitCodeOnError', flags: '--exit-code-on-error <n>', description: "Locust's exit code when requests failed (default 1); 0: failed requests do not fail the run" },
  { key: 'maxErrorRate', flags: '--max-error-rate <percent>', description: 'Locust criterion: fail when more than this share of requests failed' },
  { key: 'maxP95', flags: '--max-p95 <ms>', description: 'Locust criterion: fail when the 95th percentile response time is higher' },
  { key: 'maxP99', flags: '--max-p99 <ms>', description: 'Locust criterion: fail when the 99th percentile response time is higher' },
  { key: 'maxAvg', flags: '--max-avg <ms>', description: 'Locust criterion: fail when the average response time is higher' },
];

export function registerPerf(program: Command, run: Runner): void {
  addRunCommand(program, run, {
    term: 'perf <script>',
    description:
      'run a load test and store throughput, response times, error rate and a per-interval time series. ' +
      'k6 (a .js script, or a name in k6/: load, spike, soak, stress): every threshold and check is a case, a crossed threshold ' +
      'fails the run (exit 1), a check that failed only some of the time is flaky. Locust (a .py locustfile, or a name in locust/ with ' +
      '--tool locust, e.g. shop; Locust --duration default 20s): every request name is a case, failed requests fail the run unless ' +
      '--exit-code-on-error 0, and --max-error-rate/--max-p95/--max-p99/--max-avg are the pass/fail criteria',
    table: PERF_OPTIONS,
    load: async () => (await import('../actions/perf.js')).perfAction,
    examples: [
      'shopfds-test perf load',
      'shopfds-test perf spike --target-tps 40 --fail-under-target',
      'shopfds-test perf k6/soak.js -e DURATION=30m -e VUS=20 --interval 10s',
      'shopfds-test perf load --baseline last-passed --max-regression 10%',
      'shopfds-test perf ./checkout.js --base-url https://staging.shop.example --env staging --junit perf.xml',
      'shopfds-test perf locust/shop.py --users 15 --spawn-rate 5 --duration 20s --max-p95 500 --max-error-rate 1',
      'shopfds-test perf shop --tool locust --host https://staging.shop.example --pushgateway http://127.0.0.1:9091',
    ],
  });
}
