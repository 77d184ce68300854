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
}
