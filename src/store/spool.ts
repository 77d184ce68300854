import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Run } from '../model/index.js';

/** Where runs wait when the store could not be reached. */
export function spoolDir(stateDir: string): string {
  return join(stateDir, 'spool');
}

/** Where `db sync` moves spooled files that can never be stored, each with a `.reason.txt`. */
export function quarantineDir(stateDir: string): string {
  return join(spoolDir(stateDir), 'quarantine');
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

/**
 * Spools a run whose cases are in a staged file (see staged-run.ts): the file is moved next to the
 * run (`<id>.cases.ndjson`, named by the run's `casesFile`), then the run without its cases is
 * written atomically. The run file is written last, so a spooled run is always complete.
 */
export function spoolStreamedRun(stateDir: string, header: Run, casesFile: string): string {
  const dir = spoolDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const cases = join(dir, `${header.id}.cases.ndjson`);
  try {
    renameSync(casesFile, cases);
  } catch {
    // Another file system: copied, then the staged file removed.
    copyFileSync(casesFile, `${cases}.${process.pid}.tmp`);
    renameSync(`${cases}.${process.pid}.tmp`, cases);
    rmSync(casesFile, { force: true });
  }
  const file = join(dir, `${header.id}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...header, cases: [], casesFile: basename(cases) }));
  renameSync(tmp, file);
  return file;
}

/** The file holding a spooled run's cases when they were spooled apart (`casesFile`), else null. */
export function spooledCasesFile(file: string, run: unknown): string | null {
  const name = run && typeof run === 'object' ? (run as { casesFile?: unknown }).casesFile : undefined;
  return typeof name === 'string' && name ? join(dirname(file), basename(name)) : null;
}

export interface SpooledRun {
  readonly file: string;
  readonly run: unknown;
  /** Why the file could not be read as JSON, when it could not. */
  readonly readError?: string;
}

/** Spooled runs, oldest name first. Unreadable files are returned with `run: undefined` and the reason. */
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
    } catch (error) {
      return { file, run: undefined, readError: (error as Error).message.split('\n')[0] };
    }
  });
}

/** Files in quarantine (not their reasons). */
export function listQuarantined(stateDir: string): string[] {
  try {
    return readdirSync(quarantineDir(stateDir))
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((n) => join(quarantineDir(stateDir), n));
  } catch {
    return [];
  }
}

/** Moves a spooled file into quarantine next to a text file saying why. Returns the new path. */
export function quarantineSpooled(stateDir: string, file: string, reason: string): string {
  const dir = quarantineDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const target = join(dir, basename(file));
  writeFileSync(`${target}.reason.txt`, `${reason}\n`);
  const cases = spooledCasesFile(file, readRunQuietly(file));
  if (cases && existsSync(cases)) renameSync(cases, join(dir, basename(cases)));
  renameSync(file, target);
  return target;
}

export function removeSpooled(file: string): void {
  const cases = spooledCasesFile(file, readRunQuietly(file));
  rmSync(file, { force: true });
  if (cases) rmSync(cases, { force: true });
}

function readRunQuietly(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
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
