import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A small real HTTP API (not the demo shop) for the Postman collection under
 * test/fixtures/postman-project: a bookstore with one deliberate bug (an unknown book id answers 500
 * instead of 404). Records every request it served.
 */

export interface Bookstore {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

const BOOKS = [
  { id: 1, title: 'The Pragmatic Programmer' },
  { id: 2, title: 'Refactoring' },
  { id: 3, title: '클린 코드' },
];

export async function startBookstore(): Promise<Bookstore> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const send = (code: number, value: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'GET' && req.url === '/books') return send(200, BOOKS);
      if (req.method === 'GET' && /^\/books\/\d+$/.test(req.url ?? '')) {
        const book = BOOKS.find((b) => `/books/${b.id}` === req.url);
        return book ? send(200, book) : send(500, { error: 'internal error looking up the book' });
      }
      if (req.method === 'GET' && req.url === '/authors') return send(200, [{ name: 'Andy Hunt' }, { name: 'Martin Fowler' }]);
      if (req.method === 'GET' && req.url === '/health') return send(200, { ok: true });
      if (req.method === 'POST' && req.url === '/login') {
        const { username, password } = JSON.parse(body || '{}') as { username?: string; password?: string };
        return username === 'admin' && password === 'password' ? send(200, { token: 'tok_5f8a2b9c1d7e4a3b' }) : send(401, { error: 'bad credentials' });
      }
      send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
