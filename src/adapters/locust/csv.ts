/*
 * Locust writes its CSV files with Python's csv module (excel dialect): comma-separated, fields
 * quoted with " when they hold a comma, quote or line break, quotes doubled, \r\n line ends. This
 * parser takes the text in chunks of any size and hands out one row at a time, so a
 * --csv-full-history file of millions of rows is read in bounded memory. (csv-parse does the
 * same behind a Node stream; this keeps parsing pure and synchronous.)
 */

/** Incremental CSV reader: `push` text as it arrives, `end` once; rows go to `onRow`. */
export class CsvReader {
  private field = '';
  private row: string[] = [];
  private quoted = false;
  /** After a closing quote, until the next separator. */
  private afterQuote = false;
  private pendingCr = false;
  /** Rows so far (including the header). */
  rows = 0;

  constructor(private readonly onRow: (fields: string[]) => void) {}

  push(text: string): void {
    let field = this.field;
    let i = 0;
    const n = text.length;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (n > 0 && text.charCodeAt(0) === 10) i = 1;
    }
    while (i < n) {
      if (this.quoted) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          field += text.slice(i);
          i = n;
          break;
        }
        field += text.slice(i, q);
        if (q + 1 >= n) {
          // The quote may be the first of a doubled pair; decide with the next chunk.
          this.quoted = false;
          this.afterQuote = true;
          i = q + 1;
          break;
        }
        if (text.charCodeAt(q + 1) === 34) {
          field += '"';
          i = q + 2;
        } else {
          this.quoted = false;
          this.afterQuote = true;
          i = q + 1;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 34) {
        if (this.afterQuote) {
          // `""` split across chunks: a literal quote inside the quoted field.
          field += '"';
          this.quoted = true;
          this.afterQuote = false;
        } else if (field === '') {
          this.quoted = true;
        } else {
          field += '"';
        }
        i++;
      } else if (c === 44) {
        this.row.push(field);
        field = '';
        this.afterQuote = false;
        i++;
      } else if (c === 10 || c === 13) {
        this.row.push(field);
        field = '';
        this.afterQuote = false;
        this.emit();
        if (c === 13) {
          if (i + 1 < n) {
            if (text.charCodeAt(i + 1) === 10) i++;
          } else {
            this.pendingCr = true;
          }
        }
        i++;
      } else {
        // Plain run of characters up to the next special one.
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 44 || d === 10 || d === 13 || d === 34) break;
          j++;
        }
        field += text.slice(i, j);
        this.afterQuote = false;
        i = j;
      }
    }
    this.field = field;
  }

  /**
   * Ends the input. A last line without a line break is a row when it is complete; Locust's
   * buffered history file can end in the middle of a row, which the caller drops by its width.
   */
  end(): void {
    if (this.field !== '' || this.row.length > 0) {
      this.row.push(this.field);
      this.field = '';
      this.emit();
    }
  }

  private emit(): void {
    const row = this.row;
    this.row = [];
    this.rows++;
    if (row.length === 1 && row[0] === '') return; // blank line
    this.onRow(row);
  }
}

/** Parses a whole CSV text into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const reader = new CsvReader((r) => rows.push(r));
  reader.push(text);
  reader.end();
  return rows;
}
