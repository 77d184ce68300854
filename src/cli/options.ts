import type { Command } from 'commander';
import { addOptionTable, SHARED_RUN_OPTIONS } from './run-options.js';

/**
 * Adds the report-file options (--junit, --markdown, --html) of the shared run-option table to a command
 * that is not yet defined from its own table. Loads nothing heavy (used by --help).
 */
export function addRunOutputOptions(cmd: Command): Command {
  return addOptionTable(cmd, SHARED_RUN_OPTIONS.filter((s) => s.key === 'junit' || s.key === 'markdown' || s.key === 'html'));
}
