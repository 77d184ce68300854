import { describe, expect, it } from 'vitest';
import { redactRunSecrets, redactSecretAssignments, redactSecrets, redactText, redactUrlCredentials } from '../../src/model/redact.js';
import { makeCase, makeRun } from '../helpers/fixtures.js';

describe('redaction of secrets in command lines, URLs and metadata', () => {
  it('masks URL passwords and keeps the rest', () => {
    expect(redactUrlCredentials('postgres://ci:s3cr3t@db.internal:5432/shop')).toBe('postgres://ci:***@db.internal:5432/shop');
    expect(redactUrlCredentials('open https://alice:pw@staging.example/app and http://127.0.0.1:3000/x')).toBe(
      'open https://alice:***@staging.example/app and http://127.0.0.1:3000/x',
    );
    expect(redactUrlCredentials('http://127.0.0.1:3000/health')).toBe('http://127.0.0.1:3000/health');
  });

  it('masks secret-named assignments only', () => {
    expect(redactSecretAssignments('k6 run -e API_TOKEN=abc -e VUS=10 -e DB_PASSWORD="x y" --out json=/w/p.ndjson')).toBe(
      'k6 run -e API_TOKEN=*** -e VUS=10 -e DB_PASSWORD=*** --out json=/w/p.ndjson',
    );
    expect(redactSecretAssignments('client_secret=zzz session_id=q user=bob')).toBe('client_secret=*** session_id=*** user=bob');
  });

  it('applies both to a whole run before it is stored', () => {
    const run = makeRun({
      kind: 'perf',
      tool: { name: 'k6', version: '1.0.0', commandLine: 'k6 run -e BASE_URL=http://u:hunter2@127.0.0.1:3000 -e AUTH_TOKEN=t0k3n load.js' },
      metadata: { base_url: 'http://u:hunter2@127.0.0.1:3000', api_key: 'k-123', collections: 'a.json' },
      errorMessage: 'connect ECONNREFUSED http://u:hunter2@127.0.0.1:3000',
    });
    const clean = redactRunSecrets(run);
    const text = JSON.stringify(clean);
    for (const secret of ['hunter2', 't0k3n', 'k-123']) expect(text).not.toContain(secret);
    expect(clean.tool.commandLine).toBe('k6 run -e BASE_URL=http://u:***@127.0.0.1:3000 -e AUTH_TOKEN=*** load.js');
    expect(clean.metadata).toEqual({ base_url: 'http://u:***@127.0.0.1:3000', api_key: '***', collections: 'a.json' });
    expect(redactSecrets('nothing to hide')).toBe('nothing to hide');
  });
});

describe('values masked already', () => {
  it('are left as the adapter wrote them', () => {
    expect(redactSecretAssignments("--env-var 'extraSecret=[REDACTED]' TOKEN=***")).toBe("--env-var 'extraSecret=[REDACTED]' TOKEN=***");
  });
});

describe('the one run redactor, over every string of a run of any kind', () => {
  const secrets = {
    bearer: 'abcDEF123ghiJKL456mnoPQR789',
    password: 'Hunter2Sup3r',
    url: 'Pa55w0rdURL',
    akid: 'AKIAIOSFODNN7EXAMPLE',
    sak: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    jwt: 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    pem: 'MIIEowIBAAKCAQEAsecretkeybody',
  };
  const text = [
    `Authorization: Bearer ${secrets.bearer}`,
    `POST /login password=${secrets.password}&user=bob`,
    `git clone https://ci:${secrets.url}@git.example.com/x.git`,
    `AWS_ACCESS_KEY_ID ${secrets.akid}`,
    `{"SecretAccessKey": "${secrets.sak}"}`,
    `cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${secrets.jwt}`,
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${secrets.pem}\n-----END OPENSSH PRIVATE KEY-----`,
  ].join('\n');

  it('masks every format in failure messages, stacks, stdout/stderr, attachment names, properties and e2e steps', () => {
    const run = makeRun({
      kind: 'e2e',
      errorMessage: text,
      cases: [
        makeCase({
          status: 'failed',
          errorMessage: text,
          errorStack: text,
          stdout: text,
          stderr: text,
          properties: { annotation: text, api_token: 'plain-value-1' },
          artifacts: [{ name: `Bearer ${secrets.bearer}.png`, kind: 'screenshot', contentType: 'image/png', path: `/tmp/password=${secrets.password}.png`, attempt: 0 }],
        }),
      ],
    });
    const clean = redactRunSecrets(run);
    const all = JSON.stringify(clean);
    for (const value of [...Object.values(secrets), 'plain-value-1']) expect(all).not.toContain(value);
    // The text still reads: names and masks stay.
    expect(clean.cases[0]!.errorMessage).toContain('Authorization: Bearer ***');
    expect(clean.cases[0]!.errorMessage).toContain('password=***&user=bob');
    expect(clean.cases[0]!.errorMessage).toContain('https://ci:***@git.example.com');
    expect(clean.cases[0]!.errorMessage).toContain('-----BEGIN OPENSSH PRIVATE KEY-----***-----END OPENSSH PRIVATE KEY-----');
  });

  it('reaches kind-specific records (e2e step results and error logs)', () => {
    const base = makeRun({ kind: 'e2e' });
    const e2e = base.e2e!;
    const run = {
      ...base,
      e2e: {
        ...e2e,
        test_runs: e2e.test_runs.map((t) => ({ ...t, error_logs: text, steps: t.steps.map((s) => ({ ...s, step_name: `fill password=${secrets.password}`, error_message: text })) })),
      },
    };
    expect(e2e.test_runs.length).toBeGreaterThan(0);
    const all = JSON.stringify(redactRunSecrets(run));
    for (const value of Object.values(secrets)) expect(all).not.toContain(value);
  });

  it('leaves ordinary text, ids, times and hashes alone and copies nothing when nothing changes', () => {
    const run = makeRun({ errorMessage: 'expected 200, got 500 at 12:30:00 (http://127.0.0.1:3000/x) after 3000ms; commit 0123456789abcdef0123456789abcdef01234567' });
    expect(redactRunSecrets(run)).toBe(run);
    expect(redactText('Basic authentication failed; author: bob; Token expired')).toBe('Basic authentication failed; author: bob; Token expired');
  });

  it('replaces NUL and lone surrogates and counts them in the metadata', () => {
    const run = makeRun({ name: 'a\u0000b', errorMessage: 'x\ud800y', metadata: { ok: 'fine' } });
    const clean = redactRunSecrets(run);
    expect(clean.name).toBe('a\uFFFDb');
    expect(clean.errorMessage).toBe('x\uFFFDy');
    expect(clean.metadata).toEqual({ ok: 'fine', 'text.replacedCharacters': '2' });
  });
});
