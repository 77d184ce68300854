import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Run } from '../model/index.js';

/** Where runs wait when the store could not be reached. */
export function spoolDir(stateDir: string): string {
  return join(stateDir, 'spool');
}

/** Writes a run to the spool atomically (temp file, then rename). Returns the file path. */
export function spoolRun(stateDir: string, run: Run): string {
  const dir = spoolDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${run.id}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(run));
  renameSync(tmp, file);
  return file;
}

export interface SpooledRun {
  readonly file: string;
  readonly run: unknown;
}

/** Spooled runs, oldest name first. Unreadable files are returned with `run: undefined`. */
export function listSpooled(stateDir: string): SpooledRun[] {
  const dir = spoolDir(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const file = join(dir, name);
    try {
      return { file, run: JSON.parse(readFileSync(file, 'utf8')) };
    } catch {
      return { file, run: undefined };
    }
  });
}

export function removeSpooled(file: string): void {
  rmSync(file, { force: true });
}

/** Where runs that broke the run model's rules are kept, with the reason; `db sync` leaves them alone. */
export function invalidSpoolDir(stateDir: string): string {
  return join(spoolDir(stateDir), 'invalid');
}

/**
 * Keeps a run that failed validation, with the reasons, so nothing the tool produced is lost.
 * Returns the file path.
 */
export function spoolInvalidRun(stateDir: string, run: { readonly id?: unknown }, issues: readonly string[]): string {
  const dir = invalidSpoolDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const id = typeof run.id === 'string' && /^[\w-]+$/.test(run.id) ? run.id : `run-${Date.now()}`;
  const file = join(dir, `${id}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ reason: issues, run }, null, 2));
  renameSync(tmp, file);
  return file;
}
