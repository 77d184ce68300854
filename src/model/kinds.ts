/*
 * The run kinds, in a module of their own (no zod) so that command definitions can offer them as
 * choices without loading the run schemas: `runs --help` stays as light as the option tables.
 */

/**
 * The wrapped tool families. One invocation of a subcommand is one run of one kind; a `plan` run is
 * the parent of the runs its steps produced (run plans, `shopfds-test plan run`).
 */
export const RUN_KINDS = ['e2e', 'api', 'perf', 'chaos', 'canary', 'plan'] as const;
export type RunKind = (typeof RUN_KINDS)[number];
