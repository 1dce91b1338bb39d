import { DeployRecord } from './deploy-record';
import { ClosedCheck } from './previews';
import { hideSecrets } from '../secrets/secret-values';
import { errorText } from '../compose/error-text';
import { PreviewLog } from './preview-log';

// Whether a preview's pull request is still open (GitHub's API behind PullRequestStates): `sweep`
// removes the previews of closed ones (GitHub sends no `closed` event to a workflow for a pull
// request closed while it had conflicts, so its `down` job never ran).

export type PullRequestState = 'open' | 'closed' | 'merged';

export interface PullRequestStates {
  state(pr: number): Promise<PullRequestState>;
}

export interface ClosedCheckContext {
  pullRequests: (token: string, repository: string, apiUrl: string | undefined) => PullRequestStates;
  runtime: PreviewLog;
  env: NodeJS.ProcessEnv;
}

/**
 * The sweep's question for each preview of this repository's pull requests; undefined, with a line
 * saying what is skipped, without a token. Previews of other repositories are left to their own
 * sweep (the job's token answers for its own repository only).
 */
export function closedPullRequests(ctx: ClosedCheckContext, token: string, repository: string): ClosedCheck | undefined {
  if (!token) {
    ctx.runtime.info("Sweep: no 'github-token', so previews of closed pull requests were not looked for; only expired ones are removed.");
    return undefined;
  }
  if (!repository) return undefined;
  const api = ctx.pullRequests(token, repository, ctx.env.GITHUB_API_URL);
  return async (record: DeployRecord) => {
    if (record.pr === undefined || record.repository?.toLowerCase() !== repository.toLowerCase()) return undefined;
    try {
      const state = await api.state(record.pr);
      return state === 'open' ? undefined : `pull request #${record.pr} is ${state}`;
    } catch (e) {
      const status = (e as { status?: number }).status;
      const hint = status === 403 || status === 404 ? " (the token needs 'pull-requests: read' in the job's permissions)" : '';
      ctx.runtime.warning(`Could not read pull request #${record.pr} of ${repository}${hint}: ${hideSecrets(errorText(e), [token])}. Its preview ${record.project} is left.`);
      return undefined;
    }
  };
}
