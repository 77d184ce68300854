import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/report/format.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderTable } from '../../src/report/table.js';
import { makeCase, makeRun } from '../helpers/fixtures.js';

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;
const hostile = 'title \u001b]0;pwned\u0007 \u001b[2J\u001b[31mred\u001b[0m\r over \u0008\u202e evil \u009b2J';

describe('control characters from tested code never reach the terminal raw', () => {
  it('drops escape sequences and shows other control characters as visible escapes', () => {
    expect(escapeControl('a\u001b[31mred\u001b[0m b')).toBe('ared b');
    expect(escapeControl('t\u001b]0;title\u0007x')).toBe('tx');
    expect(escapeControl('bell\u0007 cr\r bs\u0008 rlo\u202e')).toBe('bell\\x07 cr\\r bs\\x08 rlo\\u202e');
    expect(escapeControl('plain\nlines\tand tabs')).toBe('plain\nlines\tand tabs');
  });

  it('in the table (runs show --no-color) and in Markdown, for names, messages, output and metadata', () => {
    const run = makeRun({
      name: hostile,
      errorMessage: hostile,
      metadata: { [`key${'\u001b[2J'}`]: hostile },
      cases: [makeCase({ name: hostile, status: 'failed', errorMessage: hostile, suitePath: [hostile], project: hostile })],
    });
    for (const text of [renderTable(run, { color: false, width: 120, detail: 'full' }), renderTable(run, { color: false, width: 120 }), renderMarkdown(run)]) {
      expect(RAW_CONTROL.test(text), JSON.stringify(text.slice(0, 400))).toBe(false);
      expect(text).toContain('over');
    }
  });

  it('colours chosen by the renderer itself still come through', () => {
    const run = makeRun({ name: hostile, cases: [makeCase({ status: 'failed', name: hostile })] });
    const colored = renderTable(run, { color: true, width: 120 });
    expect(colored).toContain('\u001b[');
    expect(colored).not.toContain('\u001b]0;');
    expect(colored).not.toContain('\u001b[2J');
  });
});
