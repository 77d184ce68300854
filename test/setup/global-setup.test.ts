import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { staleReason } from './global-setup.js';

/* The global setup rebuilds dist/ when a source is newer than its output, so tests never run stale code. */

let tmp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => tmp?.cleanup());

function project(): string {
  tmp = makeTempDir('shopfds-stale-');
  const root = tmp.dir;
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
  const at = (file: string, seconds: number, text = '') => {
    writeFileSync(join(root, file), text);
    utimesSync(join(root, file), seconds, seconds);
  };
  at('tsconfig.json', 1000, '{}');
  at('package.json', 1000, '{}');
  at('src/cli/main.ts', 2000);
  at('src/types.d.ts', 9000);
  at('dist/cli/main.js', 3000);
  return root;
}

describe('dist/ freshness', () => {
  it('is fresh when every output is newer than its source and the settings', () => {
    expect(staleReason(project())).toBeNull();
  });

  it('is stale when a source changed after the build', () => {
    const root = project();
    utimesSync(join(root, 'src/cli/main.ts'), 4000, 4000);
    expect(staleReason(root)).toBe('src/cli/main.ts is newer than its build');
  });

  it('is stale when a source has no output yet', () => {
    const root = project();
    writeFileSync(join(root, 'src', 'new.ts'), '');
    expect(staleReason(root)).toBe('dist/new.js is missing');
  });

  it('is stale when tsconfig.json changed after the build', () => {
    const root = project();
    utimesSync(join(root, 'tsconfig.json'), 5000, 5000);
    expect(staleReason(root)).toMatch(/^tsconfig.json or package.json is newer than dist\/cli\/main.js/);
  });

  it('the repository itself is fresh once the global setup has run', () => {
    expect(staleReason()).toBeNull();
  });
});
