import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop } from '../../src/demo/shop.js';
import type { RunningShop } from '../../src/demo/shop.js';

const run = promisify(execFile);
const harness = fileURLToPath(new URL('./k6-stand-in/harness.mjs', import.meta.url));
const scriptPath = (name: string) => fileURLToPath(new URL(`../../k6/${name}.js`, import.meta.url));

interface HarnessOutput {
  options: Record<string, any>;
  checks: { name: string; passed: boolean }[];
  requests: { method: string; url: string; status: number; tags: Record<string, string> }[];
}

let shop: RunningShop;
const outputs: Record<string, HarnessOutput> = {};

beforeAll(async () => {
  shop = await startShop({ faults: {} });
  const names = ['load', 'spike', 'stress', 'soak'];
  const results = await Promise.all(names.map((name) => runScript(name)));
  names.forEach((name, i) => (outputs[name] = results[i]!));
});
afterAll(async () => {
  await shop.close();
});

async function runScript(name: string, iterations = 3): Promise<HarnessOutput> {
  const { stdout } = await run(process.execPath, [harness, scriptPath(name), shop.url, String(iterations)], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as HarnessOutput;
}

describe('k6 example scripts (k6 is not installed: run under a Node stand-in for the k6 and k6/http modules)', () => {
  it.each(['load', 'spike', 'stress', 'soak'])('%s.js: every check passes against the demo shop', (name) => {
    const out = outputs[name]!;
    expect(out.checks.length).toBeGreaterThan(8);
    // signup and checkout run on the first iteration of load, stress and soak
    if (name !== 'spike') expect(out.checks.map((c) => c.name)).toContain('order: FDS decided');
    expect(out.checks.filter((c) => !c.passed)).toEqual([]);
    expect(out.requests.every((r) => r.url.startsWith(shop.url))).toBe(true);
    expect(out.requests.every((r) => typeof r.tags.name === 'string')).toBe(true);
    expect(out.requests.filter((r) => r.status >= 400)).toEqual([]);
  });

  it.each(['load', 'spike', 'stress', 'soak'])('%s.js: declares the shared thresholds', (name) => {
    const { options } = outputs[name]!;
    expect(options.thresholds.http_req_duration).toEqual(['p(95)<500']);
    expect(options.thresholds.http_req_failed).toEqual(['rate<0.01']);
  });

  it('arrival-rate executors follow TARGET_TPS and friends, with small defaults', () => {
    const load = outputs.load!.options.scenarios.load;
    expect(load).toMatchObject({ executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '10s', preAllocatedVUs: 5 });
    const spike = outputs.spike!.options.scenarios.spike;
    expect(spike.executor).toBe('ramping-arrival-rate');
    expect(Math.max(...spike.stages.map((s: { target: number }) => s.target))).toBe(50);
    const stress = outputs.stress!.options.scenarios.stress;
    expect(stress.stages.map((s: { target: number }) => s.target)).toEqual([5, 5, 10, 10, 15, 15, 0]);
    const soak = outputs.soak!.options;
    expect(soak.stages.map((s: { target: number }) => s.target)).toEqual([3, 3, 0]);
  });

  it('scripts read BASE_URL with the documented default', () => {
    const lib = readFileSync(fileURLToPath(new URL('../../k6/lib/shop.js', import.meta.url)), 'utf8');
    expect(lib).toContain("__ENV.BASE_URL || 'http://127.0.0.1:3000'");
  });
});
