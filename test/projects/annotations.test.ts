import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/model/index.js';
import { githubAnnotations } from '../../src/report/github.js';
import { validateWithXmllint } from '../report/xml.js';
import { REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { copyPlaywrightProject, requireChromium, runPlaywrightDirectly } from './playwright-project.js';

/*
 * Failures point at the user's files: GitHub Actions `::error` annotations (the scenario YAML and
 * the failed step's line for scenarios, the spec file and line for Playwright specs) and JUnit
 * testcases that carry file and line. Real Chromium, real Playwright, the bundled demo shop.
 */

const SCENARIO = join(REPO_ROOT, 'test', 'fixtures', 'scenario-project', 'scenarios', 'catalog-badge.yaml');
let tmp: ReturnType<typeof makeTempDir>;

beforeAll(() => {
  requireChromium();
  tmp = makeTempDir('shopfds-annotations-');
});
afterAll(() => tmp?.cleanup());

describe('failures point at the user\'s files (item 13)', () => {
  it('annotates a failed scenario at its YAML file and the failed step\'s line on GitHub Actions', async () => {
    const db = join(tmp.dir, 'scenario.db');
    const junit = join(tmp.dir, 'scenario.xml');
    const env = cliEnv({ GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: 'run-5', GITHUB_SHA: 'abc' });
    const result = await runBin(['--db', db, 'e2e', SCENARIO, '--junit', junit], { cwd: REPO_ROOT, env, timeoutMs: 170_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(1);
    const file = 'test/fixtures/scenario-project/scenarios/catalog-badge.yaml';
    const stepLine = readFileSync(SCENARIO, 'utf8').split('\n').findIndex((l) => l.includes('- name: Wait for the holiday sale badge')) + 1;
    const annotations = result.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(new RegExp(`^::error file=${file.replace(/\./g, '\\.')},line=${stepLine},title=`));
    expect(annotations[0]).toContain('::step 3 (Wait for the holiday sale badge)');
    // JUnit: the testcase carries the scenario file and the failed step's line, and stays valid.
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`[[PROPERTY|file=${file}]]`);
    expect(xml).toContain(`[[PROPERTY|error_location=${file}:${stepLine}]]`);
    const valid = validateWithXmllint(xml);
    expect(valid.ok, valid.output).toBe(true);
  }, 200_000);

  it('annotates a failed Playwright spec at its file and line, relative to the repository', async () => {
    const project = copyPlaywrightProject(tmp.dir);
    const report = join(tmp.dir, 'spec.json');
    expect(await runPlaywrightDirectly(project, ['--project=chromium', 'checkout'], report)).toBe(1);
    const db = join(tmp.dir, 'spec.db');
    const imported = await runBin(['--db', db, '--json', 'import', report, '--format', 'playwright-json'], { cwd: tmp.dir, env: cliEnv(), timeoutMs: 60_000 });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const id = (JSON.parse(imported.stdout) as { id: string }[] | { id: string });
    const runId = Array.isArray(id) ? id[0]!.id : id.id;
    const run = JSON.parse((await runBin(['--db', db, '--json', 'runs', 'show', runId], { cwd: tmp.dir, env: cliEnv() })).stdout) as Run;
    const lines = githubAnnotations(run, { cwd: tmp.dir });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^::error file=project\/tests\/checkout\.spec\.ts,line=6,col=\d+,title=checkout\.spec\.ts › shows the order confirmation number after a successful card payment with saved address \[chromium\]::Error: /);
    expect(lines[0]).toContain('%0AExpected: "ORD-1042"%0AReceived: "ORD-0000"');
    const junit = await runBin(['--db', db, 'report', runId, '--format', 'junit'], { cwd: tmp.dir, env: cliEnv() });
    expect(junit.stdout).toContain('[[PROPERTY|file=tests/checkout.spec.ts]]');
    expect(junit.stdout).toContain('[[PROPERTY|line=3]]');
    const valid = validateWithXmllint(junit.stdout);
    expect(valid.ok, valid.output).toBe(true);
  }, 200_000);
});
