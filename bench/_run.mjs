/*
 * Shared by the benchmarks (files starting with _ are not run by bench/run.mjs): runs and cases made
 * with the model's own makeRun/makeCase (dist/), with the defaults a benchmark does not care about,
 * and checked by validateRun so a benchmark never measures a run the CLI could not have stored.
 */
import { randomUUID } from 'node:crypto';

const model = await import(new URL('../dist/model/index.js', import.meta.url).href);

/** A case: makeCase with the given fields (attempts default to one with the case's status). */
export function benchCase(fields) {
  return model.makeCase(fields);
}

/**
 * A validated run: makeRun with a fresh id, kind e2e, a local manual run by `bench` and no kind
 * record unless the fields say otherwise. Totals and status come from the cases.
 */
export function benchRun(fields) {
  const run = model.makeRun({
    id: randomUUID(),
    kind: 'e2e',
    environment: 'local',
    trigger: 'manual',
    executedBy: 'bench',
    ci: null,
    runGroup: null,
    tool: { name: 'playwright', version: '1.65.1', commandLine: null },
    details: null,
    ...fields,
  });
  const checked = model.validateRun(run);
  if (!checked.ok) throw new Error(`bench run is invalid: ${checked.issues.slice(0, 3).join('; ')}`);
  return checked.run;
}
