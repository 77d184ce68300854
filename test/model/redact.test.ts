import { describe, expect, it } from 'vitest';
import { redactRunSecrets, redactSecretAssignments, redactSecrets, redactUrlCredentials } from '../../src/model/redact.js';
import { makeRun } from '../helpers/fixtures.js';

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
