import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateProject, generateSpec } from '../../src/adapters/playwright/generate.js';
import { loadScenarios, parseScenarioText } from '../../src/adapters/playwright/load-scenarios.js';
import { scenarioJsonSchema, type LoadedScenario } from '../../src/adapters/playwright/scenario.js';

const REPO = resolve(__dirname, '../..');

const valid = `
name: Checkout works
test_type: smoke
steps:
  - { name: Open, action: goto, url: / }
  - { action: fill, selector: '#email', value: 'u-{{unique}}@x.test' }
expected_results:
  - { type: url, value: /cart }
  - { type: count, selector: li, value: 2 }
`;

describe('scenario files', () => {
  it('accepts every example scenario and fills the seed defaults', () => {
    const files = readdirSync(resolve(REPO, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    const result = loadScenarios(REPO, ['scenarios'], { createdBy: 'tester' });
    expect(result.issues).toEqual([]);
    expect(result.scenarios).toHaveLength(files.length);
    // scenarios/chaos/ holds chaos experiments, not scenarios.
    expect(result.scenarios.every((s) => !s.file.includes('chaos/'))).toBe(true);

    const parsed = parseScenarioText('a.yaml', valid, { createdBy: 'tester' });
    expect(parsed.issues).toEqual([]);
    expect(parsed.scenarios[0]!.scenario).toMatchObject({
      browser: 'chromium',
      viewport: { width: 1280, height: 720 },
      status: 'active',
      priority: 'medium',
      timeout_ms: 30000,
      retry_count: 0,
      tags: [],
      created_by: 'tester',
    });
  });

  it('reports every problem as file: scenario: field: message', () => {
    const text = `
name: Broken
test_type: exploratory
browser: edge
timeout_ms: 100
retry_count: 9
steps:
  - { action: click }
  - { action: teleport, selector: '#x' }
  - { selector: '#y' }
expected_results:
  - { type: colour, value: red }
surprise: true
`;
    const { issues, scenarios } = parseScenarioText('scenarios/broken.yaml', text, { createdBy: 't' });
    expect(scenarios).toEqual([]);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^scenarios\/broken\.yaml: Broken: test_type: /),
        expect.stringMatching(/^scenarios\/broken\.yaml: Broken: browser: /),
        expect.stringMatching(/^scenarios\/broken\.yaml: Broken: timeout_ms: /),
        expect.stringMatching(/^scenarios\/broken\.yaml: Broken: retry_count: /),
        'scenarios/broken.yaml: Broken: steps.0.selector: required',
        expect.stringMatching(/^scenarios\/broken\.yaml: Broken: steps\.1\.action: must be one of goto, click, /),
        expect.stringMatching(/^scenarios\/broken\.yaml: Broken: steps\.2\.action: /),
        expect.stringMatching(/^scenarios\/broken\.yaml: Broken: expected_results\.0\.type: must be one of url, title, /),
        'scenarios/broken.yaml: Broken: (scenario): unknown field "surprise"',
      ]),
    );
    expect(parseScenarioText('x.yaml', 'name: [unclosed', { createdBy: 't' }).issues[0]).toMatch(/^x\.yaml: \(file\): not valid YAML/);
    expect(parseScenarioText('x.json', JSON.stringify({ test_type: 'smoke', steps: [] }), { createdBy: 't' }).issues).toEqual([
      'x.json: (unnamed): name: required',
      'x.json: (unnamed): steps: needs at least one step',
    ]);
  });

  it('prints a JSON Schema with the step actions and expected result types', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'test_type', 'steps']));
    const text = JSON.stringify(schema);
    for (const word of ['goto', 'wait_for', 'screenshot', 'visible', 'hidden', 'count']) expect(text).toContain(`"${word}"`);
  });
});

describe('generated Playwright project', () => {
  const loaded: LoadedScenario = parseScenarioText('scenarios/a.yaml', valid, { createdBy: 't' }).scenarios[0]!;

  it('turns each step and expected result into a test.step, with {{unique}} replaced per attempt', () => {
    const { source, stepTitles } = generateSpec(loaded, { playwrightTestUrl: 'file:///pw/index.mjs', retries: 3 });
    expect(stepTitles).toEqual(['Open', 'fill #email', 'expect url "/cart"', 'expect 2 × li']);
    expect(source).toContain('import { test, expect } from "file:///pw/index.mjs";');
    expect(source).toContain('test.describe.configure({ retries: 3, timeout: 30000 });');
    expect(source).toContain('test.use({ viewport: {"width":1280,"height":720} });');
    expect(source).toContain('await page.locator("#email").fill(v("u-{{unique}}@x.test"));');
    expect(source).toContain('await expect(page.locator("li")).toHaveCount(2);');
    expect(source.match(/await test\.step\(/g)).toHaveLength(4);
  });

  it('writes a config with the JSON reporter, the base URL from the environment and the browser launch', () => {
    const project = generateProject([loaded], {
      playwrightTestUrl: 'file:///pw/index.mjs',
      launches: [{ browser: 'chromium', executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] }],
      jsonReportFile: 'report.json',
      progressReporterFile: 'progress-reporter.mjs',
    });
    expect([...project.files.keys()].sort()).toEqual(['checkout-works.spec.mjs', 'playwright.config.mjs', 'progress-reporter.mjs']);
    const config = project.files.get('playwright.config.mjs')!;
    // Per-run values come from the environment, so the files stay identical from run to run.
    expect(config).toContain(`reporter: [['json', { outputFile: env.SHOPFDS_JSON_REPORT || "./report.json" }], ["./progress-reporter.mjs"]]`);
    expect(config).toContain('baseURL: env.SHOPFDS_BASE_URL || "http://127.0.0.1:3000"');
    expect(project.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(config).toContain('"executablePath":"/usr/bin/chromium"');
  });
});
