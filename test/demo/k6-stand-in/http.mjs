// Stand-in for k6's `k6/http` module. k6 is not installed here, so the example scripts run under
// Node with this module in its place. k6's HTTP calls are synchronous; a worker thread performs
// each request while the script's thread blocks on Atomics.wait, which keeps that contract.
import { Worker } from 'node:worker_threads';

const BUFFER_BYTES = 8 * 1024 * 1024;
const shared = new SharedArrayBuffer(8 + BUFFER_BYTES);
const control = new Int32Array(shared, 0, 2); // [done flag, byte length]
const data = new Uint8Array(shared, 8);

const worker = new Worker(
  `
  const { parentPort, workerData } = require('node:worker_threads');
  const control = new Int32Array(workerData, 0, 2);
  const data = new Uint8Array(workerData, 8);
  parentPort.on('message', async ({ method, url, headers, body }) => {
    let out;
    try {
      const res = await fetch(url, { method, headers, body: body ?? undefined });
      out = { status: res.status, body: await res.text() };
    } catch (error) {
      out = { status: 0, body: String(error) };
    }
    const bytes = new TextEncoder().encode(JSON.stringify(out));
    data.set(bytes.subarray(0, data.length));
    Atomics.store(control, 1, Math.min(bytes.length, data.length));
    Atomics.store(control, 0, 1);
    Atomics.notify(control, 0);
  });
  `,
  { eval: true, workerData: shared },
);
worker.unref();

export const requests = [];

function request(method, url, body, params = {}) {
  Atomics.store(control, 0, 0);
  worker.postMessage({ method, url, headers: params.headers ?? {}, body: body ?? null });
  if (Atomics.wait(control, 0, 0, 30_000) === 'timed-out') throw new Error(`k6 stand-in: ${method} ${url} timed out`);
  const { status, body: text } = JSON.parse(new TextDecoder().decode(data.slice(0, Atomics.load(control, 1))));
  requests.push({ method, url, status, tags: params.tags ?? {} });
  return {
    status,
    body: text,
    // k6's Response.json(selector) takes a GJSON path such as `order.fds.decision`.
    json(selector) {
      let value = JSON.parse(text);
      if (selector) for (const key of selector.split('.')) value = value == null ? undefined : value[key];
      return value;
    },
  };
}

export default {
  get: (url, params) => request('GET', url, undefined, params),
  post: (url, body, params) => request('POST', url, body, params),
};
