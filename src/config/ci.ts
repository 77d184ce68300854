import type { CiInfo } from '../model/index.js';

type Env = Readonly<Record<string, string | undefined>>;

function val(env: Env, key: string): string | null {
  const v = env[key];
  return v === undefined || v === '' ? null : v;
}

/** Detects GitHub Actions, GitLab CI, Jenkins, and any other CI that sets CI=true. */
export function detectCi(env: Env): CiInfo | null {
  if (env.GITHUB_ACTIONS === 'true') {
    const server = val(env, 'GITHUB_SERVER_URL') ?? 'https://github.com';
    const repo = val(env, 'GITHUB_REPOSITORY');
    const runId = val(env, 'GITHUB_RUN_ID');
    return {
      provider: 'github-actions',
      buildId: runId,
      commitSha: val(env, 'GITHUB_SHA'),
      branch: val(env, 'GITHUB_HEAD_REF') ?? val(env, 'GITHUB_REF_NAME'),
      jobUrl: repo && runId ? `${server}/${repo}/actions/runs/${runId}` : null,
    };
  }
  if (env.GITLAB_CI === 'true') {
    return {
      provider: 'gitlab-ci',
      buildId: val(env, 'CI_PIPELINE_ID'),
      commitSha: val(env, 'CI_COMMIT_SHA'),
      branch: val(env, 'CI_COMMIT_REF_NAME'),
      jobUrl: val(env, 'CI_JOB_URL'),
    };
  }
  if (val(env, 'JENKINS_URL') && val(env, 'BUILD_ID')) {
    return {
      provider: 'jenkins',
      buildId: val(env, 'BUILD_TAG') ?? val(env, 'BUILD_ID'),
      commitSha: val(env, 'GIT_COMMIT'),
      branch: val(env, 'BRANCH_NAME') ?? val(env, 'GIT_BRANCH'),
      jobUrl: val(env, 'BUILD_URL'),
    };
  }
  const ci = env.CI?.toLowerCase();
  if (ci && ci !== 'false' && ci !== '0') {
    return {
      provider: 'generic',
      buildId: val(env, 'BUILD_ID') ?? val(env, 'CI_BUILD_ID'),
      commitSha: val(env, 'GIT_COMMIT') ?? val(env, 'COMMIT_SHA'),
      branch: val(env, 'GIT_BRANCH') ?? val(env, 'BRANCH'),
      jobUrl: val(env, 'BUILD_URL'),
    };
  }
  return null;
}
