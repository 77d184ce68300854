import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runBin } from '../helpers/cli.js';

describe('config file errors (the built bin)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => void (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  it('prints every problem as "file: path.key: message" and exits 2, writing nothing', async () => {
    writeFileSync(join(tmp.dir, 'shopfds.config.json'), JSON.stringify({ environment: 'qa', e2e: { retries: 'two' }, colour: true }));
    const r = await runBin(['runs', 'list'], { cwd: tmp.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^shopfds-test: error E_CONFIG_KEY: shopfds\.config\.json: environment: .+/),
        expect.stringMatching(/^shopfds-test: error E_CONFIG_KEY: shopfds\.config\.json: e2e\.retries: .*number.*/i),
        'shopfds-test: error E_CONFIG_KEY: shopfds.config.json: colour: unknown key',
      ]),
    );
    expect(lines).toHaveLength(3);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Nothing was created: no store, no state directory.
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(tmp.dir)).toEqual(['shopfds.config.json']);
  });

  it('reports a YAML config with a nested unknown key the same way', async () => {
    writeFileSync(join(tmp.dir, 'shopfds.config.yaml'), 'api:\n  timeoutRequestMs: -5\n  colections: x\n');
    const r = await runBin(['db', 'status'], { cwd: tmp.dir });
    expect(r.exitCode).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^shopfds-test: error E_CONFIG_KEY: shopfds\.config\.yaml: api\.timeoutRequestMs: .+/),
        'shopfds-test: error E_CONFIG_KEY: shopfds.config.yaml: api.colections: unknown key',
      ]),
    );
  });

  it('reports a config file that is not valid JSON in one line', async () => {
    writeFileSync(join(tmp.dir, 'shopfds.config.json'), '{ "db": ');
    const r = await runBin(['runs', 'list'], { cwd: tmp.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^shopfds-test: error E_CONFIG_KEY: shopfds\.config\.json: not valid JSON/);
  });

  it('uses a valid config file: its db is the store', async () => {
    writeFileSync(join(tmp.dir, 'shopfds.config.json'), JSON.stringify({ db: 'from-config.db', environment: 'staging' }));
    const r = await runBin(['db', 'status', '--json'], { cwd: tmp.dir });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).store).toBe(join(tmp.dir, 'from-config.db'));
  });
});
