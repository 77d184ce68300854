import { describe, expect, it } from 'vitest';
import type { Trigger } from '../../src/plan/schema.js';
import { describeEvent, detectCiEvent, globMatch, triggerMatches, type CiEvent } from '../../src/plan/triggers.js';

/*
 * The variables each CI system sets for each event, as it sets them: GitHub Actions sets GITHUB_BASE_REF
 * and GITHUB_HEAD_REF to "" outside pull requests; GitLab leaves CI_COMMIT_BRANCH unset in merge request
 * and tag pipelines; Jenkins multibranch names a change build "PR-<n>" and a tag build by the tag.
 */

const github = (event: string, ref: string, extra: Record<string, string> = {}) => ({
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_EVENT_NAME: event,
  GITHUB_REF: ref,
  GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, '').replace(/^refs\/pull\/(\d+)\/merge$/, '$1/merge'),
  GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
  GITHUB_BASE_REF: '',
  GITHUB_HEAD_REF: '',
  GITHUB_SHA: '4f1c2a9d8e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
  GITHUB_REPOSITORY: 'shopfds/shop',
  ...extra,
});

const gitlab = (source: string, extra: Record<string, string> = {}) => ({
  CI: 'true',
  GITLAB_CI: 'true',
  CI_PIPELINE_SOURCE: source,
  CI_COMMIT_SHA: '4f1c2a9d8e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
  CI_PROJECT_PATH: 'shopfds/shop',
  ...extra,
});

const jenkins = (extra: Record<string, string> = {}) => ({
  JENKINS_URL: 'https://ci.example.com/',
  JENKINS_HOME: '/var/jenkins_home',
  BUILD_NUMBER: '42',
  JOB_NAME: 'shop/main',
  ...extra,
});

describe('detectCiEvent: GitHub Actions', () => {
  it('reads a branch push', () => {
    expect(detectCiEvent(github('push', 'refs/heads/main'))).toEqual({ provider: 'github-actions', event: 'push', branch: 'main', tag: null });
    expect(detectCiEvent(github('push', 'refs/heads/feature/pay-by-card'))).toMatchObject({ event: 'push', branch: 'feature/pay-by-card' });
  });

  it('reads a tag push as a tag', () => {
    expect(detectCiEvent(github('push', 'refs/tags/v1.2.0'))).toEqual({ provider: 'github-actions', event: 'tag', branch: null, tag: 'v1.2.0' });
  });

  it('reads a pull request with its target branch', () => {
    const env = github('pull_request', 'refs/pull/17/merge', { GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'feature/pay-by-card' });
    expect(detectCiEvent(env)).toEqual({ provider: 'github-actions', event: 'pull_request', branch: 'main', tag: null });
    const target = github('pull_request_target', 'refs/heads/main', { GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'fork-fix' });
    expect(detectCiEvent(target)).toMatchObject({ event: 'pull_request', branch: 'main' });
  });

  it('reads a release with its tag', () => {
    expect(detectCiEvent(github('release', 'refs/tags/v2.0.0'))).toEqual({ provider: 'github-actions', event: 'release', branch: null, tag: 'v2.0.0' });
  });

  it('reads workflow_dispatch as a manual run, on a branch or a tag', () => {
    expect(detectCiEvent(github('workflow_dispatch', 'refs/heads/main'))).toEqual({ provider: 'github-actions', event: 'manual', branch: 'main', tag: null });
    expect(detectCiEvent(github('workflow_dispatch', 'refs/tags/v2.0.0'))).toMatchObject({ event: 'manual', branch: null, tag: 'v2.0.0' });
    expect(detectCiEvent(github('repository_dispatch', 'refs/heads/main'))).toMatchObject({ event: 'manual' });
  });

  it('reads a scheduled run on the default branch', () => {
    expect(detectCiEvent(github('schedule', 'refs/heads/main'))).toEqual({ provider: 'github-actions', event: 'schedule', branch: 'main', tag: null });
  });

  it('needs GITHUB_ACTIONS=true', () => {
    const env: Record<string, string> = github('push', 'refs/heads/main');
    delete env.GITHUB_ACTIONS;
    expect(detectCiEvent(env)).toBeNull();
  });
});

describe('detectCiEvent: GitLab CI', () => {
  it('reads a branch push', () => {
    expect(detectCiEvent(gitlab('push', { CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main' }))).toEqual({ provider: 'gitlab-ci', event: 'push', branch: 'main', tag: null });
  });

  it('reads a tag pipeline as a tag', () => {
    expect(detectCiEvent(gitlab('push', { CI_COMMIT_TAG: 'v1.2.0', CI_COMMIT_REF_NAME: 'v1.2.0' }))).toEqual({ provider: 'gitlab-ci', event: 'tag', branch: null, tag: 'v1.2.0' });
  });

  it('reads a merge request pipeline with its target branch', () => {
    const env = gitlab('merge_request_event', {
      CI_COMMIT_REF_NAME: 'feature/pay-by-card',
      CI_MERGE_REQUEST_IID: '17',
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/pay-by-card',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    });
    expect(detectCiEvent(env)).toEqual({ provider: 'gitlab-ci', event: 'pull_request', branch: 'main', tag: null });
  });

  it('reads a pipeline started from the web or the API as manual', () => {
    expect(detectCiEvent(gitlab('web', { CI_COMMIT_BRANCH: 'main' }))).toEqual({ provider: 'gitlab-ci', event: 'manual', branch: 'main', tag: null });
    expect(detectCiEvent(gitlab('api', { CI_COMMIT_BRANCH: 'release' }))).toMatchObject({ event: 'manual', branch: 'release' });
    expect(detectCiEvent(gitlab('web', { CI_COMMIT_TAG: 'v1.2.0' }))).toMatchObject({ event: 'manual', branch: null, tag: 'v1.2.0' });
  });

  it('reads a scheduled pipeline', () => {
    expect(detectCiEvent(gitlab('schedule', { CI_COMMIT_BRANCH: 'main' }))).toEqual({ provider: 'gitlab-ci', event: 'schedule', branch: 'main', tag: null });
  });
});

describe('detectCiEvent: Jenkins', () => {
  it('reads a multibranch branch build as a push', () => {
    expect(detectCiEvent(jenkins({ BRANCH_NAME: 'main' }))).toEqual({ provider: 'jenkins', event: 'push', branch: 'main', tag: null });
  });

  it('reads a change request build with its target branch', () => {
    expect(detectCiEvent(jenkins({ BRANCH_NAME: 'PR-17', CHANGE_ID: '17', CHANGE_TARGET: 'main', CHANGE_BRANCH: 'feature/pay-by-card' }))).toEqual({
      provider: 'jenkins',
      event: 'pull_request',
      branch: 'main',
      tag: null,
    });
  });

  it('reads a tag build', () => {
    expect(detectCiEvent(jenkins({ BRANCH_NAME: 'v1.2.0', TAG_NAME: 'v1.2.0' }))).toEqual({ provider: 'jenkins', event: 'tag', branch: null, tag: 'v1.2.0' });
  });

  it('reads the branch of a freestyle job from GIT_BRANCH', () => {
    expect(detectCiEvent(jenkins({ GIT_BRANCH: 'origin/main' }))).toMatchObject({ event: 'push', branch: 'main' });
  });
});

describe('detectCiEvent outside CI', () => {
  it('finds no event in a plain shell', () => {
    expect(detectCiEvent({ HOME: '/home/dev', PATH: '/usr/bin', CI: 'true' })).toBeNull();
    expect(detectCiEvent({})).toBeNull();
  });
});

describe('globMatch', () => {
  it('matches * within a path segment and ** across segments', () => {
    expect(globMatch('main', 'main')).toBe(true);
    expect(globMatch('main', 'main2')).toBe(false);
    expect(globMatch('release/*', 'release/1.2')).toBe(true);
    expect(globMatch('release/*', 'release/1.2/hotfix')).toBe(false);
    expect(globMatch('release/**', 'release/1.2/hotfix')).toBe(true);
    expect(globMatch('v*', 'v1.2.0')).toBe(true);
    expect(globMatch('v*.*.*', 'v1.2.0')).toBe(true);
    expect(globMatch('v1.2.0', 'v1x2x0')).toBe(false);
  });
});

// Seed 004's tiers.
const TIER1: Trigger = { push: true, pull_request: true };
const TIER2: Trigger = { push: { branches: ['main'] } };
const TIER3: Trigger = { workflow_dispatch: true, release: true };

function tiersFor(env: Record<string, string>): string[] {
  const event = detectCiEvent(env);
  if (!event) throw new Error('no CI event');
  return Object.entries({ tier1: TIER1, tier2: TIER2, tier3: TIER3 })
    .filter(([, trigger]) => triggerMatches(trigger, event))
    .map(([name]) => name);
}

describe("seed 004's tiers by CI event", () => {
  it('GitHub Actions: tier1 on every push and PR, tier2 on main, tier3 on a release or by hand', () => {
    expect(tiersFor(github('push', 'refs/heads/feature/pay-by-card'))).toEqual(['tier1']);
    expect(tiersFor(github('push', 'refs/heads/main'))).toEqual(['tier1', 'tier2']);
    expect(tiersFor(github('pull_request', 'refs/pull/17/merge', { GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'feature/x' }))).toEqual(['tier1']);
    expect(tiersFor(github('release', 'refs/tags/v2.0.0'))).toEqual(['tier3']);
    expect(tiersFor(github('workflow_dispatch', 'refs/heads/main'))).toEqual(['tier3']);
    expect(tiersFor(github('schedule', 'refs/heads/main'))).toEqual([]);
  });

  it('GitHub Actions: a tag push is a push for an unfiltered push trigger, not for a branch filter', () => {
    // As `on: push` with no filter runs for tags, and `on: push: branches: [main]` does not.
    expect(tiersFor(github('push', 'refs/tags/v2.0.0'))).toEqual(['tier1']);
  });

  it('GitLab CI: the same tiers from CI_PIPELINE_SOURCE; a tag pipeline is the release', () => {
    expect(tiersFor(gitlab('push', { CI_COMMIT_BRANCH: 'feature/x' }))).toEqual(['tier1']);
    expect(tiersFor(gitlab('push', { CI_COMMIT_BRANCH: 'main' }))).toEqual(['tier1', 'tier2']);
    expect(tiersFor(gitlab('merge_request_event', { CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main' }))).toEqual(['tier1']);
    expect(tiersFor(gitlab('web', { CI_COMMIT_BRANCH: 'main' }))).toEqual(['tier3']);
    expect(tiersFor(gitlab('push', { CI_COMMIT_TAG: 'v2.0.0' }))).toEqual(['tier1', 'tier3']);
    expect(tiersFor(gitlab('schedule', { CI_COMMIT_BRANCH: 'main' }))).toEqual([]);
  });

  it('Jenkins: the same tiers from BRANCH_NAME, CHANGE_ID/CHANGE_TARGET and TAG_NAME', () => {
    expect(tiersFor(jenkins({ BRANCH_NAME: 'feature/x' }))).toEqual(['tier1']);
    expect(tiersFor(jenkins({ BRANCH_NAME: 'main' }))).toEqual(['tier1', 'tier2']);
    expect(tiersFor(jenkins({ BRANCH_NAME: 'PR-17', CHANGE_ID: '17', CHANGE_TARGET: 'main' }))).toEqual(['tier1']);
    expect(tiersFor(jenkins({ BRANCH_NAME: 'v2.0.0', TAG_NAME: 'v2.0.0' }))).toEqual(['tier1', 'tier3']);
  });
});

describe('triggerMatches', () => {
  const event = (e: Partial<CiEvent>): CiEvent => ({ provider: 'github-actions', event: 'push', branch: null, tag: null, ...e });

  it('runs a tier without a trigger on every event', () => {
    for (const name of ['push', 'pull_request', 'tag', 'release', 'manual', 'schedule'] as const) expect(triggerMatches(undefined, event({ event: name }))).toBe(true);
  });

  it('filters pull requests by their target branch, with globs', () => {
    const trigger: Trigger = { pull_request: { branches: ['main', 'release/*'] } };
    expect(triggerMatches(trigger, event({ event: 'pull_request', branch: 'main' }))).toBe(true);
    expect(triggerMatches(trigger, event({ event: 'pull_request', branch: 'release/2.0' }))).toBe(true);
    expect(triggerMatches(trigger, event({ event: 'pull_request', branch: 'develop' }))).toBe(false);
    expect(triggerMatches(trigger, event({ event: 'pull_request', branch: null }))).toBe(false);
    expect(triggerMatches(trigger, event({ event: 'push', branch: 'main' }))).toBe(false);
  });

  it('takes merge_request as a name for pull requests', () => {
    expect(triggerMatches({ merge_request: true }, event({ provider: 'gitlab-ci', event: 'pull_request', branch: 'main' }))).toBe(true);
  });

  it('does not fire on a push whose branch is unknown when branches are filtered', () => {
    expect(triggerMatches({ push: { branches: ['main'] } }, event({ event: 'push', branch: null }))).toBe(false);
    expect(triggerMatches({ push: true }, event({ event: 'push', branch: null }))).toBe(true);
  });

  it('matches tags with push.tags, or with tag: true / a pattern / a list', () => {
    const v2 = event({ event: 'tag', tag: 'v2.0.0' });
    expect(triggerMatches({ push: { tags: ['v*'] } }, v2)).toBe(true);
    expect(triggerMatches({ push: { tags: ['release-*'] } }, v2)).toBe(false);
    expect(triggerMatches({ tag: true }, v2)).toBe(true);
    expect(triggerMatches({ tag: 'v2.*' }, v2)).toBe(true);
    expect(triggerMatches({ tag: ['v1.*', 'v3.*'] }, v2)).toBe(false);
    expect(triggerMatches({ push: { branches: ['main'] } }, v2)).toBe(false);
  });

  it('treats a push filter naming only tags as not matching branch pushes, as GitHub does', () => {
    const trigger: Trigger = { push: { tags: ['v*'] } };
    expect(triggerMatches(trigger, event({ event: 'push', branch: 'main' }))).toBe(false);
    expect(triggerMatches(trigger, event({ event: 'tag', tag: 'v1.0.0' }))).toBe(true);
    const both: Trigger = { push: { branches: ['main'], tags: ['v*'] } };
    expect(triggerMatches(both, event({ event: 'push', branch: 'main' }))).toBe(true);
    expect(triggerMatches(both, event({ event: 'push', branch: 'develop' }))).toBe(false);
    expect(triggerMatches(both, event({ event: 'tag', tag: 'v1.0.0' }))).toBe(true);
    expect(triggerMatches(both, event({ event: 'tag', tag: 'nightly' }))).toBe(false);
  });

  it('fires release tiers on a GitHub release, and on a tag in GitLab and Jenkins, which have no release event', () => {
    expect(triggerMatches({ release: true }, event({ event: 'release', tag: 'v2.0.0' }))).toBe(true);
    expect(triggerMatches({ release: true }, event({ event: 'tag', tag: 'v2.0.0' }))).toBe(false);
    expect(triggerMatches({ release: true }, event({ provider: 'gitlab-ci', event: 'tag', tag: 'v2.0.0' }))).toBe(true);
    expect(triggerMatches({ release: true }, event({ provider: 'jenkins', event: 'tag', tag: 'v2.0.0' }))).toBe(true);
  });

  it('fires manual tiers on workflow_dispatch or manual, and scheduled tiers on schedule only', () => {
    const manual = event({ event: 'manual', branch: 'main' });
    expect(triggerMatches({ workflow_dispatch: true }, manual)).toBe(true);
    expect(triggerMatches({ manual: true }, manual)).toBe(true);
    expect(triggerMatches({ push: true }, manual)).toBe(false);
    expect(triggerMatches({ schedule: true }, event({ event: 'schedule', branch: 'main' }))).toBe(true);
    expect(triggerMatches({ push: true, workflow_dispatch: true }, event({ event: 'schedule', branch: 'main' }))).toBe(false);
  });

  it('never fires on a filter set to false', () => {
    expect(triggerMatches({ push: false, pull_request: false }, event({ event: 'push', branch: 'main' }))).toBe(false);
    expect(triggerMatches({ push: false, pull_request: false }, event({ event: 'pull_request', branch: 'main' }))).toBe(false);
  });
});

describe('describeEvent', () => {
  it('names the event as the summary prints it', () => {
    expect(describeEvent(detectCiEvent(github('push', 'refs/heads/main'))!)).toBe('push to main');
    expect(describeEvent(detectCiEvent(github('pull_request', 'refs/pull/3/merge', { GITHUB_BASE_REF: 'main' }))!)).toBe('pull request into main');
    expect(describeEvent(detectCiEvent(github('push', 'refs/tags/v1.2.0'))!)).toBe('tag v1.2.0');
    expect(describeEvent(detectCiEvent(github('release', 'refs/tags/v1.2.0'))!)).toBe('release v1.2.0');
    expect(describeEvent(detectCiEvent(github('workflow_dispatch', 'refs/heads/main'))!)).toBe('manual run');
    expect(describeEvent(detectCiEvent(gitlab('schedule', { CI_COMMIT_BRANCH: 'main' }))!)).toBe('scheduled run');
  });
});
