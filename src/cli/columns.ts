import { escapeControl } from '../report/format.js';
/** Left-aligned text columns for list output, with a header row. */
export function formatColumns(header: readonly string[], given: readonly (readonly string[])[]): string {
  // Names come from tested code: no control character reaches the terminal raw.
  const rows = given.map((r) => r.map(escapeControl));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
