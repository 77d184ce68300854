#!/usr/bin/env node
/*
 * Runs every benchmark in this directory (each bench/*.mjs other than this file), one after the
 * other, each in its own process so none warms the next. `npm run bench` builds first.
 *
 *   node bench/run.mjs [name ...]     only the named benchmarks (file names without .mjs)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== self && !f.startsWith('_'))
  .filter((f) => !only.length || only.includes(f.replace(/\.mjs$/, '')))
  .sort();

const failed = [];
for (const file of benches) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit', cwd: join(here, '..') });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) failed.push(`${file} (exit ${r.status ?? r.signal})`);
  process.stdout.write(`=== ${file}: ${r.status === 0 ? 'done' : 'FAILED'} in ${seconds}s ===\n`);
}
if (failed.length) {
  process.stdout.write(`\nbenchmarks that failed to run: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
