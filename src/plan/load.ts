import { z } from 'zod';
import { parseDuration } from '../model/index.js';
import { parseGate, type Gate } from './gates.js';
import { PlanFileSchema, RUN_STEP_COMMANDS, ServiceSchema, TriggerSchema, type ServiceSpec, type Trigger } from './schema.js';

/*
 * Reads a plan document into the form the engine runs: every step typed, ids unique, durations in
 * ms, gates parsed, `${VAR}` / `${VAR:-default}` taken from the environment. Problems are collected,
 * each with where it is (`tiers[1].steps[0].gates[0]: ...`), so `plan validate` can print them all.
 */

export type StepKind = 'run' | 'command' | 'import' | 'service';

export interface PlanStepDef {
  readonly id: string;
  readonly name: string;
  readonly kind: StepKind;
  /** For `run` steps: the command (e2e, api, perf, chaos, canary, or the first word of `run`). */
  readonly command: string | null;
  /** For `run` steps: the options by name, as written; for `run: [...]` steps, the argv after the command. */
  readonly options: Readonly<Record<string, unknown>> | null;
  readonly argv: readonly string[] | null;
  /** `command` steps. */
  readonly shell: string | null;
  readonly cwd: string | null;
  readonly env: Readonly<Record<string, string>>;
  /** JUnit files a `command` step writes, or files an `import` step reads. */
  readonly files: readonly string[];
  readonly importFormat: string | null;
  readonly importKind: string | null;
  readonly service: NormalizedService | null;
  readonly timeoutMs: number | null;
  readonly retries: number;
  readonly continueOnFailure: boolean;
  readonly optional: boolean;
  readonly requiresEnv: readonly string[];
  readonly gates: readonly Gate[];
  readonly tags: readonly string[];
}

export interface NormalizedService {
  readonly name: string;
  readonly demoShop: boolean;
  readonly run: string | null;
  readonly cwd: string | null;
  readonly env: Readonly<Record<string, string>>;
  readonly health: string | null;
  readonly healthTimeoutMs: number;
  readonly baseUrl: string | null;
  readonly stop: string | null;
}

export interface PlanGroupDef {
  readonly name: string | null;
  readonly parallel: boolean;
  readonly steps: readonly PlanStepDef[];
}

export interface PlanTierDef {
  readonly name: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly trigger: Trigger | undefined;
  readonly targetMs: number | null;
  readonly needs: readonly string[];
  readonly services: readonly NormalizedService[];
  readonly groups: readonly PlanGroupDef[];
  readonly gates: readonly Gate[];
}

export interface PlanDef {
  readonly name: string;
  readonly description: string | null;
  readonly env: 'local' | 'staging' | 'production' | null;
  readonly baseUrl: string | null;
  readonly services: readonly NormalizedService[];
  readonly tiers: readonly PlanTierDef[];
  readonly gates: readonly Gate[];
}

export type PlanLoad = { readonly ok: true; readonly plan: PlanDef } | { readonly ok: false; readonly problems: readonly string[] };

type Env = Readonly<Record<string, string | undefined>>;

/** `${VAR}`, `${VAR:-default}`; `$${...}` is a literal `${...}`. Unset variables without a default are problems. */
function interpolate(value: unknown, env: Env, path: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, escaped: string, name: string, fallback: string | undefined) => {
      if (escaped) return whole.slice(1);
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${path}: \${${name}} is not set (give a default with \${${name}:-value})`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k, problems)]));
  }
  return value;
}

function issues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => {
    const where = [prefix, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/^\./, '');
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `unknown key${i.keys.length === 1 ? '' : 's'} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    else if (i.code === 'invalid_type') message = `expected ${i.expected}${i.input === undefined ? ' (missing)' : ''}`;
    return `${where || '(plan)'}: ${message}`;
  });
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'step';

function toList(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}

function normalizeService(raw: ServiceSpec, index: number): NormalizedService {
  if (raw === 'demo-shop') return { name: 'demo shop', demoShop: true, run: null, cwd: null, env: {}, health: null, healthTimeoutMs: 60_000, baseUrl: null, stop: null };
  return {
    name: raw.name ?? (raw['demo-shop'] ? 'demo shop' : `service ${index + 1}`),
    demoShop: raw['demo-shop'] === true,
    run: raw.run ?? null,
    cwd: raw.cwd ?? null,
    env: raw.env ?? {},
    health: raw.health ?? null,
    healthTimeoutMs: raw['health-timeout'] ? parseDuration(raw['health-timeout'])! : 60_000,
    baseUrl: raw['base-url'] ?? (raw.health ? new URL(raw.health).origin : null),
    stop: raw.stop ?? null,
  };
}

/** The step schemas by the key that names the step's kind; the first key found decides. */
const COMMON = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"').optional(),
  name: z.string().min(1).optional(),
  tags: z.array(z.string()).optional(),
  timeout: z.string().refine((v) => parseDuration(v) !== null, { message: 'must be a duration such as 90s, 5m or 1h30m' }).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  'continue-on-failure': z.boolean().optional(),
  optional: z.boolean().optional(),
  'requires-env': z.array(z.string()).optional(),
  gates: z.array(z.string()).optional(),
});
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const OPTIONS = z.record(z.string(), z.union([scalar, z.array(scalar), z.null()]));
const STEP_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  command: COMMON.extend({ command: z.string().min(1), cwd: z.string().optional(), env: z.record(z.string(), z.string()).optional(), junit: z.union([z.string(), z.array(z.string())]).optional() }).strict(),
  import: COMMON.extend({
    import: z.union([z.string(), z.object({ files: z.union([z.string(), z.array(z.string())]), format: z.string().optional(), kind: z.string().optional() }).strict()]),
  }).strict(),
  service: COMMON.extend({ service: ServiceSchema }).strict(),
  run: COMMON.extend({ run: z.array(z.string()).min(1) }).strict(),
  ...Object.fromEntries(RUN_STEP_COMMANDS.map((c) => [c, COMMON.extend({ [c]: OPTIONS.nullable() }).strict()])),
};
const STEP_KEYS = Object.keys(STEP_SCHEMAS);

interface StepBuild {
  readonly raw: Record<string, unknown>;
  readonly path: string;
}

function buildStep({ raw, path }: StepBuild, problems: string[]): Omit<PlanStepDef, 'id'> & { id: string | undefined } | null {
  const keys = STEP_KEYS.filter((k) => raw[k] !== undefined);
  if (keys.length !== 1) {
    problems.push(`${path}: ${keys.length ? `has ${keys.map((k) => `"${k}"`).join(' and ')}; a step does one thing` : `a step needs one of ${[...STEP_KEYS, 'parallel'].join(', ')}`}`);
    return null;
  }
  const key = keys[0]!;
  const parsed = STEP_SCHEMAS[key]!.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    problems.push(...issues(parsed.error, path));
    return null;
  }
  const s = parsed.data as Record<string, any>;
  const gates: Gate[] = [];
  for (const [i, text] of ((s.gates as string[] | undefined) ?? []).entries()) {
    const g = parseGate(text);
    if ('error' in g) problems.push(`${path}.gates[${i}]: ${g.error}`);
    else gates.push(g);
  }
  const common = {
    id: s.id as string | undefined,
    tags: (s.tags as string[] | undefined) ?? [],
    timeoutMs: s.timeout ? parseDuration(s.timeout)! : null,
    retries: (s.retries as number | undefined) ?? 0,
    continueOnFailure: s['continue-on-failure'] === true,
    optional: s.optional === true,
    requiresEnv: (s['requires-env'] as string[] | undefined) ?? [],
    gates,
    command: null,
    options: null,
    argv: null,
    shell: null,
    cwd: null,
    env: {},
    files: [] as string[],
    importFormat: null,
    importKind: null,
    service: null,
  };
  switch (key) {
    case 'command':
      return { ...common, kind: 'command', name: s.name ?? String(s.command).split('\n')[0]!.slice(0, 60), shell: s.command, cwd: s.cwd ?? null, env: s.env ?? {}, files: toList(s.junit) };
    case 'import': {
      const spec = typeof s.import === 'string' ? { files: s.import } : s.import;
      const files = toList(spec.files);
      return { ...common, kind: 'import', name: s.name ?? `import ${files.join(', ')}`, files, importFormat: spec.format ?? null, importKind: spec.kind ?? null };
    }
    case 'service': {
      const service = normalizeService(s.service, 0);
      return { ...common, kind: 'service', name: s.name ?? `start ${service.name}`, service };
    }
    case 'run': {
      const argv = s.run as string[];
      return { ...common, kind: 'run', name: s.name ?? argv.join(' ').slice(0, 60), command: argv[0]!, argv: argv.slice(1) };
    }
    default: {
      const options = (s[key] ?? {}) as Record<string, unknown>;
      const main = ['paths', 'path', 'collections', 'collection', 'script', 'experiment', 'name'].map((k) => options[k]).find((v) => v !== undefined);
      const name = s.name ?? `${key}${main !== undefined ? ` ${[main].flat().join(' ')}` : ''}`.slice(0, 60);
      return { ...common, kind: 'run', name, command: key, options };
    }
  }
}

/** Validates and normalizes a plan document (already parsed from YAML). */
export function loadPlan(document: unknown, env: Env): PlanLoad {
  const problems: string[] = [];
  const data = interpolate(document, env, '', problems);
  // The shape first, steps left open; each step is then checked by its own kind for precise messages.
  const shape = PlanFileSchema.extend({
    services: z.array(z.unknown()).optional(),
    tiers: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"'),
            'display-name': z.string().optional(),
            description: z.string().optional(),
            trigger: TriggerSchema.optional(),
            target: z.union([z.string(), z.number().nonnegative()]).optional(),
            needs: z.array(z.string()).optional(),
            services: z.array(z.unknown()).optional(),
            steps: z.array(z.record(z.string(), z.unknown())).min(1),
            gates: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .min(1),
    gates: z.array(z.string()).optional(),
  });
  const parsed = shape.safeParse(data, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: [...problems, ...issues(parsed.error, '')] };
  const doc = parsed.data;
  const ids = new Set<string>();
  // Ids the plan gives, wherever they are: an automatic id never takes one of them.
  const given = new Set(
    doc.tiers
      .flatMap((t) => t.steps.flatMap((s) => (Array.isArray(s.parallel) ? (s.parallel as unknown[]) : [s])))
      .map((s) => (s && typeof s === 'object' ? (s as Record<string, unknown>).id : undefined))
      .filter((id): id is string => typeof id === 'string'),
  );
  const uniqueId = (wanted: string | undefined, name: string, path: string): string => {
    if (wanted !== undefined) {
      if (ids.has(wanted)) problems.push(`${path}.id: "${wanted}" is used by another step`);
      ids.add(wanted);
      return wanted;
    }
    let id = slug(name);
    for (let n = 2; ids.has(id) || given.has(id); n++) id = `${slug(name)}-${n}`;
    ids.add(id);
    return id;
  };
  const parseGates = (list: readonly string[] | undefined, path: string): Gate[] =>
    (list ?? []).flatMap((text, i) => {
      const g = parseGate(text);
      if ('error' in g) {
        problems.push(`${path}[${i}]: ${g.error}`);
        return [];
      }
      return [g];
    });
  const services = (list: readonly unknown[] | undefined, path: string): NormalizedService[] =>
    (list ?? []).flatMap((raw, i) => {
      const s = ServiceSchema.safeParse(raw, { reportInput: true });
      if (!s.success) {
        problems.push(...issues(s.error, `${path}[${i}]`));
        return [];
      }
      return [normalizeService(s.data, i)];
    });
  const tierNames = new Set<string>();
  const tiers: PlanTierDef[] = doc.tiers.map((t, ti) => {
    const tpath = `tiers[${ti}]`;
    if (tierNames.has(t.name)) problems.push(`${tpath}.name: "${t.name}" is used by another tier`);
    for (const need of t.needs ?? []) {
      if (!tierNames.has(need)) problems.push(`${tpath}.needs: "${need}" is not a tier defined before "${t.name}"`);
    }
    tierNames.add(t.name);
    let targetMs: number | null = null;
    if (t.target !== undefined) {
      targetMs = typeof t.target === 'number' ? t.target * 1000 : parseDuration(t.target);
      if (targetMs === null) problems.push(`${tpath}.target: must be a duration such as 5m or 15m`);
    }
    const groups: PlanGroupDef[] = t.steps.flatMap((raw, si): PlanGroupDef[] => {
      const spath = `${tpath}.steps[${si}]`;
      if (raw.parallel !== undefined) {
        const extra = Object.keys(raw).filter((k) => k !== 'parallel' && k !== 'name');
        if (extra.length) problems.push(`${spath}: unknown key${extra.length === 1 ? '' : 's'} ${extra.map((k) => `"${k}"`).join(', ')} next to "parallel"`);
        if (!Array.isArray(raw.parallel) || raw.parallel.length === 0) {
          problems.push(`${spath}.parallel: expected a list of steps`);
          return [];
        }
        const steps = (raw.parallel as unknown[]).flatMap((inner, pi) => {
          const ppath = `${spath}.parallel[${pi}]`;
          if (!inner || typeof inner !== 'object' || Array.isArray(inner)) {
            problems.push(`${ppath}: expected a step`);
            return [];
          }
          const built = buildStep({ raw: inner as Record<string, unknown>, path: ppath }, problems);
          if (!built) return [];
          if (built.kind === 'service') problems.push(`${ppath}: a service cannot start inside "parallel"; put it before the group`);
          return [{ ...built, id: uniqueId(built.id, built.name, ppath) }];
        });
        return [{ name: typeof raw.name === 'string' ? raw.name : null, parallel: true, steps }];
      }
      const built = buildStep({ raw, path: spath }, problems);
      return built ? [{ name: null, parallel: false, steps: [{ ...built, id: uniqueId(built.id, built.name, spath) }] }] : [];
    });
    return {
      name: t.name,
      displayName: t['display-name'] ?? null,
      description: t.description ?? null,
      trigger: t.trigger,
      targetMs,
      needs: t.needs ?? [],
      services: services(t.services, `${tpath}.services`),
      groups,
      gates: parseGates(t.gates, `${tpath}.gates`),
    };
  });
  const plan: PlanDef = {
    name: doc.name,
    description: doc.description ?? null,
    env: doc.env ?? null,
    baseUrl: doc['base-url'] ?? null,
    services: services(doc.services, 'services'),
    tiers,
    gates: parseGates(doc.gates, 'gates'),
  };
  return problems.length ? { ok: false, problems } : { ok: true, plan };
}

/** Every step of a plan, in order. */
export function planSteps(plan: PlanDef): PlanStepDef[] {
  return plan.tiers.flatMap((t) => t.groups.flatMap((g) => g.steps));
}
