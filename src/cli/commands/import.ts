import type { Command } from 'commander';
import { Option } from '../commander.js';
import { withExamples, type Runner } from '../program.js';

export const IMPORT_FORMATS = ['junit', 'playwright-json', 'newman-json', 'k6-summary', 'k6-json', 'locust-csv'] as const;

export function registerImport(program: Command, run: Runner): void {
  withExamples(
    program
      .command('import <files...>')
      .description('store reports produced elsewhere (JUnit XML, Playwright JSON, Newman JSON, k6 summary or JSON output, Locust --csv statistics) as runs')
      .addOption(new Option('--format <format>', 'the report format').choices([...IMPORT_FORMATS]).makeOptionMandatory())
      .option('--name <name>', 'run name (default: from the report or the file name)')
      .addOption(new Option('--env <environment>', 'environment the report came from').choices(['local', 'staging', 'production']))
      .option('--kind <kind>', 'run kind for JUnit files (default: e2e for Playwright, api for Newman, else e2e)')
      .option('--force', 'store a report even when the same file (same content) is already stored')
      .action(run(async () => (await import('../actions/import.js')).importAction)),
    [
      'shopfds-test import results.xml --format junit',
      'shopfds-test import test-results/results.json --format playwright-json',
      'shopfds-test import newman/report.json --format newman-json --env staging',
      'shopfds-test import summary.json --format k6-summary',
      'shopfds-test import results/run_stats.csv --format locust-csv',
    ],
  );
}
