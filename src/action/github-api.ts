import { octokitFor } from './octokit';
import { PullRequestComments } from '../previews/pr-comment';
import { PullRequestStates } from '../previews/pull-request-state';

// The previews' calls to GitHub's REST API at GITHUB_API_URL (GitHub Enterprise too): a preview's
// comment, and whether a pull request is still open.

export function githubComments(token: string, repository: string, apiUrl: string | undefined): PullRequestComments {
  const octokit = octokitFor(token, apiUrl);
  const [owner, repo] = repository.split('/');
  return {
    async upsert(pr, marker, body) {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pr, per_page: 100 });
      const mine = comments.find((c) => c.body?.includes(marker));
      if (mine) {
        await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
        return 'updated';
      }
      await octokit.rest.issues.createComment({ owner, repo, issue_number: pr, body });
      return 'created';
    },
  };
}

export function githubPullRequests(token: string, repository: string, apiUrl: string | undefined): PullRequestStates {
  const octokit = octokitFor(token, apiUrl);
  const [owner, repo] = repository.split('/');
  return {
    async state(pr) {
      const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: pr });
      return data.merged ? 'merged' : data.state === 'closed' ? 'closed' : 'open';
    },
  };
}
