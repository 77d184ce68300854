import { z } from 'zod';
import { BROWSERS, PRIORITIES, SCENARIO_STATUSES, SCENARIO_TEST_TYPES, type E2eTestScenario } from '../../model/index.js';

/*
 * The scenario file format: the seed's E2E Test Scenario (`e2e_test_scenarios`) with typed steps and
 * expected results. Each step becomes one `test.step()` of a generated Playwright test and each
 * expected result one `expect` assertion (also a step), so per-step results come back through
 * Playwright's JSON reporter.
 *
 * Any string value may contain `{{unique}}`, replaced by a token unique to each attempt (signup
 * emails, device ids), so retries and parallel workers never collide.
 */

const selector = z.string().min(1, 'must not be empty');
const stepTimeout = z.number().int().min(100).max(600_000).optional();

const stepBase = {
  /** Shown in reports and stored as `step_name`; defaults to a description of the action. */
  name: z.string().min(1).max(255).optional(),
  /** Per-step timeout for the action (ms); the scenario's `timeout_ms` bounds the whole test. */
  timeout_ms: stepTimeout,
};

export const ScenarioStepSchema = z.discriminatedUnion('action', [
  z.strictObject({ ...stepBase, action: z.literal('goto'), url: z.string().min(1) }),
  z.strictObject({ ...stepBase, action: z.literal('click'), selector }),
  z.strictObject({ ...stepBase, action: z.literal('dblclick'), selector }),
  z.strictObject({ ...stepBase, action: z.literal('fill'), selector, value: z.string() }),
  z.strictObject({ ...stepBase, action: z.literal('select'), selector, value: z.union([z.string(), z.array(z.string()).min(1)]) }),
  z.strictObject({ ...stepBase, action: z.literal('check'), selector }),
  z.strictObject({ ...stepBase, action: z.literal('uncheck'), selector }),
  z.strictObject({ ...stepBase, action: z.literal('press'), selector: selector.optional(), key: z.string().min(1) }),
  z.strictObject({ ...stepBase, action: z.literal('hover'), selector }),
  z.strictObject({
    ...stepBase,
    action: z.literal('wait_for'),
    selector: selector.optional(),
    state: z.enum(['attached', 'detached', 'visible', 'hidden']).optional(),
    url: z.string().min(1).optional(),
    load_state: z.enum(['load', 'domcontentloaded', 'networkidle']).optional(),
  }),
  z.strictObject({ ...stepBase, action: z.literal('screenshot'), full_page: z.boolean().optional(), selector: selector.optional() }),
  z.strictObject({ ...stepBase, action: z.literal('reload') }),
  z.strictObject({ ...stepBase, action: z.literal('go_back') }),
]);
export type ScenarioStep = z.infer<typeof ScenarioStepSchema>;
export const STEP_ACTIONS = ScenarioStepSchema.options.map((o) => o.shape.action.value);

const expectBase = {
  name: z.string().min(1).max(255).optional(),
  timeout_ms: stepTimeout,
};

export const ExpectedResultSchema = z.discriminatedUnion('type', [
  /** The page URL: a path (`/cart`, query and hash ignored) or an absolute URL (exact). */
  z.strictObject({ ...expectBase, type: z.literal('url'), value: z.string().min(1) }),
  z.strictObject({ ...expectBase, type: z.literal('title'), value: z.string() }),
  z.strictObject({ ...expectBase, type: z.literal('visible'), selector }),
  z.strictObject({ ...expectBase, type: z.literal('hidden'), selector }),
  /** The element's whole text (whitespace normalized); `contains: true` for a substring. */
  z.strictObject({ ...expectBase, type: z.literal('text'), selector, value: z.string(), contains: z.boolean().optional() }),
  /** An input's value. */
  z.strictObject({ ...expectBase, type: z.literal('value'), selector, value: z.string() }),
  z.strictObject({ ...expectBase, type: z.literal('count'), selector, value: z.number().int().nonnegative() }),
  z.strictObject({ ...expectBase, type: z.literal('checked'), selector, value: z.boolean().optional() }),
  z.strictObject({ ...expectBase, type: z.literal('enabled'), selector }),
  z.strictObject({ ...expectBase, type: z.literal('disabled'), selector }),
  z.strictObject({ ...expectBase, type: z.literal('attribute'), selector, attribute: z.string().min(1), value: z.string() }),
]);
export type ExpectedResult = z.infer<typeof ExpectedResultSchema>;
export const EXPECTED_RESULT_TYPES = ExpectedResultSchema.options.map((o) => o.shape.type.value);

/** One scenario as written in a file. Fields the seed makes NOT NULL get defaults where one is obvious. */
export const ScenarioFileSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(255),
  description: z.string().nullable().optional(),
  test_type: z.enum(SCENARIO_TEST_TYPES),
  browser: z.enum(BROWSERS).default('chromium'),
  viewport: z
    .strictObject({ width: z.number().int().min(100).max(7680), height: z.number().int().min(100).max(4320) })
    .default({ width: 1280, height: 720 }),
  steps: z.array(ScenarioStepSchema).min(1, 'needs at least one step'),
  expected_results: z.array(ExpectedResultSchema).default([]),
  status: z.enum(SCENARIO_STATUSES).default('active'),
  priority: z.enum(PRIORITIES).default('medium'),
  timeout_ms: z.number().int().min(5000).max(600000).default(30000),
  retry_count: z.number().int().min(0).max(5).default(0),
  tags: z.array(z.string().min(1).max(50)).default([]),
  created_by: z.string().min(1).max(100).optional(),
});
export type ScenarioFileEntry = z.infer<typeof ScenarioFileSchema>;

/** A scenario file holds one scenario, a list of scenarios, or `{ scenarios: [...] }`. */
export const ScenarioDocumentSchema = z.union([
  ScenarioFileSchema,
  z.array(ScenarioFileSchema).min(1),
  z.strictObject({ scenarios: z.array(ScenarioFileSchema).min(1) }),
]);

/** A validated scenario and where it came from. */
export interface LoadedScenario {
  /** Path relative to the working directory (posix separators). */
  readonly file: string;
  /** Index inside the file (0 for single-scenario files). */
  readonly index: number;
  readonly scenario: ScenarioFileEntry & { readonly created_by: string };
  /**
   * 1-based line in the file of each step, then of each expected result (the order of the generated
   * test's steps), so a failure maps back to the scenario file. Absent for JSON files.
   */
  readonly stepLines?: readonly (number | null)[];
}

/** JSON Schema of a scenario file, for editor completion. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ScenarioFileSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://shopfds.test/schemas/e2e-scenario.json',
    title: 'shopfds-test E2E scenario',
    ...schema,
  };
}

function describeTarget(s: { selector?: string; url?: string }): string {
  return s.selector ?? s.url ?? '';
}

/** The step's title as it appears in reports. */
export function stepTitle(step: ScenarioStep): string {
  if (step.name) return step.name;
  switch (step.action) {
    case 'goto':
      return `goto ${step.url}`;
    case 'fill':
      return `fill ${step.selector}`;
    case 'select':
      return `select ${Array.isArray(step.value) ? step.value.join(', ') : step.value} in ${step.selector}`;
    case 'press':
      return `press ${step.key}${step.selector ? ` in ${step.selector}` : ''}`;
    case 'wait_for':
      return `wait for ${step.selector ?? step.url ?? step.load_state ?? 'load'}`;
    case 'screenshot':
      return 'screenshot';
    case 'reload':
      return 'reload';
    case 'go_back':
      return 'go back';
    default:
      return `${step.action} ${describeTarget(step)}`;
  }
}

/** The expected result's title as it appears in reports: `expect <type> ...`. */
export function expectedTitle(e: ExpectedResult): string {
  if (e.name) return e.name;
  switch (e.type) {
    case 'url':
    case 'title':
      return `expect ${e.type} ${JSON.stringify(e.value)}`;
    case 'visible':
    case 'hidden':
    case 'enabled':
    case 'disabled':
      return `expect ${e.selector} ${e.type}`;
    case 'checked':
      return `expect ${e.selector} ${e.value === false ? 'unchecked' : 'checked'}`;
    case 'text':
      return `expect ${e.selector} text ${e.contains ? 'contains' : 'is'} ${JSON.stringify(e.value)}`;
    case 'value':
      return `expect ${e.selector} value ${JSON.stringify(e.value)}`;
    case 'count':
      return `expect ${e.value} × ${e.selector}`;
    case 'attribute':
      return `expect ${e.selector} [${e.attribute}] = ${JSON.stringify(e.value)}`;
  }
}

/** The seed-shaped record stored in `e2e_test_scenarios`. */
export function toScenarioRecord(s: LoadedScenario['scenario']): E2eTestScenario {
  return {
    name: s.name,
    description: s.description ?? null,
    test_type: s.test_type,
    browser: s.browser,
    viewport: s.viewport,
    steps: s.steps.map((step) => ({ ...step })),
    expected_results: s.expected_results.map((e) => ({ ...e })),
    status: s.status,
    priority: s.priority,
    timeout_ms: s.timeout_ms,
    retry_count: s.retry_count,
    tags: [...s.tags],
    created_by: s.created_by,
  };
}

/** Formats a zod issue path like `steps.3.selector`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(scenario)';
}
