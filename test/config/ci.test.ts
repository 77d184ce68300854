import { describe, expect, it } from 'vitest';
import { detectCi } from '../../src/config/ci.js';

describe('detectCi', () => {
  it('returns null on a developer machine', () => {
    expect(detectCi({ HOME: '/home/dev' })).toBeNull();
    expect(detectCi({ CI: 'false' })).toBeNull();
  });

  it('reads GitHub Actions metadata and builds the job URL', () => {
    expect(
      detectCi({
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_RUN_ID: '987',
        GITHUB_SHA: 'abc123',
        GITHUB_REF_NAME: 'main',
        GITHUB_REPOSITORY: 'shop/fds',
        GITHUB_SERVER_URL: 'https://github.example',
      }),
    ).toEqual({ provider: 'github-actions', buildId: '987', commitSha: 'abc123', branch: 'main', jobUrl: 'https://github.example/shop/fds/actions/runs/987' });
  });

  it('prefers the pull request head branch on GitHub', () => {
    expect(detectCi({ GITHUB_ACTIONS: 'true', GITHUB_HEAD_REF: 'feature/x', GITHUB_REF_NAME: '12/merge' })?.branch).toBe('feature/x');
  });

  it('reads GitLab CI metadata', () => {
    expect(detectCi({ GITLAB_CI: 'true', CI_PIPELINE_ID: '55', CI_COMMIT_SHA: 'def', CI_COMMIT_REF_NAME: 'dev', CI_JOB_URL: 'https://gl/job/1' })).toEqual({
      provider: 'gitlab-ci',
      buildId: '55',
      commitSha: 'def',
      branch: 'dev',
      jobUrl: 'https://gl/job/1',
    });
  });

  it('reads Jenkins metadata', () => {
    expect(detectCi({ JENKINS_URL: 'https://ci/', BUILD_ID: '7', BUILD_TAG: 'jenkins-shop-7', GIT_COMMIT: 'f00', BRANCH_NAME: 'rel', BUILD_URL: 'https://ci/job/7/' })).toEqual({
      provider: 'jenkins',
      buildId: 'jenkins-shop-7',
      commitSha: 'f00',
      branch: 'rel',
      jobUrl: 'https://ci/job/7/',
    });
  });

  it('falls back to a generic CI with CI=true', () => {
    expect(detectCi({ CI: 'true' })).toEqual({ provider: 'generic', buildId: null, commitSha: null, branch: null, jobUrl: null });
    expect(detectCi({ CI: '1', BUILD_ID: 'b1' })?.buildId).toBe('b1');
  });
});
