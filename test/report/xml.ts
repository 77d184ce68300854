import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

/** The Jenkins xUnit (Surefire-compatible) schema our JUnit output must satisfy. */
export const JENKINS_XSD = `${REFERENCE}/junit/jenkins-xunit-plugin-junit-10.xsd`;
export const JUNIT_REFERENCE_DIR = `${REFERENCE}/junit`;

/** Validates XML text with xmllint against the Jenkins schema; returns xmllint's verdict and messages. */
export function validateWithXmllint(xml: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shopfds-junit-'));
  try {
    const file = join(dir, 'report.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', JENKINS_XSD, file], { encoding: 'utf8' });
    if (r.error) throw new Error(`xmllint could not run (apt-get install -y libxml2-utils): ${r.error.message}`);
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ARRAYS = new Set(['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped', 'flakyFailure', 'flakyError', 'rerunFailure', 'rerunError', 'system-out', 'system-err']);

export interface ParsedCase {
  name: string;
  classname: string;
  time: string;
  failure: { message?: string; type?: string; '#text'?: string }[];
  error: { message?: string; type?: string; '#text'?: string }[];
  skipped: { message?: string }[];
  flakyFailure: { message?: string; type?: string }[];
  flakyError: { message?: string; type?: string }[];
  rerunFailure: { message?: string; type?: string }[];
  rerunError: { message?: string; type?: string }[];
  'system-out': string[];
}

export interface ParsedSuite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped?: string;
  time?: string;
  hostname?: string;
  properties?: { property: { name: string; value: string }[] };
  testcase?: ParsedCase[];
}

/** Parses JUnit XML the way a CI server would read it back. */
export function parseJunit(xml: string): { testsuites: { name?: string; tests: string; failures: string; errors: string; time?: string; testsuite?: ParsedSuite[] } } {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    htmlEntities: true,
    isArray: (name, _jpath, _leaf, isAttribute) => !isAttribute && ARRAYS.has(name),
  });
  return parser.parse(xml);
}

/** All testcases of a parsed document, with defaults for absent child lists. */
export function allCases(doc: ReturnType<typeof parseJunit>): (ParsedCase & { suite: ParsedSuite })[] {
  return (doc.testsuites.testsuite ?? []).flatMap((suite) =>
    (suite.testcase ?? []).map((c) => ({
      ...c,
      failure: c.failure ?? [],
      error: c.error ?? [],
      skipped: c.skipped ?? [],
      flakyFailure: c.flakyFailure ?? [],
      flakyError: c.flakyError ?? [],
      rerunFailure: c.rerunFailure ?? [],
      rerunError: c.rerunError ?? [],
      'system-out': c['system-out'] ?? [],
      suite,
    })),
  );
}
