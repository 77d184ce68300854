import { z } from 'zod';
import { parseDuration } from '../model/index.js';

/*
 * A plan file (`plans/*.yaml`): named tiers, each with a trigger, a target duration, `needs` and
 * steps (seed 004's tiers; seed 002's validation as the steps). Keys are kebab-case, as in CI files.
 */

const duration = z.string().refine((v) => parseDuration(v) !== null, { message: 'must be a duration such as 90s, 5m or 1h30m' });
const durationOrNumber = z.union([duration, z.number().nonnegative()]);
const stringList = z.union([z.string(), z.array(z.string())]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** Options of a run command, by flag name (`base-url`, `retries`, ...) or the command's positional argument. */
const commandOptions = z.record(z.string(), z.union([scalar, z.array(scalar), z.null()]));

/** A gate: `<figure> <op> <value>`, e.g. `p95 < 200ms`, `error_rate < 1%`, `e2e.pass_rate >= 100%`. */
const gate = z.string().min(3);

/** When a tier runs (`--from-ci`), in the form of seed 004 (`{ push: { branches: [main] } }`). */
const branchFilter = z.union([z.boolean(), z.object({ branches: z.array(z.string()).optional(), tags: z.array(z.string()).optional() }).strict()]);
export const TriggerSchema = z
  .object({
    push: branchFilter.optional(),
    pull_request: branchFilter.optional(),
    merge_request: branchFilter.optional(),
    tag: z.union([z.boolean(), z.string(), z.array(z.string())]).optional(),
    release: z.boolean().optional(),
    workflow_dispatch: z.boolean().optional(),
    manual: z.boolean().optional(),
    schedule: z.boolean().optional(),
  })
  .strict();
export type Trigger = z.infer<typeof TriggerSchema>;

const stepCommon = {
  /** Stable id for `--skip` and `--step`; default: the step name in kebab-case. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"').optional(),
  name: z.string().min(1).optional(),
  /** Extra words `--skip` matches (the bundled demo skips its suites by tag). */
  tags: z.array(z.string()).optional(),
  timeout: duration.optional(),
  retries: z.number().int().min(0).max(10).optional(),
  'continue-on-failure': z.boolean().optional(),
  /** A missing tool (or cluster) skips the step with the reason instead of failing the plan with exit 3. */
  optional: z.boolean().optional(),
  /** Environment variables that must be set, or the step is skipped with the reason (e.g. KUBECONFIG for chaos). */
  'requires-env': z.array(z.string()).optional(),
  gates: z.array(gate).optional(),
};

/** `command`: any shell command, passed or failed by its exit code, optionally importing the JUnit it writes. */
const commandStep = z
  .object({
    ...stepCommon,
    command: z.string().min(1),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    /** A JUnit file (or several) the command writes; imported as the step's run. */
    junit: stringList.optional(),
  })
  .strict();

/** A report another tool wrote, imported as the step's run. */
const importStep = z
  .object({
    ...stepCommon,
    import: z.union([z.string(), z.object({ files: stringList, format: z.string().optional(), kind: z.string().optional() }).strict()]),
  })
  .strict();

/** A process started before the steps after it and stopped at the end of its tier (or plan). */
export const ServiceSchema = z.union([
  z.literal('demo-shop'),
  z
    .object({
      name: z.string().min(1).optional(),
      /** The bundled ShopFDS demo shop on a free loopback port. */
      'demo-shop': z.literal(true).optional(),
      /** The command that runs the service in the foreground (`docker compose up` included). */
      run: z.string().min(1).optional(),
      cwd: z.string().optional(),
      env: z.record(z.string(), z.string()).optional(),
      /** A URL that answers 2xx or 3xx once the service is ready. */
      health: z.string().url().optional(),
      'health-timeout': duration.optional(),
      /** The base URL the later steps get (default: the health URL's origin). */
      'base-url': z.string().url().optional(),
      /** A command run after the service is stopped (`docker compose down`). */
      stop: z.string().optional(),
    })
    .strict()
    .refine((s) => s['demo-shop'] || s.run, { message: 'a service needs "run" (a command) or "demo-shop: true"' }),
]);
export type ServiceSpec = z.infer<typeof ServiceSchema>;

const serviceStep = z.object({ ...stepCommon, service: ServiceSchema }).strict();

/** The run commands a step can name directly; any other command goes through `run`. */
export const RUN_STEP_COMMANDS = ['e2e', 'api', 'perf', 'chaos', 'canary'] as const;
export type RunStepCommand = (typeof RUN_STEP_COMMANDS)[number];

const runStep = z
  .object({
    ...stepCommon,
    e2e: commandOptions.optional(),
    api: commandOptions.optional(),
    perf: commandOptions.optional(),
    chaos: commandOptions.optional(),
    canary: commandOptions.optional(),
    /** Any shopfds-test command line, for commands and tools added later: `["e2e", "--tag", "smoke"]`. */
    run: z.array(z.string()).min(1).optional(),
    /** Report files the command writes (`--junit`, `--markdown`, `--html`), as on the command line. */
  })
  .strict()
  .refine((s) => [...RUN_STEP_COMMANDS, 'run'].filter((k) => (s as Record<string, unknown>)[k] !== undefined).length === 1, {
    message: `a step needs exactly one of ${[...RUN_STEP_COMMANDS, 'run', 'command', 'import', 'service', 'parallel'].join(', ')}`,
  });

export type StepSpec = z.infer<typeof commandStep> | z.infer<typeof importStep> | z.infer<typeof serviceStep> | z.infer<typeof runStep>;

const singleStep = z.union([commandStep, importStep, serviceStep, runStep]);
const parallelStep = z.object({ name: z.string().optional(), parallel: z.array(singleStep).min(1) }).strict();
export type ParallelSpec = z.infer<typeof parallelStep>;

const tier = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"'),
    'display-name': z.string().optional(),
    description: z.string().optional(),
    trigger: TriggerSchema.optional(),
    target: durationOrNumber.optional(),
    needs: z.array(z.string()).optional(),
    services: z.array(ServiceSchema).optional(),
    steps: z.array(z.union([parallelStep, singleStep])).min(1),
    gates: z.array(gate).optional(),
  })
  .strict();
export type TierSpec = z.infer<typeof tier>;

export const PlanFileSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Default `--env` for every step. */
    env: z.enum(['local', 'staging', 'production']).optional(),
    /** Default `--base-url` for every step (a service's base URL wins for the steps after it). */
    'base-url': z.string().optional(),
    /** Services started before the first tier and stopped when the plan ends. */
    services: z.array(ServiceSchema).optional(),
    tiers: z.array(tier).min(1),
    /** Gates over every run of the plan. */
    gates: z.array(gate).optional(),
  })
  .strict();
export type PlanFile = z.infer<typeof PlanFileSchema>;

/** The JSON Schema of a plan file (`shopfds-test schema plan`). */
export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PlanFileSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'https://shopfds.test/schemas/plan.json', title: 'shopfds-test run plan', ...schema };
}
