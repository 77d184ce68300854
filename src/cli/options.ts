import type { Command } from 'commander';

/** Adds the report-file options every run-producing command shares. Loads nothing heavy (used by --help). */
export function addRunOutputOptions(cmd: Command): Command {
  return cmd
    .option('--junit <file>', 'also write a JUnit XML report to this file')
    .option('--markdown <file>', 'also write a Markdown summary (e.g. "$GITHUB_STEP_SUMMARY")');
}
