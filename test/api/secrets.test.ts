import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningShop } from '../../src/demo/shop.js';
import { FIXTURES, cliEnv, runCli, storedRuns, tempDir } from './helpers.js';

/*
 * Real requests that carry secrets (Authorization, X-Api-Key, X-Auth-Token, Cookie, a query token,
 * JSON and form passwords, a client secret, a card number and CVV, and the bearer token the demo shop
 * issues during the run) against the demo shop. None of the values may reach the database file, the
 * reports or the terminal.
 */

const SECRETS = [
  'sk-fixture-api-key-5f7c2e', // environment variable of type secret
  'static-bearer-token-8d1a', // Authorization: Bearer
  'cookie-value-3b9e71', // Cookie (variable with an ordinary name, used as a secret)
  'query-token-value-77ab', // ?access_token=
  'form-password-value-2c4d', // urlencoded password
  'client-secret-value-91ef', // urlencoded client_secret
  'env-var-secret-6a0c', // --env-var used in X-Auth-Token
  'demo-password-1', // collection variable of type string, sent as a JSON password
  '5555 5555 5555 4444', // card number
  '5555555555554444',
];
// Tokens the demo shop issues (`sfd_` + 32 base64url characters); a prefix of 8 would already leak.
const ISSUED_TOKEN = /sfd_[A-Za-z0-9_-]{4,}/;

let shop: RunningShop;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  shop = await startShop({ port: 0 });
  tmp = tempDir('shopfds-api-secrets-');
});

afterAll(async () => {
  await shop?.close();
  tmp?.cleanup();
});

function expectClean(name: string, text: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${name} contains ${secret}`).toBe(false);
  expect(ISSUED_TOKEN.exec(text)?.[0], `${name} contains an issued token`).toBeUndefined();
}

describe('api: secrets are redacted everywhere', () => {
  it('in the database file, every report format, the HTML report and the terminal', async () => {
    const db = join(tmp.dir, 'results.db');
    const args = [
      '--db', db, 'api', join(FIXTURES, 'secrets.postman_collection.json'),
      '-e', join(FIXTURES, 'secrets.postman_environment.json'),
      '--env-var', 'extraSecret=env-var-secret-6a0c',
      '--base-url', shop.url,
      '--junit', 'junit.xml', '--markdown', 'summary.md', '--newman-html', 'newman.html',
    ];
    const live = await runCli(args, { cwd: tmp.dir });
    expect(live.exitCode, live.stderr).toBe(1);
    const liveJson = await runCli([...args.slice(0, 2), '--json', ...args.slice(2, -6)], { cwd: tmp.dir });
    expect(liveJson.exitCode, liveJson.stderr).toBe(1);
    // With --json, stdout is only the run; progress stays on stderr (checked for secrets below like every output).
    expect(JSON.parse(liveJson.stdout).kind).toBe('api');
    expect(liveJson.stderr).toContain('api: running "Secrets fixture"');

    const runs = await storedRuns(db, tmp.dir);
    expect(runs).toHaveLength(2);
    const run = runs.find((r) => r.id !== JSON.parse(liveJson.stdout).id);
    const outputs: Record<string, string> = {
      'table (live)': live.stdout,
      'stderr (live)': live.stderr,
      'json (live)': liveJson.stdout,
      'stderr (json)': liveJson.stderr,
      'junit file': readFileSync(join(tmp.dir, 'junit.xml'), 'utf8'),
      'markdown file': readFileSync(join(tmp.dir, 'summary.md'), 'utf8'),
      'newman html': readFileSync(join(tmp.dir, 'newman.html'), 'utf8'),
      'runs show --json': JSON.stringify(runs),
      'database file': readFileSync(db).toString('latin1'),
    };
    for (const format of ['table', 'json', 'junit', 'markdown']) {
      const rendered = await runCli(['--db', db, 'report', run.id, '--format', format], { cwd: tmp.dir });
      expect(rendered.exitCode, rendered.stderr).toBe(0);
      outputs[`report --format ${format}`] = rendered.stdout + rendered.stderr;
    }
    const shown = await runCli(['--db', db, 'runs', 'show', run.id], { cwd: tmp.dir });
    outputs['runs show'] = shown.stdout;
    for (const [name, text] of Object.entries(outputs)) {
      if (name !== 'stderr (json)') expect(text.length, name).toBeGreaterThan(0);
      expectClean(name, text);
    }
    // The WAL may still hold pages: the checkpointed file was read after the CLI exited and closed it.
    expect(outputs['database file']).toContain('[REDACTED]');

    // Redaction kept the shape of what was sent and received.
    const results = run.api.suites[0].results;
    expect(results[0].endpoint).toBe('/api/auth/login?access_token=[REDACTED]&lang=ko');
    expect(results[0].request_body).toEqual({ email: 'demo@shopfds.test', password: '[REDACTED]', deviceId: 'demo-device-1' });
    expect(results[0].response_body).toMatchObject({ token: '[REDACTED]', tokenType: 'Bearer', user: { email: 'demo@shopfds.test' } });
    expect(results[0].error_message).toBe("api key echoed in a failure: expected '[REDACTED]' to deeply equal 'something else'");
    expect(results[1].request_body).toBe('username=demo%40shopfds.test&password=[REDACTED]&client_secret=[REDACTED]');
    expect(results[2].request_body).toMatchObject({ cardNumber: '[REDACTED]', cvv: '[REDACTED]', cardCountry: 'KR' });
    expect(results[3].error_message).toMatch(/^token echoed in a failure: expected '.*\[REDACTED\].*' to deeply equal 'nothing'$/);
    const logged = run.cases.map((c: any) => c.stdout).filter(Boolean);
    expect(logged).toEqual(['[log] api key in use: [REDACTED]', '[log] session [REDACTED]']);
    expect(run.tool.commandLine).toContain('extraSecret=[REDACTED]');
    // The HTML report keeps its structure; sensitive headers are left out, short field values masked.
    expect(outputs['newman html']).toContain('Secrets fixture');
    expect(outputs['newman html']).not.toMatch(/cvv&quot;: &quot;987/);
  });

  it('on the terminal while the run is live (CI progress lines)', async () => {
    const db = join(tmp.dir, 'live.db');
    const result = await runCli(
      ['--db', db, 'api', join(FIXTURES, 'secrets.postman_collection.json'), '-e', join(FIXTURES, 'secrets.postman_environment.json'), '--env-var', 'extraSecret=env-var-secret-6a0c', '--base-url', shop.url],
      { cwd: tmp.dir, env: cliEnv({ CI: 'true' }) },
    );
    expect(result.stderr).toContain('✗ POST Log in with headers, query and JSON secrets → 200 (1 failure)');
    expectClean('stderr', result.stderr);
    expectClean('stdout', result.stdout);
  });
});
