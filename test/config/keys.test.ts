import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigFileSchema } from '../../src/config/schema.js';
import { startKubeApiServer, type KubeApiServer } from '../kube-api-server/server.js';
import { cliEnv, makeTempDir, REPO_ROOT, runBin, type BinResult } from '../helpers/cli.js';

/*
 * Every key of the config schema (src/config/schema.ts) must change what shopfds-test does. The
 * list of keys is read from the schema itself, so a key added without an effect (and a test of it)
 * fails here. Each check runs the built bin with a shopfds.config.json that sets the key and looks
 * at what came out: real Chromium, real Newman, real kubectl against the stand-in API server, and
 * the k6 stand-in replaying recorded output (k6 itself is not installed here).
 */

/** Dotted paths of the schema's leaf keys. */
function leafKeys(schema: unknown, prefix = ''): string[] {
  let s = schema as { def?: { type?: string; innerType?: unknown }; shape?: Record<string, unknown> };
  while (s.def?.type === 'optional' || s.def?.type === 'default') s = s.def.innerType as typeof s;
  if (s.def?.type === 'object' && s.shape) return Object.entries(s.shape).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

const KEYS = leafKeys(ConfigFileSchema);
const STAND_IN_DIR = join(REPO_ROOT, 'test', 'fixtures', 'k6-stand-in');
const EXPERIMENTS = join(REPO_ROOT, 'test', 'chaos', 'fixtures', 'experiments');

let tmp: ReturnType<typeof makeTempDir>;
let seq = 0;

/** A fresh working directory with this config file. */
function workspace(config: unknown): string {
  const dir = join(tmp.dir, `ws-${++seq}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'shopfds.config.json'), JSON.stringify(config));
  return dir;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

function json(r: BinResult): any {
  expect(r.stdout, r.stderr).not.toBe('');
  return JSON.parse(r.stdout);
}

/** Imports one JUnit report per age (days ago, named `aged-<days>`) into a workspace with this config; the names of the runs kept. */
async function importAged(config: unknown, ages: readonly number[], name?: string): Promise<string[]> {
  const dir = workspace(config);
  for (const days of ages) {
    const at = new Date(Date.now() - days * 86_400_000).toISOString();
    const file = join(dir, `aged-${days}.xml`);
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="aged-${days}" tests="1" failures="0">\n  <testsuite name="aged-${days}" tests="1" failures="0" errors="0" skipped="0" time="1" timestamp="${at}">\n    <testcase name="case ${days}" classname="aged" time="1"/>\n  </testsuite>\n</testsuites>\n`,
    );
    const r = await runBin(['import', file, '--format', 'junit', '--name', name ?? `aged-${days}`], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
  }
  const listed = await runBin(['--json', 'runs', 'list', '--limit', '100'], { cwd: dir });
  expect(listed.exitCode, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as { name: string }[]).map((r) => r.name);
}

// One run per tool sets several keys at once; each key's check reads its own effect.
const e2eRun = once(async () => {
  const dir = workspace({ artifactsDir: 'arts', e2e: { scenarios: 'my-scenarios', retries: 1, workers: 1 } });
  mkdirSync(join(dir, 'my-scenarios'));
  copyFileSync(join(REPO_ROOT, 'scenarios', 'catalog-smoke.yaml'), join(dir, 'my-scenarios', 'catalog-smoke.yaml'));
  const r = await runBin(['e2e', '--json'], { cwd: dir, timeoutMs: 170_000 });
  // The scenario's own verdict is not what is checked here (a loaded machine can time it out).
  expect([0, 1], r.stderr).toContain(r.exitCode);
  return json(r);
});

const apiRun = once(async () => {
  const dir = workspace({
    baseUrl: 'http://127.0.0.1:9',
    api: { collections: 'cols/mine.postman_collection.json', environment: 'cols/env.json', timeoutRequestMs: 1234, redact: ['shopMarker'] },
  });
  mkdirSync(join(dir, 'cols'));
  copyFileSync(join(REPO_ROOT, 'collections', 'shopfds-api.postman_collection.json'), join(dir, 'cols', 'mine.postman_collection.json'));
  copyFileSync(join(REPO_ROOT, 'collections', 'shopfds-local.postman_environment.json'), join(dir, 'cols', 'env.json'));
  const r = await runBin(['api', '--json', '--env-var', 'shopMarker=visible-marker-value', '--folder', 'Catalog'], { cwd: dir, timeoutMs: 120_000 });
  expect(r.stderr).not.toContain('started the ShopFDS demo shop');
  return { result: r, run: json(r) };
});

const perfRun = once(async () => {
  const dir = workspace({ environment: 'staging', perf: { scripts: 'my-k6', k6Path: join(STAND_IN_DIR, 'k6'), intervalSec: 5 } });
  mkdirSync(join(dir, 'my-k6'));
  copyFileSync(join(REPO_ROOT, 'k6', 'load.js'), join(dir, 'my-k6', 'custom.js'));
  // No k6 on PATH: only perf.k6Path can find the stand-in.
  const env = cliEnv({ K6_STANDIN_SCENARIO: 'pass', K6_STANDIN_ARGV_FILE: join(dir, 'argv.json') });
  const r = await runBin(['perf', 'custom', '--json', '--base-url', 'http://127.0.0.1:9'], { cwd: dir, env, timeoutMs: 120_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return json(r);
});

const chaosPlan = once(async () => {
  const dir = workspace({ chaos: { experiments: EXPERIMENTS, approvers: ['bob'], recoveryTargetSec: 77, kubeContext: 'ctx-from-config', namespace: 'ns-from-config' } });
  const args = ['chaos', 'run', 'backend-pod-delete-production', '--dry-run', '--approve', '--approver', 'bob'];
  const text = await runBin(args, { cwd: dir });
  expect(text.exitCode, text.stderr).toBe(0);
  const asJson = await runBin(['--json', ...args], { cwd: dir });
  expect(asJson.exitCode, asJson.stderr).toBe(0);
  return { text: text.stdout, json: json(asJson) };
});

let kube: KubeApiServer;
async function canary(config: unknown, args: string[]): Promise<BinResult> {
  const dir = workspace(config);
  const kubeconfig = kube.writeKubeconfig(dir);
  return runBin(['--db', join(dir, 'r.db'), '--json', 'canary', ...args, '--kubeconfig', kubeconfig, '--kube-cache-dir', join(dir, 'kube-cache')], { cwd: dir, timeoutMs: 60_000 });
}

/** What each key changes, observed through the built bin. */
const EFFECTS: Record<string, () => Promise<void>> = {
  db: async () => {
    const dir = workspace({ db: 'from-config.db' });
    const r = await runBin(['db', 'status', '--json'], { cwd: dir });
    expect(json(r).store).toBe(join(dir, 'from-config.db'));
  },
  environment: async () => expect((await perfRun()).environment).toBe('staging'),
  artifactsDir: async () => {
    const run = await e2eRun();
    expect(run.artifacts.find((a: { name: string }) => a.name === 'playwright-report.json')?.path).toMatch(/^arts\//);
  },
  baseUrl: async () => {
    const { run } = await apiRun();
    expect(run.metadata).toMatchObject({ base_url: 'http://127.0.0.1:9', target: 'given' });
  },
  'e2e.scenarios': async () => {
    const run = await e2eRun();
    expect(run.name).toBe('my-scenarios');
    expect(run.cases.map((c: { name: string }) => c.name)).toEqual(['Catalog smoke check']);
  },
  'e2e.retries': async () => expect((await e2eRun()).metadata.retries).toBe('1'),
  'e2e.workers': async () => expect((await e2eRun()).metadata.workers).toBe('1'),
  'e2e.browser': async () => {
    // Spec files run in the configured browser: WebKit, which Playwright has not downloaded here.
    const dir = workspace({ e2e: { browser: 'webkit' } });
    writeFileSync(join(dir, 'one.spec.mjs'), "import { test } from '@playwright/test';\ntest('one', () => {});\n");
    const r = await runBin(['e2e', 'one.spec.mjs'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('webkit is not installed for Playwright');
  },
  'e2e.playwrightConfig': async () => {
    const dir = workspace({ e2e: { playwrightConfig: 'from-config.playwright.config.ts' } });
    const r = await runBin(['e2e'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--config from-config.playwright.config.ts: no such file');
  },
  'api.collections': async () => expect((await apiRun()).run.metadata.collections).toBe('cols/mine.postman_collection.json'),
  'api.environment': async () => expect((await apiRun()).run.metadata.environment_file).toBe('cols/env.json'),
  'api.timeoutRequestMs': async () => expect((await apiRun()).run.tool.commandLine).toContain('--timeout-request 1234'),
  'api.redact': async () => {
    const { result, run } = await apiRun();
    expect(run.tool.commandLine).toContain('shopMarker=[REDACTED]');
    expect(result.stdout + result.stderr).not.toContain('visible-marker-value');
  },
  'perf.scripts': async () => expect((await perfRun()).perf.test.k6_script_path).toBe('my-k6/custom.js'),
  'perf.k6Path': async () => expect((await perfRun()).tool).toMatchObject({ name: 'k6', version: '0.49.0' }),
  'perf.intervalSec': async () => expect((await perfRun()).metadata.series_interval_ms).toBe('5000'),
  'perf.locustPath': async () => {
    const dir = workspace({ perf: { locustPath: 'no-such-locust' } });
    writeFileSync(join(dir, 'load.py'), '');
    const r = await runBin(['perf', 'load.py'], { cwd: dir, env: cliEnv({ SHOPFDS_LOCUST_PATH: undefined }) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('Locust not found: perf.locustPath no-such-locust is not an executable file');
  },
  'prometheus.pushgateway': async () => {
    const dir = workspace({ prometheus: { pushgateway: 'http://127.0.0.1:9' } });
    const r = await runBin(['import', join(REPO_ROOT, 'test/fixtures/locust/faults/locust_stats.csv'), '--format', 'locust-csv'], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('could not push to the Pushgateway at http://127.0.0.1:9/');
  },
  'retention.days': async () => {
    // Two runs imported 45 and 2 days ago; with 30 days of retention only the recent one stays.
    const stored = await importAged({ retention: { days: 30 } }, [45, 2]);
    expect(stored).toEqual(['aged-2']);
  },
  'retention.keepLast': async () => {
    // Three runs of one name older than the retention window: keepLast keeps the newest two of them.
    const stored = await importAged({ retention: { days: 30, keepLast: 2 } }, [47, 46, 45], 'aged');
    expect(stored).toEqual(['aged', 'aged']);
  },
  'chaos.experiments': async () => expect((await chaosPlan()).json.experiment).toBe('backend-pod-delete-production'),
  'chaos.approvers': async () => expect((await chaosPlan()).json.gate).toMatchObject({ required: true, approver: 'bob', refusal: null }),
  'chaos.recoveryTargetSec': async () => expect((await chaosPlan()).text).toContain('recovery: steady state again within 77s'),
  'chaos.kubeContext': async () => expect((await chaosPlan()).text).toContain('--context ctx-from-config'),
  'chaos.namespace': async () => {
    const plan = await chaosPlan();
    expect(plan.json.namespace).toBe('ns-from-config');
    expect(plan.json.manifest.metadata.namespace).toBe('ns-from-config');
  },
  'canary.namespace': async () => {
    // No -n: the configured namespace is where the canary is looked up.
    const r = await canary({ canary: { namespace: 'shop' } }, ['status', 'fds']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r).canary.deployment.kubernetes_namespace).toBe('shop');
  },
  'canary.kubeContext': async () => {
    const r = await canary({ canary: { kubeContext: 'ctx-from-config', namespace: 'shop' } }, ['status', 'fds']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('ctx-from-config');
  },
  'canary.timeoutSec': async () => {
    const r = await canary({ canary: { timeoutSec: 2, namespace: 'shop' } }, ['watch', 'stuck', '--interval', '200ms']);
    expect(r.exitCode, r.stderr).toBe(1);
    // Stored as timed out (not as a rollback) after the configured 2 s.
    const run = json(r);
    expect(run.errorMessage).toMatch(/^timed out after 2s waiting for canary stuck/);
    expect(run.metadata.timed_out).toBe('true');
  },
};

describe('every config key has an effect (the built bin)', () => {
  beforeAll(async () => {
    tmp = makeTempDir('shopfds-config-keys-');
    kube = await startKubeApiServer({
      canaries: [
        { name: 'fds', namespace: 'shop', outcome: 'promote', oldVersion: 'v1.0.0', newVersion: 'v1.1.0', stepMs: 0, threshold: 3 },
        { name: 'stuck', namespace: 'shop', outcome: 'stuck', oldVersion: 'v1.0.0', newVersion: 'v1.1.0', stepMs: 300, threshold: 3 },
      ],
    });
  });
  afterAll(async () => {
    await kube?.close();
    tmp?.cleanup();
  });

  it('reads the keys from the schema', () => {
    expect(KEYS).toEqual(expect.arrayContaining(['db', 'e2e.browser', 'chaos.namespace', 'canary.timeoutSec']));
  });

  it('has a check for every key of the schema', () => {
    expect(KEYS.filter((k) => !(k in EFFECTS))).toEqual([]);
    expect(Object.keys(EFFECTS).filter((k) => !KEYS.includes(k))).toEqual([]);
  });

  it.each(KEYS)('%s changes what shopfds-test does', async (key) => {
    const check = EFFECTS[key];
    expect(check, `no check for config key ${key}`).toBeDefined();
    await check!();
  }, 180_000);
});
