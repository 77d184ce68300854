import type { Command } from 'commander';
import { withExamples, type Runner } from '../program.js';

export function registerDb(program: Command, run: Runner): void {
  const db = withExamples(program.command('db').description('manage the result store (SQLite by default, PostgreSQL with --db postgres://...)'), [
    'shopfds-test db status',
    'shopfds-test --db postgres://ci@db.internal/shopfds db migrate',
    'shopfds-test db sync',
  ]);
  withExamples(db.command('migrate').description('apply pending schema migrations').action(run(async () => (await import('../actions/db.js')).migrateAction)), [
    'shopfds-test db migrate',
    'shopfds-test --db postgres://ci@db.internal/shopfds db migrate',
  ]);
  withExamples(db.command('status').description('show the store, its migrations, and spooled runs waiting for sync').action(run(async () => (await import('../actions/db.js')).statusAction)), [
    'shopfds-test db status',
    'shopfds-test db status --json',
  ]);
  withExamples(
    db.command('sync').description('push runs kept in the local spool (the store was unreachable) into the store').action(run(async () => (await import('../actions/db.js')).syncAction)),
    ['shopfds-test db sync', 'SHOPFDS_DATABASE_URL=postgres://ci@db/shopfds shopfds-test db sync'],
  );
  withExamples(
    db
      .command('prune')
      .description('delete old runs with their cases, kind records and artifact folders, in small batches (config retention.days does it after each run)')
      .option('--older-than <duration>', 'runs that started longer ago than this: 30d, 12h, 2w, or an ISO date')
      .option('--keep-last <n>', 'keep the newest N runs of each kind and name however old')
      .option('--dry-run', 'only count what would be deleted')
      .option('--batch-size <n>', 'runs per transaction (default: sized so each transaction takes about 50 ms)')
      .action(run(async () => (await import('../actions/history.js')).pruneAction)),
    ['shopfds-test db prune --older-than 30d --dry-run', 'shopfds-test db prune --older-than 30d --keep-last 5'],
  );
  withExamples(db.command('stats').description("run counts by kind, table rows and sizes, and the artifacts' disk use").action(run(async () => (await import('../actions/history.js')).statsAction)), [
    'shopfds-test db stats',
    'shopfds-test db stats --json',
  ]);
}
