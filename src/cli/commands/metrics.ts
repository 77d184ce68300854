import type { Command } from 'commander';
import { withExamples, type Runner } from '../program.js';

export function registerMetrics(program: Command, run: Runner): void {
  withExamples(
    program
      .command('metrics')
      .description(
        'serve the data model\'s Prometheus gauges (e2e_test_success_rate, performance_test_tps, canary_error_rate, ...) computed from ' +
          'the result store at /metrics, for Prometheus to scrape; each gauge is the latest run of its kind, name and environment',
      )
      .option('--port <n>', 'port to listen on (0: any free port)', '9464')
      .option('--listen <address>', 'address to bind', '127.0.0.1')
      .option('--once', 'print the metrics once to stdout and exit')
      .action(run(async () => (await import('../actions/metrics.js')).metricsAction)),
    ['shopfds-test metrics', 'shopfds-test metrics --port 9464 --listen 0.0.0.0', 'shopfds-test metrics --once'],
  );
}
