import { makeRun, type RunInput } from '../../model/index.js';
import type { InvocationContext, ResolveContext, ToolEvent, ToolFound, ToolOutcome } from '../../adapters/types.js';
import type { CommandContext } from '../context.js';
import type { RunStart } from '../session.js';

/*
 * The pieces of the run pipeline a polled tool (Litmus, Flagger) needs while its command drives the
 * adapter itself: the invocation context, progress from the adapter's events, and the run made from
 * the adapter's outcome.
 */

/** What `resolve` gets. */
export function polledResolveContext(ctx: CommandContext): ResolveContext {
  return { cwd: ctx.io.cwd, env: ctx.io.env, ci: ctx.globals.ci !== null, stateDir: ctx.globals.stateDir, artifactsDir: ctx.globals.artifactsDir, executedBy: ctx.globals.executedBy };
}

/** What `buildInvocation` gets: polled tools need no work dir and no system under test. */
export function polledInvocationContext(ctx: CommandContext, run: RunStart, tool: ToolFound): InvocationContext {
  return {
    ...polledResolveContext(ctx),
    run,
    tool,
    workDir: ctx.io.cwd,
    baseUrl: null,
    demo: false,
    debug: ctx.globals.debug,
  };
}

/** Progress lines from the adapter's events, worded by its `describe`. */
export function progressEmitter(ctx: CommandContext, describe: (event: ToolEvent) => string | null): (event: ToolEvent) => void {
  return (event) => {
    const text = describe(event);
    if (text) ctx.progress.line(text);
  };
}

/** The run of an adapter's outcome; a tool error without an interruption is status `error` (exit 3). */
export function runFromOutcome(run: RunStart, o: ToolOutcome, commandLine: string): RunInput {
  return makeRun({
    ...run,
    name: o.name,
    tool: { name: 'kubectl', version: o.toolVersion ?? null, commandLine },
    cases: o.cases,
    details: o.details,
    metrics: o.metrics,
    metadata: o.metadata,
    errorMessage: o.errorMessage ?? null,
    toolError: Boolean(o.toolError),
    interrupted: o.interrupted,
    ...(o.toolError && !o.interrupted ? { status: 'error' as const } : {}),
  });
}
