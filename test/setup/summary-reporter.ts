import type { Reporter } from 'vitest/reporters';

interface TaskLike {
  type: string;
  mode?: string;
  result?: { state?: string };
  tasks?: TaskLike[];
}

/** Prints the plain closing line `N passed, N failed, N skipped` that any CI log reader understands. */
export default class SummaryReporter implements Reporter {
  onFinished(files: readonly TaskLike[] = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const visit = (task: TaskLike) => {
      if (task.tasks) task.tasks.forEach(visit);
      if (task.type !== 'test') return;
      const state = task.result?.state;
      if (state === 'pass') passed++;
      else if (state === 'fail') failed++;
      else skipped++;
    };
    files.forEach((f) => {
      visit(f);
      // A file that failed to load counts as a failure even though it has no tests.
      if (f.result?.state === 'fail' && !f.tasks?.length) failed++;
    });
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
