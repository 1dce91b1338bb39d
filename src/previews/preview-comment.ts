import { hideSecrets } from '../secrets/secret-values';
import { escapeCell } from '../outputs/summary';

// The one pull-request comment per preview: found again by its hidden marker, and rewritten on
// every deploy and on down. It is public, so whatever secrets the stack has are hidden in it.

export type PreviewStatus = 'ready' | 'failed' | 'removed';

/** What the comment shows of each service (a compose stack's report, or a swarm stack's). */
export interface CommentedStack {
  services: Record<string, { state: string; url?: string | null }>;
}

export interface PreviewComment {
  project: string;
  status: PreviewStatus;
  commit?: string;
  runUrl?: string;
  report?: CommentedStack;
  /** Why the deploy failed. */
  failure?: string;
  expiresAt?: Date;
  updatedAt: Date;
  secrets: string[];
}

export const commentMarker = (project: string): string => `<!-- ephemeral-compose preview: ${project} -->`;

const HEADLINE: Record<PreviewStatus, string> = {
  ready: 'is ready',
  failed: 'did not come up',
  removed: 'was removed',
};

export function previewCommentBody(c: PreviewComment): string {
  const hide = (text: string) => hideSecrets(text, c.secrets);
  const facts = [
    c.commit ? `commit \`${c.commit.slice(0, 12)}\`` : undefined,
    c.runUrl ? `[workflow run](${c.runUrl})` : undefined,
    `updated ${c.updatedAt.toISOString()}`,
    c.expiresAt && c.status !== 'removed' ? `expires ${c.expiresAt.toISOString()}` : undefined,
  ].filter(Boolean);
  const lines = [commentMarker(c.project), `### Preview \`${c.project.replace(/`/g, '')}\` ${HEADLINE[c.status]}`, '', facts.join(' · ')];
  if (c.report && c.status !== 'removed') {
    lines.push('', '| service | state | URL |', '| --- | --- | --- |');
    for (const [name, s] of Object.entries(c.report.services)) {
      lines.push(`| ${escapeCell(name)} | ${escapeCell(s.state)} | ${s.url ? escapeCell(hide(s.url)) : '—'} |`);
    }
  }
  if (c.failure && c.status === 'failed') {
    const fence = '````';
    lines.push('', '<details><summary>Why</summary>', '', fence, hide(c.failure).replace(/````/g, '` ` ` `'), fence, '', '</details>');
  }
  return lines.join('\n') + '\n';
}
