import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, ShopfdsError, UsageError } from '../model/index.js';
import { isPostgresUrl } from '../store/open.js';
import type { CommandContext } from './context.js';

/** A report file could not be written (disk full, read-only place): exit 4, like any write failure. */
export class WriteError extends ShopfdsError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('E_WRITE', ExitCode.store, message, options);
    this.name = 'WriteError';
  }
}

/** The path with symlinks resolved as far as it exists. */
function canonical(path: string): string {
  let head = path;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return path;
      tail.push(basename(head));
      head = parent;
    }
  }
}

/** The SQLite store and its side files, which a report must never replace. */
function storeFiles(ctx: CommandContext): string[] {
  if (isPostgresUrl(ctx.globals.db)) return [];
  const db = canonical(resolve(ctx.io.cwd, ctx.globals.db));
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`];
}

/**
 * Checks where a report goes before anything is rendered or run: not empty, not a directory, not a
 * device or other special file, not the result store (or its WAL/SHM/journal files). Returns the
 * absolute path.
 */
export function checkReportTarget(ctx: CommandContext, file: string, what = 'report'): string {
  if (!file.trim()) throw new UsageError(`the ${what} file name is empty`, { hint: 'Give a file name, e.g. -o results.xml.' });
  const target = resolve(ctx.io.cwd, file);
  if (storeFiles(ctx).includes(canonical(target))) {
    throw new UsageError(`${file} is the result store; writing the ${what} there would destroy every stored run`, { hint: 'Choose another file name.' });
  }
  if (existsSync(target)) {
    const stat = statSync(target);
    if (stat.isDirectory()) throw new UsageError(`${file} is a directory; give a file name for the ${what}`);
    if (!stat.isFile() && !stat.isCharacterDevice() && !stat.isFIFO()) throw new UsageError(`${file} is not a regular file, device or pipe; give a file name for the ${what}`);
  }
  return target;
}

/**
 * Writes a report atomically: a temporary file in the same folder, flushed, then renamed over the
 * target, so a reader never sees half a report and a failure leaves the old file as it was.
 * `append` keeps the current content first (Markdown summaries). Throws a UsageError for a bad
 * target and a WriteError (exit 4) when the write fails.
 */
export function writeReportFile(ctx: CommandContext, file: string, text: string, options: { append?: boolean; what?: string } = {}): string {
  const target = checkReportTarget(ctx, file, options.what);
  if (existsSync(target) && !statSync(target).isFile()) {
    // A device or pipe (/dev/stdout, a FIFO): written as a stream, there is nothing to rename.
    try {
      writeFileSync(target, text, { flag: options.append ? 'a' : 'w' });
    } catch (error) {
      throw new WriteError(`could not write ${file}: ${(error as Error).message}`, { cause: error });
    }
    return target;
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  try {
    mkdirSync(dirname(target), { recursive: true });
    const before = options.append && existsSync(target) ? readFileSync(target) : null;
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      if (before) writeSync(fd, before);
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new WriteError(`could not write ${file}: ${code ? `${code} ` : ''}${(error as Error).message.replace(/^[A-Z]+: /, '')}`, { cause: error });
  }
  return target;
}
