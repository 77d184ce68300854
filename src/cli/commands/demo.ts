import type { Command } from 'commander';
import { withExamples, type Runner } from '../program.js';

export function registerDemo(program: Command, run: Runner): void {
  const demo = withExamples(
    program.command('demo').description('run every example suite against the bundled ShopFDS demo shop, or serve the shop'),
    ['shopfds-test demo run', 'shopfds-test demo serve'],
  );
  withExamples(
    demo
      .command('run', { isDefault: true })
      .description('start the demo shop, run every suite whose tool is available, print one summary, store every run')
      .option('--skip <kinds>', 'comma-separated suites to leave out: e2e,api,perf')
      .option('--markdown <file>', 'append a Markdown summary of every run (e.g. "$GITHUB_STEP_SUMMARY")')
      .action(run(async () => (await import('../actions/demo.js')).demoRunAction)),
    ['shopfds-test demo', 'shopfds-test demo --skip perf', 'shopfds-test demo --json'],
  );
  withExamples(
    demo
      .command('serve')
      .description('run the demo shop in the foreground and print its URL (Ctrl-C stops it)')
      .option('--port <n>', 'port to listen on (default 3000; 0 picks a free one)')
      .option('--host <address>', 'interface to bind (default 127.0.0.1)')
      .action(run(async () => (await import('../actions/demo.js')).demoServeAction)),
    ['shopfds-test demo serve', 'shopfds-test demo serve --port 8080'],
  );
}
