import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HtmlArtifactLinks } from '../report/html.js';

/** Images up to this size are inlined into a report file; larger ones are linked. */
const INLINE_LIMIT = 2 * 1024 * 1024;

const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };

/**
 * Artifact links for a report file: screenshots inlined (the file stays self-contained), everything
 * else linked relative to the report, so the report and `.shopfds/artifacts/` move together.
 */
export function fileArtifactLinks(cwd: string, reportFile: string): HtmlArtifactLinks {
  const reportDir = dirname(reportFile);
  return {
    href(path) {
      const abs = isAbsolute(path) ? path : resolve(cwd, path);
      const rel = relative(reportDir, abs);
      return rel.split(sep).map(encodeURIComponent).join('/') || pathToFileURL(abs).href;
    },
    inline(path, contentType) {
      const abs = isAbsolute(path) ? path : resolve(cwd, path);
      const type = contentType?.startsWith('image/') ? contentType : IMAGE_TYPES[extname(abs).toLowerCase()];
      if (!type) return null;
      try {
        if (statSync(abs).size > INLINE_LIMIT) return null;
        return `data:${type};base64,${readFileSync(abs).toString('base64')}`;
      } catch {
        return null;
      }
    },
  };
}
