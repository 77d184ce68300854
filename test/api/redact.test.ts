import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../src/adapters/newman/redact.js';

describe('Redactor', () => {
  it('masks sensitive headers entirely and learns their values', () => {
    const r = new Redactor();
    const headers = [
      { key: 'Authorization', value: 'Bearer abcdefgh12345678' },
      { key: 'Proxy-Authorization', value: 'Basic ' + Buffer.from('user:proxy-pass-99').toString('base64') },
      { key: 'Cookie', value: 'sid=cookie-sid-value; theme=dark' },
      { key: 'Set-Cookie', value: 'sid=set-cookie-value; Path=/; HttpOnly' },
      { key: 'X-Api-Key', value: 'key-12345678' },
      { key: 'api-key', value: 'other-key-123' },
      { key: 'X-Auth-Token', value: 'auth-token-value' },
      { key: 'Accept', value: 'application/json' },
    ];
    expect(r.headers(headers).map((h) => h.value)).toEqual([REDACTED, REDACTED, REDACTED, REDACTED, REDACTED, REDACTED, REDACTED, 'application/json']);
    r.learnHeaders(headers);
    const text = r.text('abcdefgh12345678 proxy-pass-99 cookie-sid-value set-cookie-value key-12345678 other-key-123 auth-token-value dark');
    expect(text).toBe(`${Array(7).fill(REDACTED).join(' ')} dark`);
  });

  it('masks JSON fields by name, also nested, in arrays and under a card object', () => {
    const r = new Redactor();
    const body = JSON.stringify({
      email: 'a@b.c',
      password: 'p4ssw0rd!',
      nested: { access_token: 'at-1', refreshToken: 'rt-1', client_secret: 'cs-1', clientId: 'id-1' },
      payments: [{ cardNumber: '4242 4242 4242 4242', cvv: 123, cvc: '456', pan: '5555555555554444' }],
      card: { number: '4000056655665556', expiry: '12/30' },
      tokenType: 'Bearer',
      passwd: 'x',
      apiKey: 'k',
    });
    expect(r.body(body)).toEqual({
      email: 'a@b.c',
      password: REDACTED,
      nested: { access_token: REDACTED, refreshToken: REDACTED, client_secret: REDACTED, clientId: 'id-1' },
      payments: [{ cardNumber: REDACTED, cvv: REDACTED, cvc: REDACTED, pan: REDACTED }],
      card: { number: REDACTED, expiry: '12/30' },
      tokenType: 'Bearer',
      passwd: REDACTED,
      apiKey: REDACTED,
    });
  });

  it('masks form and query fields and learns their values', () => {
    const r = new Redactor();
    r.learnBody('user=me&password=form-pass-1&token=tok-12345');
    r.learnUrl('https://api.test/x?api_key=query-key-1&page=2');
    expect(r.body('user=me&password=form-pass-1&token=tok-12345')).toBe(`user=me&password=${REDACTED}&token=${REDACTED}`);
    expect(r.url('https://api.test/x?api_key=query-key-1&page=2')).toBe(`https://api.test/x?api_key=${REDACTED}&page=2`);
    expect(r.text('seen form-pass-1, tok-12345 and query-key-1')).toBe(`seen ${REDACTED}, ${REDACTED} and ${REDACTED}`);
  });

  it('learns variables of type secret and variables with sensitive names, not the others', () => {
    const r = new Redactor();
    r.learnVariables([
      { key: 'pin', value: 'secret-typed-value', type: 'secret' },
      { key: 'dbPassword', value: 'named-password-value', type: 'default' },
      { key: 'baseUrl', value: 'http://127.0.0.1:3000', type: 'default' },
      { key: 'short', value: 'abc', type: 'secret' },
    ]);
    expect(r.secretCount).toBe(2);
    expect(r.text('secret-typed-value named-password-value http://127.0.0.1:3000 abc')).toBe(`${REDACTED} ${REDACTED} http://127.0.0.1:3000 abc`);
  });

  it('replaces secrets in their encoded forms and when an assertion message shortened them', () => {
    const r = new Redactor();
    r.addSecret('s3cr3t value/with+chars"q');
    r.addSecret('sfd_abcdefghijklmnopqrstuvwxyz012345');
    expect(r.text(encodeURIComponent('s3cr3t value/with+chars"q'))).toBe(REDACTED);
    expect(r.text(JSON.stringify('s3cr3t value/with+chars"q'))).toBe(`"${REDACTED}"`);
    expect(r.values('&lt;s3cr3t value/with+chars&quot;q&gt;')).toBe(`&lt;${REDACTED}&gt;`);
    expect(r.text("expected 'token=sfd_abcdefghijklmnopq…' to deeply equal 'x'")).toBe(`expected 'token=${REDACTED}' to deeply equal 'x'`);
  });

  it('masks credentials, key-value pairs and header lines in free text it has not seen before', () => {
    const r = new Redactor();
    expect(r.text('sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig')).toBe(`sent Authorization: Bearer ${REDACTED}`);
    expect(r.text('{"password": "hunter2", "name": "x", "cvv": 123}')).toBe(`{"password": "${REDACTED}", "name": "x", "cvv": "${REDACTED}"}`);
    expect(r.text('{\\"client_secret\\":\\"abc\\"}')).toBe(`{\\"client_secret\\":\\"${REDACTED}\\"}`);
    expect(r.text('GET /x?token=abc&x=1')).toBe(`GET /x?token=${REDACTED}&x=1`);
    expect(r.text('x-api-key: 12345\nAccept: */*')).toBe(`x-api-key: ${REDACTED}\nAccept: */*`);
  });

  it('honours extra names from the config', () => {
    const r = new Redactor({ extraNames: ['ssn', 'X-Tenant-Secret-Header'] });
    expect(r.body('{"ssn": "123-45-6789"}')).toEqual({ ssn: REDACTED });
    expect(r.isSensitiveHeader('x-tenant-secret-header')).toBe(true);
  });
});
