// Runs one k6 script's default function a few times under the stand-in modules and prints
// { options, checks, requests } as JSON. Usage: node harness.mjs <script> <baseUrl> <iterations>
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [script, baseUrl, iterations = '3'] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const k6Dir = dirname(script);
const work = mkdtempSync(join(tmpdir(), 'k6-stand-in-'));

// Copy the k6 folder with the k6 module specifiers pointing at the stand-ins.
function copy(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const from = join(dir, entry.name);
    const to = join(work, relative(k6Dir, from));
    if (entry.isDirectory()) {
      mkdirSync(to, { recursive: true });
      copy(from);
    } else if (entry.name.endsWith('.js')) {
      const source = readFileSync(from, 'utf8')
        .replaceAll("from 'k6/http'", `from '${pathToFileURL(join(here, 'http.mjs')).href}'`)
        .replaceAll("from 'k6'", `from '${pathToFileURL(join(here, 'k6.mjs')).href}'`);
      writeFileSync(to.replace(/\.js$/, '.mjs'), source.replace(/from '(\.\.?\/[^']+)\.js'/g, "from '$1.mjs'"));
    }
  }
}
copy(k6Dir);

globalThis.__ENV = { BASE_URL: baseUrl };
const mod = await import(pathToFileURL(join(work, relative(k6Dir, script)).replace(/\.js$/, '.mjs')).href);
const { checks } = await import(pathToFileURL(join(here, 'k6.mjs')).href);
const { requests } = await import(pathToFileURL(join(here, 'http.mjs')).href);
try {
  for (let i = 0; i < Number(iterations); i++) {
    globalThis.__VU = 1;
    globalThis.__ITER = i;
    mod.default();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ options: mod.options, checks, requests }));
