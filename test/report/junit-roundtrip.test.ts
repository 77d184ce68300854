import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJunit } from '../../src/adapters/junit/import.js';
import type { ImportBase } from '../../src/adapters/import-types.js';
import { validateRun, type Run } from '../../src/model/index.js';
import { renderJunit } from '../../src/report/junit.js';
import { normalRun, makeRun } from './fixtures.js';
import { JUNIT_REFERENCE_DIR, allCases, parseJunit, validateWithXmllint } from './xml.js';

const base: ImportBase = {
  id: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
  name: null,
  environment: 'local',
  executedBy: 'tester',
  ci: null,
  runGroup: null,
  importedAt: '2025-06-01T12:00:00.000Z',
  kind: null,
};

const references = readdirSync(JUNIT_REFERENCE_DIR).filter((f) => f.endsWith('.xml'));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shopfds-roundtrip-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function importFile(file: string, id = base.id): Promise<Run> {
  const checked = validateRun(await importJunit(file, { ...base, id }));
  if (!checked.ok) throw new Error(checked.issues.join('; '));
  return checked.run;
}

async function reimport(xml: string, name: string): Promise<Run> {
  const file = join(dir, name);
  writeFileSync(file, xml);
  return importFile(file, '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d');
}

describe('JUnit round trip', () => {
  it('covers every reference file', () => {
    expect(references.length).toBeGreaterThanOrEqual(6);
  });

  for (const ref of references) {
    it(`${ref}: import, render valid JUnit, and import again with the same counts`, async () => {
      const run = await importFile(join(JUNIT_REFERENCE_DIR, ref));
      const xml = renderJunit(run);
      const verdict = validateWithXmllint(xml);
      expect(verdict.output).toContain('validates');
      expect(verdict.ok).toBe(true);

      const doc = parseJunit(xml);
      const cases = allCases(doc);
      expect(cases).toHaveLength(run.totals.total);
      expect(Number(doc.testsuites.failures) + Number(doc.testsuites.errors)).toBe(run.totals.failed);
      expect(cases.filter((c) => c.skipped.length)).toHaveLength(run.totals.skipped);

      const again = await reimport(xml, ref);
      expect(again.totals).toEqual(run.totals);
      expect(again.status).toBe(run.status);
      expect(again.kind).toBe(run.kind);
      expect(again.name).toBe(run.name);
      expect(again.tool.name).toBe(run.tool.name);
      expect(again.startedAt).toBe(run.startedAt);
      expect(again.cases.map((c) => [c.suitePath, c.name, c.status, c.project, c.attempts.length])).toEqual(
        run.cases.map((c) => [c.suitePath, c.name, c.status, c.project, c.attempts.length]),
      );
      expect(again.cases.map((c) => c.artifacts.map((a) => a.path))).toEqual(run.cases.map((c) => c.artifacts.map((a) => a.path)));
      expect(again.cases.map((c) => c.errorMessage)).toEqual(run.cases.map((c) => c.errorMessage));
      expect(again.cases.map((c) => c.properties)).toEqual(run.cases.map((c) => c.properties));
    });
  }

  it('keeps flaky attempts, reruns, timeouts and the run error through render and import', async () => {
    const source = normalRun();
    const withError = makeRun({
      cases: source.cases.map((c) => ({ ...c, attempts: c.attempts.map((a) => a.status) })),
      errorMessage: 'playwright crashed after the last test',
    });
    const again = await reimport(renderJunit(withError), 'own.xml');
    expect(again.totals).toEqual(withError.totals);
    expect(again.status).toBe('failed');
    expect(again.errorMessage).toBe('playwright crashed after the last test');
    expect(again.tool).toEqual({ name: 'playwright', version: '1.65.1', commandLine: null });
    expect(again.cases.map((c) => c.attempts.map((a) => a.status))).toEqual(withError.cases.map((c) => c.attempts.map((a) => a.status)));
    expect(again.cases.map((c) => c.status)).toEqual(withError.cases.map((c) => c.status));
    expect(again.cases[4]!.properties).toEqual({ skip: 'not in this release' });
    expect(again.cases[5]!.stdout).toBe('logged in');
  });

  it('keeps an error run without cases an error run', async () => {
    const run = makeRun({ cases: [], errorMessage: 'k6 not found on PATH', kind: 'perf', name: 'load', tool: { name: 'k6', version: null, commandLine: null } });
    const again = await reimport(renderJunit(run), 'error-run.xml');
    expect(again.status).toBe('error');
    expect(again.kind).toBe('perf');
    expect(again.totals.total).toBe(0);
    expect(again.errorMessage).toBe('k6 not found on PATH');
  });
});
