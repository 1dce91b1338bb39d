import { octokitFor } from './octokit';
import { PreviewTarget } from '../lifecycle/preview-target';
import { commentMarker, previewCommentBody, PreviewStatus } from '../outputs/preview-comment';
import { hideSecrets } from '../outputs/secrets';
import { StackReport } from '../outputs/service-report';
import { ActionRuntime } from './runtime';
import { errorText } from '../compose/error-text';

// The pull request's comment, through the REST API at GITHUB_API_URL (GitHub Enterprise too).

export interface PullRequestComments {
  /** Edits the comment that holds `marker`, or creates it; says which. */
  upsert(pr: number, marker: string, body: string): Promise<'created' | 'updated'>;
}

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

export interface CommentUpdate {
  status: PreviewStatus;
  failure?: string;
  report?: StackReport;
}

/** Writes the preview's comment as things stand; a failure to comment is a warning, never the step's. */
export type Commenter = (update: CommentUpdate, secrets: string[]) => Promise<void>;

export interface CommenterContext {
  comments: (token: string, repository: string, apiUrl: string | undefined) => PullRequestComments;
  runtime: ActionRuntime;
  env: NodeJS.ProcessEnv;
  now: () => Date;
}

/** The commenter for this run; on an event that is not a pull request, a notice and no API call. */
export function previewCommenter(ctx: CommenterContext, project: string, token: string, target: PreviewTarget, expiresAt?: () => Date | undefined): Commenter {
  return async (update, secrets) => {
    if (target.pr === undefined) {
      ctx.runtime.notice(`comment: true, but this run is not for a pull request (event ${target.event || 'unknown'}): no comment written.`);
      return;
    }
    if (!token) {
      ctx.runtime.warning("comment: true, but there is no token: set 'github-token' (the job's token is the default).");
      return;
    }
    const body = previewCommentBody({
      project,
      ...update,
      commit: target.commit,
      runUrl: target.runUrl,
      expiresAt: expiresAt?.(),
      updatedAt: ctx.now(),
      secrets,
    });
    try {
      const how = await ctx.comments(token, target.repository, ctx.env.GITHUB_API_URL).upsert(target.pr, commentMarker(project), body);
      ctx.runtime.info(`${how === 'created' ? 'Commented on' : 'Updated the comment on'} pull request #${target.pr}.`);
    } catch (e) {
      // The message of an HTTP failure never holds the token; hidden anyway, should one ever.
      ctx.runtime.warning(`Could not comment on pull request #${target.pr}: ${hideSecrets(errorText(e), [token])}`);
    }
  };
}
