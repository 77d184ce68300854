import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { addToTotals, emptyTotals, redactRunPart, validateCase, type Case, type Totals } from '../model/index.js';

/**
 * A run too large to hold in memory goes through a file: its cases are checked (redacted, text
 * normalized, validated) one by one as an importer reads them and written as JSON lines; the store
 * then reads them back in batches inside one transaction (see RunStore.saveRunWithCases), and when
 * the store is down the file goes to the spool as it is.
 */

/** Where imports write their cases before they are stored. */
export function stagingDir(stateDir: string): string {
  return join(stateDir, 'staging');
}

/** Removes staged case files older than a day: what an import killed before it finished left behind. */
export function removeStaleStaging(stateDir: string, maxAgeMs = 24 * 3600_000): void {
  const dir = stagingDir(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = join(dir, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > maxAgeMs) rmSync(file, { force: true });
    } catch {
      // Gone already (another import cleaned it).
    }
  }
}

/** A case a streamed run cannot store, with the reasons. */
export class CaseRejected extends Error {
  constructor(readonly issues: readonly string[]) {
    super(issues.slice(0, 3).join('; '));
  }
}

/** Which ordinals were seen, one byte each. */
class Ordinals {
  private seen = new Uint8Array(1024);
  /** Marks `ordinal`; false when it was seen before. */
  add(ordinal: number): boolean {
    if (ordinal >= this.seen.length) {
      const grown = new Uint8Array(Math.max(this.seen.length * 2, ordinal + 1));
      grown.set(this.seen);
      this.seen = grown;
    }
    if (this.seen[ordinal]) return false;
    this.seen[ordinal] = 1;
    return true;
  }
  /** Throws CaseRejected unless every ordinal 0..count-1 was seen. */
  checkComplete(count: number): void {
    for (let i = 0; i < count; i++) if (!this.seen[i]) throw new CaseRejected([`cases: ordinals must be 0..${count - 1} (${i} is missing)`]);
  }
}

/** What {@link CaseStager.finish} reports about the cases written. */
export interface StagedCases {
  readonly file: string;
  readonly totals: Totals;
  /** Characters replaced by the text normalization (NUL, lone surrogates), for the run's metadata. */
  readonly replaced: number;
}

/**
 * Writes a run's cases to a file as they come: each redacted and text-normalized by the one run
 * redactor, validated, counted into the totals. Ordinals may come in any order; {@link finish}
 * checks that they are 0..n-1, each once.
 */
export class CaseStager {
  readonly file: string;
  private readonly out: WriteStream;
  private readonly totals = emptyTotals();
  private replaced = 0;
  private readonly ordinals = new Ordinals();
  private failed: Error | null = null;
  /** Lines not written yet: written in pieces of about a megabyte, not one write per case. */
  private buffered: string[] = [];
  private bufferedChars = 0;

  constructor(dir: string, runId: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${runId}.cases.ndjson`);
    this.out = createWriteStream(this.file);
    this.out.on('error', (error) => (this.failed ??= error));
  }

  async add(given: Case): Promise<void> {
    if (this.failed) throw this.failed;
    const { part, replaced } = redactRunPart(given);
    const checked = validateCase(part);
    if (!checked.ok) throw new CaseRejected(checked.issues);
    const c = checked.case;
    if (!this.ordinals.add(c.ordinal)) throw new CaseRejected([`cases: ordinal ${c.ordinal} is given twice`]);
    this.replaced += replaced;
    addToTotals(this.totals, c);
    const line = `${JSON.stringify(c)}\n`;
    this.buffered.push(line);
    this.bufferedChars += line.length;
    if (this.bufferedChars >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.buffered.length) return;
    const text = this.buffered.join('');
    this.buffered = [];
    this.bufferedChars = 0;
    if (!this.out.write(text)) await new Promise<void>((done) => this.out.once('drain', done));
  }

  async finish(): Promise<StagedCases> {
    await this.flush();
    await new Promise<void>((done, fail) => this.out.end((error?: Error | null) => (error ? fail(error) : done())));
    if (this.failed) throw this.failed;
    this.ordinals.checkComplete(this.totals.total);
    return { file: this.file, totals: { ...this.totals }, replaced: this.replaced };
  }

  /** Stops writing and removes the file. */
  discard(): void {
    this.out.destroy();
    rmSync(this.file, { force: true });
  }
}

/**
 * The cases of a staged (or spooled) file, one by one. With `check`, each is redacted and validated
 * again (a spooled file may have been written by another version) and a bad line throws
 * {@link CaseRejected}.
 */
export async function* readStagedCases(file: string, options: { check?: boolean } = {}): AsyncGenerator<Case> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line) continue;
    if (!options.check) {
      yield JSON.parse(line) as Case;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new CaseRejected([`line ${n} of ${file} is not JSON (${(error as Error).message.split('\n')[0]})`]);
    }
    const checked = validateCase(redactRunPart(value).part);
    if (!checked.ok) throw new CaseRejected(checked.issues);
    yield checked.case;
  }
}

/** Reads a staged file through, checking every case: its totals, or CaseRejected. */
export async function checkStagedCases(file: string): Promise<Totals> {
  const totals = emptyTotals();
  const ordinals = new Ordinals();
  for await (const c of readStagedCases(file, { check: true })) {
    if (!ordinals.add(c.ordinal)) throw new CaseRejected([`cases: ordinal ${c.ordinal} is given twice`]);
    addToTotals(totals, c);
  }
  ordinals.checkComplete(totals.total);
  return totals;
}
