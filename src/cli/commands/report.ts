import type { Command } from 'commander';
import { Option } from '../commander.js';
import { RUN_KINDS } from '../../model/kinds.js';
import { withExamples, type Runner } from '../program.js';

export function registerReport(program: Command, run: Runner): void {
  withExamples(
    program
      .command('report [run-id]')
      .description('render a stored run as a table, JSON, JUnit XML, Markdown or a self-contained HTML page')
      .option('--latest', 'the most recent run (optionally of --kind)')
      .addOption(new Option('--kind <kind>', 'with --latest: the latest run of this kind').choices(RUN_KINDS))
      .option('--group <key>', 'render every shard of a run group as one run')
      .addOption(new Option('--format <format>', 'output format (default table)').choices(['table', 'json', 'junit', 'markdown', 'html']))
      .option('-o, --output <file>', 'write to a file instead of stdout')
      .option('--open', 'with --format html: open the report in the browser (in CI, or with no browser, print its path)')
      .action(run(async () => (await import('../actions/report.js')).reportAction)),
    [
      'shopfds-test report --latest',
      'shopfds-test report --latest --format junit --output results.xml',
      'shopfds-test report 3f2a9c1e --format markdown >> "$GITHUB_STEP_SUMMARY"',
      'shopfds-test report --group "$GITHUB_RUN_ID" --format junit -o e2e.xml',
      'shopfds-test report --latest --format html --open',
      'shopfds-test report 3f2a9c1e --format html -o report.html',
    ],
  );
}
