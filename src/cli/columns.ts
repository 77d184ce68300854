import { displayWidth, escapeControl, pad } from '../report/format.js';

/**
 * Text columns for list output, with a header row. Widths are terminal columns (Korean and emoji
 * count 2); columns named in `right` (numbers) are right-aligned. Names come from tested code: no
 * control character reaches the terminal raw.
 */
export function formatColumns(header: readonly string[], given: readonly (readonly string[])[], right: readonly number[] = []): string {
  const rows = given.map((r) => r.map(escapeControl));
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.includes(i) ? pad(c, widths[i]!, 'right') : i === cells.length - 1 ? c : pad(c, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
