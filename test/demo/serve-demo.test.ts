import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { serveDemo } from '../../src/demo/serve.js';

describe('serveDemo', () => {
  it('starts the shop and prints its URL, the demo account and the admin endpoints', async () => {
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk) => (printed += String(chunk)));
    const shop = await serveDemo({ port: 0, stdout });
    try {
      expect(printed.split('\n')[0]).toBe(`ShopFDS demo shop listening on ${shop.url}`);
      expect(printed).toContain('demo@shopfds.test / demo-password-1');
      expect(printed).toContain(`${shop.url}/__admin/faults`);
      expect(shop.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${shop.url}/health`);
      expect(res.status).toBe(200);
    } finally {
      await shop.close();
    }
  });

  it('rejects a port that is already taken', async () => {
    const first = await serveDemo({ port: 0, stdout: new PassThrough() });
    try {
      await expect(serveDemo({ port: first.port, stdout: new PassThrough() })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });

  it('close() ends keep-alive connections and can be called twice', async () => {
    const shop = await serveDemo({ port: 0, stdout: new PassThrough() });
    await fetch(`${shop.url}/health`, { headers: { connection: 'keep-alive' } });
    await Promise.all([shop.close(), shop.close()]);
    await expect(fetch(`${shop.url}/health`)).rejects.toThrow();
  });
});
