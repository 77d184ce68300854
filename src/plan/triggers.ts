import type { Trigger } from './schema.js';

/*
 * `plan run --from-ci`: the CI event, read from the variables GitHub Actions, GitLab CI and Jenkins
 * set, and which tiers it triggers (seed 004: tier1 on every push and PR, tier2 on main, tier3 on a
 * release or by hand).
 */

export type CiEventName = 'push' | 'pull_request' | 'tag' | 'release' | 'manual' | 'schedule';

export interface CiEvent {
  readonly provider: 'github-actions' | 'gitlab-ci' | 'jenkins';
  readonly event: CiEventName;
  /** The pushed branch; for a pull/merge request, its target branch. */
  readonly branch: string | null;
  readonly tag: string | null;
}

type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

/** The CI event of this job, or null when no supported CI system is detected. */
export function detectCiEvent(env: Env): CiEvent | null {
  if (env.GITHUB_ACTIONS === 'true') {
    const ref = env.GITHUB_REF ?? '';
    const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : null;
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
    const name = env.GITHUB_EVENT_NAME ?? '';
    switch (name) {
      case 'pull_request':
      case 'pull_request_target':
        return { provider: 'github-actions', event: 'pull_request', branch: nonEmpty(env.GITHUB_BASE_REF), tag: null };
      case 'release':
        return { provider: 'github-actions', event: 'release', branch: null, tag: tag ?? nonEmpty(env.GITHUB_REF_NAME) };
      case 'workflow_dispatch':
      case 'repository_dispatch':
        return { provider: 'github-actions', event: 'manual', branch, tag };
      case 'schedule':
        return { provider: 'github-actions', event: 'schedule', branch, tag };
      default:
        return tag ? { provider: 'github-actions', event: 'tag', branch: null, tag } : { provider: 'github-actions', event: 'push', branch, tag: null };
    }
  }
  if (env.GITLAB_CI === 'true') {
    const source = env.CI_PIPELINE_SOURCE ?? 'push';
    const tag = nonEmpty(env.CI_COMMIT_TAG);
    if (source === 'merge_request_event' || source === 'external_pull_request_event') {
      return { provider: 'gitlab-ci', event: 'pull_request', branch: nonEmpty(env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME) ?? nonEmpty(env.CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_NAME), tag: null };
    }
    if (source === 'schedule') return { provider: 'gitlab-ci', event: 'schedule', branch: nonEmpty(env.CI_COMMIT_BRANCH), tag };
    if (source === 'web' || source === 'api' || source === 'trigger' || source === 'chat') {
      return { provider: 'gitlab-ci', event: 'manual', branch: nonEmpty(env.CI_COMMIT_BRANCH), tag };
    }
    if (tag) return { provider: 'gitlab-ci', event: 'tag', branch: null, tag };
    return { provider: 'gitlab-ci', event: 'push', branch: nonEmpty(env.CI_COMMIT_BRANCH) ?? nonEmpty(env.CI_COMMIT_REF_NAME), tag: null };
  }
  if (nonEmpty(env.JENKINS_URL) || nonEmpty(env.JENKINS_HOME)) {
    if (nonEmpty(env.CHANGE_ID)) return { provider: 'jenkins', event: 'pull_request', branch: nonEmpty(env.CHANGE_TARGET), tag: null };
    const tag = nonEmpty(env.TAG_NAME);
    if (tag) return { provider: 'jenkins', event: 'tag', branch: null, tag };
    if (nonEmpty(env.BUILD_CAUSE_USERIDCAUSE) === 'true' || env.BUILD_CAUSE === 'MANUALTRIGGER') return { provider: 'jenkins', event: 'manual', branch: nonEmpty(env.BRANCH_NAME), tag: null };
    if (env.BUILD_CAUSE === 'TIMERTRIGGER') return { provider: 'jenkins', event: 'schedule', branch: nonEmpty(env.BRANCH_NAME), tag: null };
    return { provider: 'jenkins', event: 'push', branch: nonEmpty(env.BRANCH_NAME) ?? nonEmpty(env.GIT_BRANCH)?.replace(/^origin\//, '') ?? null, tag: null };
  }
  return null;
}

/** Glob match for branch and tag filters: `*` within a path segment, `**` across them. */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .split('**')
    .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${re}$`).test(value);
}

function anyMatch(patterns: readonly string[] | undefined, value: string | null): boolean {
  if (patterns === undefined) return true;
  return value !== null && patterns.some((p) => globMatch(p, value));
}

type RefFilter = boolean | { branches?: string[]; tags?: string[] } | undefined;

/**
 * A push (or pull request) filter against a branch or a tag, as GitHub Actions reads `on.push`: no filter
 * fires for branches and tags alike; a filter naming only branches fires for no tag, one naming only tags
 * for no branch.
 */
function refMatches(filter: RefFilter, ref: 'branch' | 'tag', value: string | null): boolean {
  if (filter === undefined || filter === false) return false;
  if (filter === true) return true;
  const { branches, tags } = filter;
  if (ref === 'branch') return tags !== undefined && branches === undefined ? false : anyMatch(branches, value);
  return branches !== undefined && tags === undefined ? false : anyMatch(tags, value);
}

/** Whether a tier's trigger fires for an event; a tier without a trigger runs on every event. */
export function triggerMatches(trigger: Trigger | undefined, event: CiEvent): boolean {
  if (!trigger) return true;
  switch (event.event) {
    case 'push':
      return refMatches(trigger.push, 'branch', event.branch);
    case 'pull_request':
      return refMatches(trigger.pull_request, 'branch', event.branch) || refMatches(trigger.merge_request, 'branch', event.branch);
    case 'tag': {
      if (refMatches(trigger.push, 'tag', event.tag)) return true;
      if (trigger.tag === true) return true;
      if (typeof trigger.tag === 'string' || Array.isArray(trigger.tag)) return anyMatch([trigger.tag].flat(), event.tag);
      // GitLab and Jenkins cut releases from tags.
      return trigger.release === true && event.provider !== 'github-actions';
    }
    case 'release':
      return trigger.release === true;
    case 'manual':
      return trigger.workflow_dispatch === true || trigger.manual === true;
    case 'schedule':
      return trigger.schedule === true;
  }
}

/** "push to main", "pull request into main", "tag v1.2.0", ... */
export function describeEvent(event: CiEvent): string {
  switch (event.event) {
    case 'push':
      return `push${event.branch ? ` to ${event.branch}` : ''}`;
    case 'pull_request':
      return `pull request${event.branch ? ` into ${event.branch}` : ''}`;
    case 'tag':
      return `tag ${event.tag ?? ''}`.trim();
    case 'release':
      return `release${event.tag ? ` ${event.tag}` : ''}`;
    case 'manual':
      return 'manual run';
    case 'schedule':
      return 'scheduled run';
  }
}
