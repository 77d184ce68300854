import { ERROR_CODES, ToolError } from '../../model/index.js';
import type { NormalizedService } from '../../plan/load.js';
import type { CommandContext, TeardownFn } from '../context.js';

/*
 * Service steps: a process (or the bundled demo shop) started before the steps that need it, ready
 * once its health URL answers, stopped when its tier (or the plan) ends, also on Ctrl-C and failure.
 * The stop is registered before the start, as every teardown here.
 */

export interface StartedService {
  readonly baseUrl: string | null;
  readonly notes: string;
}

function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

/** Polls `url` until it answers below 400, the process exits, the time is up or the signal aborts. */
async function waitHealthy(url: string, timeoutMs: number, signal: AbortSignal, exited: () => boolean): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (signal.aborted) return 'interrupted';
    if (exited()) return 'the process exited';
    try {
      const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]), redirect: 'manual' });
      await res.arrayBuffer().catch(() => {});
      if (res.status < 400) return null;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return `no healthy answer within ${Math.round(timeoutMs / 1000)}s (last: ${last})`;
}

/** Starts a service; its stop goes to `onTeardown` before it starts. Throws a ToolError (exit 3) when it does not come up. */
export async function startService(ctx: CommandContext, service: NormalizedService, onTeardown: (fn: TeardownFn) => void, signal: AbortSignal): Promise<StartedService> {
  const started = Date.now();
  if (service.demoShop) {
    const { startDemoShop } = await import('../target.js');
    const shop = await startDemoShop({ ...ctx, onTeardown });
    return { baseUrl: shop.url, notes: `ready at ${shop.url}` };
  }
  const { startProcess, runProcess } = await import('../../exec/process.js');
  const { resolve } = await import('node:path');
  const cwd = service.cwd ? resolve(ctx.io.cwd, service.cwd) : ctx.io.cwd;
  const env = { ...ctx.io.env, ...service.env };
  let proc: ReturnType<typeof startProcess> | null = null;
  let exited = false;
  onTeardown(async () => {
    if (proc && !exited) {
      proc.stop();
      await proc.exited;
    }
    if (service.stop) {
      const done = await runProcess({ file: '/bin/sh', args: ['-c', service.stop], cwd, env, timeoutMs: 120_000 });
      if (done.exitCode !== 0) ctx.err(`shopfds-test: warning: "${service.stop}" (stopping ${service.name}) exited ${done.exitCode ?? done.signal}`);
    }
    ctx.progress.line(`  stopped ${service.name}`);
  });
  proc = startProcess({
    file: '/bin/sh',
    args: ['-c', service.run!],
    cwd,
    env,
    tailChars: 16 * 1024,
    termAfterMs: 10_000,
    onData: ctx.globals.debug ? (chunk) => void ctx.io.stderr.write(chunk) : undefined,
  });
  void proc.exited.then(() => (exited = true));
  const problem = service.health
    ? await waitHealthy(service.health, service.healthTimeoutMs, signal, () => exited)
    : await new Promise<string | null>((done) => setTimeout(() => done(exited ? 'the process exited' : null), 500));
  if (problem === 'interrupted') return { baseUrl: service.baseUrl, notes: 'interrupted while starting' };
  if (problem) {
    const out = exited ? await proc.exited : null;
    const output = out ? tail(`${out.stdout}\n${out.stderr}`) : '';
    const how = out ? ` (exit ${out.exitCode ?? out.signal})` : '';
    throw new ToolError(`service "${service.name}" did not start: ${problem}${how}${output ? `; its output: ${output}` : ''}`, {
      code: ERROR_CODES.service,
      hint: service.health ? `Check "${service.run}" and the health URL ${service.health}.` : `Check "${service.run}".`,
    });
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  return { baseUrl: service.baseUrl, notes: `${service.health ? `healthy at ${service.health}` : 'started'} after ${secs}s` };
}
