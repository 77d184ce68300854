import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// A structural check of the example scenarios against the E2E Test Scenario form of the design;
// the authoritative schema lives with the E2E runner.
const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
const pageSource = ['html.ts', 'pages.ts']
  .map((f) => readFileSync(fileURLToPath(new URL(`../../src/demo/${f}`, import.meta.url)), 'utf8'))
  .join('\n');

const TEST_TYPES = ['functional', 'regression', 'smoke', 'integration'];
const BROWSERS = ['chromium', 'firefox', 'webkit'];
const STATUSES = ['draft', 'active', 'archived'];
const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const ACTIONS: Record<string, readonly string[]> = {
  goto: ['url'],
  click: ['selector'],
  fill: ['selector', 'value'],
  select: ['selector', 'value'],
  check: ['selector'],
  uncheck: ['selector'],
  press: ['key'],
  hover: ['selector'],
  wait_for: ['selector'],
  screenshot: [],
  reload: [],
};
const STEP_KEYS = new Set(['action', 'selector', 'value', 'url', 'key', 'name', 'timeout_ms']);
const EXPECTATIONS: Record<string, readonly string[]> = {
  url: ['value'],
  visible: ['selector'],
  hidden: ['selector'],
  text: ['selector', 'value'],
  title: ['value'],
  count: ['selector', 'value'],
  value: ['selector', 'value'],
};
const REQUIRED = ['name', 'test_type', 'browser', 'viewport', 'steps', 'expected_results', 'status', 'priority', 'timeout_ms', 'retry_count', 'created_by'];

const scenarios = files.map((file) => ({ file, data: parse(readFileSync(dir + file, 'utf8')) as Record<string, any> }));

/** Every data-testid a selector names must be rendered by the shop (literally or as a `prefix-${id}` family). */
function testIdsIn(selector: string): string[] {
  return [...selector.matchAll(/data-testid=["']?([\w-]+)/g)].map((m) => m[1]!);
}
function rendered(testId: string): boolean {
  if (pageSource.includes(`data-testid="${testId}"`) || pageSource.includes(`testId: '${testId}'`)) return true;
  const family = /^(.*-)p-\d{3}$/.exec(testId);
  return family ? pageSource.includes(`data-testid="${family[1]}\${`) : false;
}

describe('scenarios/*.yaml', () => {
  it('has at least six scenarios with unique names and one draft', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    const names = scenarios.map((s) => s.data.name);
    expect(new Set(names).size).toBe(names.length);
    expect(scenarios.some((s) => s.data.status === 'draft')).toBe(true);
  });

  it.each(scenarios.map((s) => [s.file, s.data] as const))('%s follows the E2E Test Scenario form', (file, s) => {
    for (const field of REQUIRED) expect(s, `${file}: ${field}`).toHaveProperty(field);
    expect(typeof s.name === 'string' && s.name.length > 0 && s.name.length <= 255).toBe(true);
    expect(TEST_TYPES).toContain(s.test_type);
    expect(BROWSERS).toContain(s.browser);
    expect(STATUSES).toContain(s.status);
    expect(PRIORITIES).toContain(s.priority);
    expect(Number.isInteger(s.viewport.width) && s.viewport.width > 0).toBe(true);
    expect(Number.isInteger(s.viewport.height) && s.viewport.height > 0).toBe(true);
    expect(Number.isInteger(s.timeout_ms) && s.timeout_ms >= 5000 && s.timeout_ms <= 600000).toBe(true);
    expect(Number.isInteger(s.retry_count) && s.retry_count >= 0 && s.retry_count <= 5).toBe(true);
    expect(typeof s.created_by === 'string' && s.created_by.length > 0 && s.created_by.length <= 100).toBe(true);
    if (s.description !== undefined) expect(typeof s.description).toBe('string');
    if (s.tags !== undefined) expect(Array.isArray(s.tags) && s.tags.every((t: unknown) => typeof t === 'string')).toBe(true);

    expect(Array.isArray(s.steps) && s.steps.length > 0).toBe(true);
    s.steps.forEach((step: Record<string, unknown>, i: number) => {
      const where = `${file} step ${i + 1}`;
      expect(Object.keys(ACTIONS), where).toContain(step.action);
      for (const key of Object.keys(step)) expect(STEP_KEYS.has(key), `${where}: unknown key ${key}`).toBe(true);
      for (const key of ACTIONS[step.action as string]!) expect(step, where).toHaveProperty(key);
      expect(typeof step.name === 'string' && step.name.length > 0, `${where}: name`).toBe(true);
      if (step.url !== undefined) expect(String(step.url), where).toMatch(/^\//);
      if (step.timeout_ms !== undefined) expect(Number.isInteger(step.timeout_ms), where).toBe(true);
      if (typeof step.selector === 'string') for (const id of testIdsIn(step.selector)) expect(rendered(id), `${where}: ${id}`).toBe(true);
    });

    expect(Array.isArray(s.expected_results) && s.expected_results.length > 0).toBe(true);
    s.expected_results.forEach((exp: Record<string, unknown>, i: number) => {
      const where = `${file} expectation ${i + 1}`;
      expect(Object.keys(EXPECTATIONS), where).toContain(exp.type);
      for (const key of EXPECTATIONS[exp.type as string]!) expect(exp, where).toHaveProperty(key);
      if (exp.type === 'count') expect(Number.isInteger(Number(exp.value)), where).toBe(true);
      if (exp.type === 'url') expect(String(exp.value), where).toMatch(/^\//);
      if (typeof exp.selector === 'string') for (const id of testIdsIn(exp.selector)) expect(rendered(id), `${where}: ${id}`).toBe(true);
    });
  });

  it('signup scenarios use the {{unique}} placeholder so they can run again against the same shop', () => {
    for (const { file, data } of scenarios) {
      const signsUp = data.steps.some((s: { action: string; url?: string }) => s.action === 'goto' && s.url === '/signup');
      if (!signsUp) continue;
      const email = data.steps.find((s: { selector?: string }) => s.selector?.includes('signup-email'));
      expect(email?.value, file).toContain('{{unique}}');
    }
  });

  it('covers signup-to-payment, login failure, each FDS decision and cart edits', () => {
    const text = (s: Record<string, any>) => JSON.stringify(s);
    const decisions = scenarios.flatMap((s) => [...text(s.data).matchAll(/data-decision=\\"(\w+)\\"/g)].map((m) => m[1]));
    expect(new Set(decisions)).toEqual(new Set(['approve', 'review', 'block']));
    expect(scenarios.some((s) => text(s.data).includes('login-password') && text(s.data).includes('Invalid email or password.'))).toBe(true);
    expect(scenarios.some((s) => text(s.data).includes('cart-item-update-') && text(s.data).includes('cart-item-remove-'))).toBe(true);
  });
});
