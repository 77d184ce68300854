import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The layering of STYLE.md section 1, checked on every import in src/:
 * cli -> config | adapters | store | report | demo | plan -> model. `model` imports nothing of ours;
 * adapters, store and report never import each other; only src/exec spawns processes.
 */

const SRC = resolve(__dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)) found.add(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.add(m[1]!);
  return [...found];
}

function layer(path: string): string {
  return relative(SRC, path).split('/')[0]!;
}

const ALLOWED: Record<string, readonly string[]> = {
  model: ['model'],
  config: ['config', 'model'],
  adapters: ['adapters', 'model', 'exec'],
  store: ['store', 'model'],
  report: ['report', 'model'],
  exec: ['exec', 'model'],
  demo: ['demo'],
  plan: ['plan', 'model'],
  cli: ['cli', 'config', 'adapters', 'store', 'report', 'model', 'exec', 'demo', 'plan'],
};

const SPAWNERS = ['execa', 'node:child_process', 'child_process'];

describe('architecture', () => {
  const all = files(SRC);

  it('finds the source tree', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it.each(all.map((f) => [relative(SRC, f), f] as const))('%s imports only what its layer may', (_name, file) => {
    const from = layer(file);
    const allowed = ALLOWED[from];
    expect(allowed, `unknown layer ${from}`).toBeDefined();
    for (const spec of imports(file)) {
      if (spec.startsWith('.')) {
        const target = layer(resolve(dirname(file), spec));
        expect(allowed, `${relative(SRC, file)} imports ${spec} (${from} -> ${target})`).toContain(target);
      } else if (SPAWNERS.includes(spec)) {
        expect(from, `${relative(SRC, file)} spawns processes outside src/exec`).toBe('exec');
      }
    }
  });
});
