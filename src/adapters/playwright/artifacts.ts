import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { E2eTestRun } from '../../model/index.js';
import type { ParsedCase } from './parse.js';

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'case'
  );
}

/**
 * Copies every attachment that exists on disk to `<artifactsDir>/<runId>/<ordinal>-<case>/` and
 * rewrites the paths (cases, e2e screenshots, videos, step screenshots) to the copies, relative to
 * `cwd` when the copy lies under it. Missing files keep their reported path. Returns how many
 * files were copied.
 */
export function copyArtifacts(
  cases: ParsedCase[],
  testRuns: E2eTestRun[],
  options: { artifactsDir: string; runId: string; cwd: string },
): number {
  const moved = new Map<string, string>();
  const targets = new Set<string>();
  let copied = 0;
  const runDir = join(options.artifactsDir, options.runId);
  for (const c of cases) {
    const caseDir = join(runDir, `${c.ordinal}-${slug(c.name)}`);
    c.artifacts = c.artifacts.map((a) => {
      let target = moved.get(a.path);
      if (target === undefined) {
        if (!existsSync(a.path) || !statSync(a.path).isFile()) return a;
        mkdirSync(caseDir, { recursive: true });
        target = join(caseDir, `${a.attempt ?? 'case'}-${basename(a.path)}`);
        for (let i = 2; targets.has(target); i++) target = join(caseDir, `${a.attempt ?? 'case'}-${i}-${basename(a.path)}`);
        targets.add(target);
        copyFileSync(a.path, target);
        copied++;
        const rel = relative(options.cwd, target);
        moved.set(a.path, rel.startsWith('..') ? target : rel.split(sep).join('/'));
        target = moved.get(a.path)!;
      }
      return { ...a, path: target };
    });
  }
  const map = (p: string | null) => (p === null ? null : (moved.get(p) ?? p));
  for (let i = 0; i < testRuns.length; i++) {
    const r = testRuns[i]!;
    testRuns[i] = {
      ...r,
      video_url: map(r.video_url)?.slice(0, 500) ?? null,
      screenshots: r.screenshots.map((s) => ({ ...s, url: map(s.url)! })),
      steps: r.steps.map((s) => ({ ...s, screenshot_url: map(s.screenshot_url) })),
    };
  }
  return copied;
}
