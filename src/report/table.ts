import type { Renderer } from './types.js';
import { isFailure } from '../model/index.js';

/** The summary printed at the end of a live run (and by `report`). */
export const tableRenderer: Renderer = {
  name: 'table',
  extension: 'txt',
  render(run) {
    const t = run.totals;
    const lines = [
      `${run.kind} ${run.name}: ${run.status.toUpperCase()} (${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.flaky} flaky) in ${(run.durationMs / 1000).toFixed(1)}s`,
    ];
    for (const c of run.cases.filter(isFailure)) {
      lines.push(`  ✗ ${[...c.suitePath, c.name].join(' › ')}${c.errorMessage ? `: ${c.errorMessage.split('\n')[0]}` : ''}`);
    }
    if (run.errorMessage) lines.push(`  error: ${run.errorMessage}`);
    lines.push(`run ${run.id}`);
    return `${lines.join('\n')}\n`;
  },
};
