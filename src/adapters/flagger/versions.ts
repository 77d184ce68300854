import semver from 'semver';

/**
 * A semantic version from an image tag: `v1.2.3` and `1.2.3` (with pre-release/build parts) are
 * accepted as written; anything else (latest, a commit sha) is null.
 */
export function versionFromTag(tag: string | null): string | null {
  if (!tag) return null;
  if (!/^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(tag)) return null;
  return semver.valid(tag) ? tag : null;
}

/** Whether two versions name the same release (`v1.2.3` equals `1.2.3`). */
export function sameVersion(a: string, b: string): boolean {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  return va !== null && vb !== null ? semver.eq(va, vb) : a === b;
}
