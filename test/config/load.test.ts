import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { ConfigError } from '../../src/model/errors.js';

describe('loadConfigFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shopfds-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns empty values when there is no config file', async () => {
    expect(await loadConfigFile(dir)).toEqual({ file: null, values: {} });
  });

  it('reads YAML and JSON', async () => {
    writeFileSync(join(dir, 'shopfds.config.yaml'), 'environment: staging\nchaos:\n  approvers: [alice, bob]\n');
    const loaded = await loadConfigFile(dir);
    expect(loaded.file).toBe(join(dir, 'shopfds.config.yaml'));
    expect(loaded.values).toEqual({ environment: 'staging', chaos: { approvers: ['alice', 'bob'] } });
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ db: 'postgres://x@h/db' }));
    expect((await loadConfigFile(dir, 'other.json')).values).toEqual({ db: 'postgres://x@h/db' });
  });

  it('collects every problem as file: path.key: message', async () => {
    writeFileSync(join(dir, 'shopfds.config.json'), JSON.stringify({ environment: 'prod', e2e: { retries: 9, colour: true }, typo: 1 }));
    const error = await loadConfigFile(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(4);
    expect(issues.every((i) => i.startsWith('shopfds.config.json: '))).toBe(true);
    expect(issues.some((i) => i.startsWith('shopfds.config.json: environment: '))).toBe(true);
    expect(issues.some((i) => i.startsWith('shopfds.config.json: e2e.retries: '))).toBe(true);
    expect(issues).toContain('shopfds.config.json: e2e.colour: unknown key');
    expect(issues).toContain('shopfds.config.json: typo: unknown key');
  });

  it('reports unparseable files in one line', async () => {
    writeFileSync(join(dir, 'shopfds.config.json'), '{ "db": ');
    const error = (await loadConfigFile(dir).catch((e: unknown) => e)) as ConfigError;
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(/^shopfds\.config\.json: not valid JSON: /);
  });

  it('reports a missing explicit config file', async () => {
    const error = (await loadConfigFile(dir, 'nope.yaml').catch((e: unknown) => e)) as ConfigError;
    expect(error.issues[0]).toBe('nope.yaml: cannot read: ENOENT');
  });
});
