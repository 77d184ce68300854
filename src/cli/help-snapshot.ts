import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './context.js';
import { createProgram } from './program.js';

/*
 * `node dist/cli/help-snapshot.js` (run by `npm run build`) writes the top-level `--help` text, as
 * commander renders it for output that is not a terminal (80 columns, no colour), to dist/cli/help.txt.
 * `shopfds-test --help` prints that file without loading commander or any command table (see main.ts);
 * the file is used only while it is newer than the program.js it was rendered from.
 */

/** The top-level help exactly as `shopfds-test --help` renders it with commander on a pipe. */
export async function renderTopLevelHelp(): Promise<string> {
  let text = '';
  const sink = { write: (s: string) => ((text += s), true) };
  const io: CliIo = { stdout: sink, stderr: sink, env: {}, cwd: process.cwd() };
  const program = await createProgram(io, () => async () => {}, ['--help']);
  program.configureOutput({ getOutHelpWidth: () => 80, getErrHelpWidth: () => 80, getOutHasColors: () => false, getErrHasColors: () => false });
  program.outputHelp();
  return text;
}

export const HELP_SNAPSHOT = new URL('./help.txt', import.meta.url);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(HELP_SNAPSHOT, await renderTopLevelHelp());
}
