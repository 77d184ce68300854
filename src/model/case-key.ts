import * as crypto from 'node:crypto';
import type { Case } from './run.js';

/** crypto.hash (Node >= 20.12): a third of createHash's cost per key, which shows on 10,000-case runs. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

/** Stable identity of a case across runs: kind, suite path, name and project (40 hex digits). */
export function caseKey(kind: string, c: Pick<Case, 'suitePath' | 'name' | 'project'>): string {
  const text = [kind, ...c.suitePath, c.name, c.project ?? ''].join('\u0000');
  return oneShotHash ? oneShotHash('sha1', text) : crypto.createHash('sha1').update(text).digest('hex');
}

/** The short form of a key shown in tables; `runs history` accepts it back. */
export function shortCaseKey(key: string): string {
  return key.slice(0, 12);
}
