import type { Command } from 'commander';
import { Option } from '../commander.js';
import { RUN_KINDS } from '../../model/kinds.js';
import { withExamples, type Runner } from '../program.js';

export function registerQuarantine(program: Command, run: Runner): void {
  const q = withExamples(
    program
      .command('quarantine')
      .description('quarantine known-flaky cases: they still run and are stored, but their failures do not fail the exit code and reports mark them "quarantined"'),
    ['shopfds-test quarantine add 9c1e0b7a --reason "flaky payment sandbox" --until 2026-12-31', 'shopfds-test quarantine list'],
  );
  withExamples(
    q
      .command('add <case-key-or-pattern>')
      .description('quarantine a case by key (or its first 8+ hex digits) or every case whose name or path matches a * pattern')
      .option('--reason <text>', 'why (required)')
      .option('--until <date>', 'the quarantine ends after this date (default: until removed)')
      .addOption(new Option('--kind <kind>', 'only cases of this kind').choices(RUN_KINDS))
      .action(run(async () => (await import('../actions/history.js')).quarantineAddAction)),
    ['shopfds-test quarantine add 9c1e0b7a4d2f --reason "JIRA-123" --until 2026-12-31', "shopfds-test quarantine add 'checkout.spec.ts › *3-D Secure*' --reason 'bank sandbox' --kind e2e"],
  );
  withExamples(q.command('remove <case-key-or-pattern>').description('release a case or pattern from quarantine').action(run(async () => (await import('../actions/history.js')).quarantineRemoveAction)), [
    'shopfds-test quarantine remove 9c1e0b7a4d2f',
  ]);
  withExamples(
    q.command('list').description('quarantined cases and patterns, with how many times in a row they passed since (5 suggests release)').action(run(async () => (await import('../actions/history.js')).quarantineListAction)),
    ['shopfds-test quarantine list', 'shopfds-test quarantine list --json'],
  );
}
