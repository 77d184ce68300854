import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import newman from 'newman';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop } from '../../src/demo/shop.js';
import type { RunningShop } from '../../src/demo/shop.js';

const collectionPath = fileURLToPath(new URL('../../collections/shopfds-api.postman_collection.json', import.meta.url));
const environmentPath = fileURLToPath(new URL('../../collections/shopfds-local.postman_environment.json', import.meta.url));

interface RunSummary {
  run: {
    stats: Record<string, { total: number; failed: number }>;
    failures: { error: { test?: string; message: string }; source?: { name?: string } }[];
    executions: { item: { name: string }; assertions?: { assertion: string; error?: unknown }[] }[];
  };
}

function runNewman(url: string): Promise<RunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: JSON.parse(readFileSync(collectionPath, 'utf8')),
        environment: JSON.parse(readFileSync(environmentPath, 'utf8')),
        envVar: [{ key: 'baseUrl', value: url }],
        reporters: [],
        timeoutRequest: 10_000,
      },
      (error: Error | null, summary: RunSummary) => (error ? reject(error) : resolve(summary)),
    );
  });
}

let shop: RunningShop;

beforeAll(async () => {
  shop = await startShop({ faults: {} });
});
afterAll(async () => {
  await shop.close();
});

describe('collections/shopfds-api.postman_collection.json with real Newman', () => {
  it('passes against the demo shop with zero failures, twice in a row', async () => {
    for (let round = 0; round < 2; round++) {
      const summary = await runNewman(shop.url);
      const failures = summary.run.failures.map((f) => `${f.source?.name}: ${f.error.test ?? ''} ${f.error.message}`);
      expect(failures, `round ${round}`).toEqual([]);
      expect(summary.run.stats.requests!.failed).toBe(0);
      expect(summary.run.stats.assertions!.failed).toBe(0);
      expect(summary.run.stats.assertions!.total).toBeGreaterThan(100);
    }
  });

  it('is a v2.1 collection with the documented folders, chained variables and a secret password', () => {
    const collection = JSON.parse(readFileSync(collectionPath, 'utf8'));
    expect(collection.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    expect(collection.item.map((f: { name: string }) => f.name)).toEqual(['Health', 'Auth', 'Catalog', 'Cart', 'Orders & FDS', 'Auth failures']);
    const text = JSON.stringify(collection);
    expect(text).toContain('pm.collectionVariables.set(\'token\'');
    expect(text).toContain('pm.environment.set(\'token\'');
    expect(text).toContain('pm.collectionVariables.set(\'orderId\'');
    expect(text).toContain('jsonSchema');
    const requests = collection.item.flatMap((f: { item: { request: { url: { raw: string } } }[] }) => f.item.map((i) => i.request.url.raw));
    expect(requests.every((raw: string) => raw.startsWith('{{baseUrl}}/'))).toBe(true);

    const environment = JSON.parse(readFileSync(environmentPath, 'utf8'));
    const values = Object.fromEntries(environment.values.map((v: { key: string }) => [v.key, v]));
    expect(values.baseUrl.value).toBe('http://127.0.0.1:3000');
    expect(values.password.type).toBe('secret');
  });

  it('fails when the shop misbehaves (FDS endpoint down)', async () => {
    await fetch(`${shop.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ routes: { 'POST /api/fds/score': { down: true } } }),
    });
    try {
      const summary = await runNewman(shop.url);
      const failedRequests = new Set(summary.run.failures.map((f) => f.source?.name));
      expect([...failedRequests].sort()).toEqual([
        'FDS score: approve',
        'FDS score: block',
        'FDS score: review',
        'FDS score: wrong types are 422',
      ]);
    } finally {
      await fetch(`${shop.url}/__admin/faults`, { method: 'DELETE' });
    }
  });
});
