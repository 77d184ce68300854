import { resolve } from 'node:path';

/** The repository root. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * The shared reference material (real tool outputs, schemas) lives beside the repository as
 * `../shared`; `SHOPFDS_SHARED_DIR` points elsewhere.
 */
export const SHARED_DIR = process.env.SHOPFDS_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');

/** `../shared/reference/<tool>`. */
export function referenceDir(tool: string): string {
  return resolve(SHARED_DIR, 'reference', tool);
}
