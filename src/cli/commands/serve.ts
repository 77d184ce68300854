import type { Command } from 'commander';
import { withExamples, type Runner } from '../program.js';

export function registerServe(program: Command, run: Runner): void {
  withExamples(
    program
      .command('serve')
      .description('a local, read-only web dashboard over the result store: runs, run reports, trends, flaky tests, compare')
      .option('--port <port>', 'port to listen on (0: any free port)', '9330')
      .option('--host <host>', 'address to bind; 127.0.0.1 keeps it on this machine', '127.0.0.1')
      .option('--open', 'open the dashboard in the browser (ignored in CI)')
      .action(run(async () => (await import('../actions/serve.js')).serveAction)),
    ['shopfds-test serve', 'shopfds-test serve --port 8080 --open', 'shopfds-test --db postgres://ci@db/results serve'],
  );
}
