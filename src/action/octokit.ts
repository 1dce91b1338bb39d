import type * as Github from '@actions/github';

// GitHub's REST client at GITHUB_API_URL (GitHub Enterprise too), loaded on first use: it is a
// large module tree that most runs (and the unit tests) never need.

export function octokitFor(token: string, apiUrl: string | undefined): ReturnType<typeof Github.getOctokit> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const github = require('@actions/github') as typeof Github;
  return github.getOctokit(token, apiUrl ? { baseUrl: apiUrl } : {});
}
