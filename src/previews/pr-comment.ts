import { PreviewTarget } from './preview-target';
import { CommentedStack, commentMarker, previewCommentBody, PreviewStatus } from './preview-comment';
import { hideSecrets } from '../secrets/secret-values';
import { errorText } from '../compose/error-text';
import { PreviewLog } from './preview-log';

// The preview's comment on its pull request: written on each deploy and on down, never failing the
// step. GitHub's API is behind PullRequestComments (the action's github-api.ts is the real one).

export interface PullRequestComments {
  /** Edits the comment that holds `marker`, or creates it; says which. */
  upsert(pr: number, marker: string, body: string): Promise<'created' | 'updated'>;
}

export interface CommentUpdate {
  status: PreviewStatus;
  failure?: string;
  report?: CommentedStack;
}

/** Writes the preview's comment as things stand; a failure to comment is a warning, never the step's. */
export type Commenter = (update: CommentUpdate, secrets: string[]) => Promise<void>;

export interface CommenterContext {
  comments: (token: string, repository: string, apiUrl: string | undefined) => PullRequestComments;
  runtime: PreviewLog;
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
