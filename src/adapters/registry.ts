import type { AnyToolAdapter } from './types.js';

/*
 * Tool name -> adapter, loaded on first use so `--help` loads none of them (STYLE.md section 7).
 * A new tool is one line here plus its folder src/adapters/<tool>/ with an index.ts exporting
 * `adapter`, and, for a command of its own, one entry in src/cli/run-commands.ts (its option table).
 */
const ADAPTERS = new Map<string, () => Promise<AnyToolAdapter>>([
  ['playwright', async () => (await import('./playwright/index.js')).adapter],
  ['newman', async () => (await import('./newman/index.js')).adapter],
  ['k6', async () => (await import('./k6/index.js')).adapter],
  ['locust', async () => (await import('./locust/index.js')).adapter],
  ['litmus', async () => (await import('./litmus/index.js')).adapter],
  ['flagger', async () => (await import('./flagger/index.js')).adapter],
]);

/** Adds (or replaces) an adapter under its name; a plug-in or a test registers its own tool this way. */
export function registerAdapter(name: string, load: () => Promise<AnyToolAdapter> | AnyToolAdapter): void {
  ADAPTERS.set(name, async () => load());
}

/** The adapter registered under `name`; throws when there is none (a programming error, not a user one). */
export async function getAdapter(name: string): Promise<AnyToolAdapter> {
  const load = ADAPTERS.get(name);
  if (!load) throw new Error(`no tool adapter is registered as "${name}" (known: ${[...ADAPTERS.keys()].join(', ')})`);
  const adapter = await load();
  if (adapter.name !== name) throw new Error(`the adapter registered as "${name}" calls itself "${adapter.name}"`);
  return adapter;
}

/** The registered tool names, in registration order. */
export function adapterNames(): string[] {
  return [...ADAPTERS.keys()];
}
