import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { RunStore } from '../../src/store/types.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderTable } from '../../src/report/table.js';
import { makeTempDir } from '../helpers/cli.js';
import { apiRun, canaryRun, chaosRun, largeRun, normalRun, perfRun, scenarioRun } from './fixtures.js';

/*
 * `report <run>` must print exactly what the live run printed: a run read back from the store renders
 * to the same text as the run before it was saved.
 */

let tmp: ReturnType<typeof makeTempDir>;
let store: RunStore;
beforeEach(async () => {
  tmp = makeTempDir('shopfds-stored-render-');
  store = await openStore(join(tmp.dir, 'results.db'));
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  tmp.cleanup();
});

describe('renderers on stored runs (SQLite)', () => {
  it('render a run read back from the store exactly like the run that was saved', async () => {
    const runs = [normalRun(), perfRun(), apiRun(), chaosRun(), canaryRun(), scenarioRun(), largeRun(300)];
    const ids = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333', '44444444-4444-4444-8444-444444444444', '55555555-5555-4555-8555-555555555555', '66666666-6666-4666-8666-666666666666', '77777777-7777-4777-8777-777777777777'];
    for (const [i, original] of runs.entries()) {
      const run = { ...original, id: ids[i]! };
      await store.saveRun(run);
      const loaded = await store.getRun(run.id);
      expect(loaded).not.toBeNull();
      for (const detail of ['summary', 'full'] as const) {
        expect(renderTable(loaded!, { color: false, detail })).toBe(renderTable(run, { color: false, detail }));
        expect(renderTable(loaded!, { color: true, detail, width: 90 })).toBe(renderTable(run, { color: true, detail, width: 90 }));
      }
      expect(renderJunit(loaded!)).toBe(renderJunit(run));
      expect(renderMarkdown(loaded!)).toBe(renderMarkdown(run));
    }
  });
});
