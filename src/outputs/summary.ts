import { hideSecrets } from '../secrets/secret-values';
import { StackReport } from './service-report';

// The job summary as Markdown: one row per service, written once so a 50-service stack stays a
// single readable table.

export function escapeCell(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|#!~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** How one image came to the engine. */
export interface ImageRow {
  image: string;
  services: string[];
  how: 'pulled' | 'cached' | 'built' | 'on the engine';
  seconds?: number;
  /** Bytes downloaded. */
  bytes?: number;
}

function imageRows(images: ImageRow[]): string[] {
  const cell = (r: ImageRow) =>
    `| ${escapeCell(r.image)} | ${escapeCell(r.services.join(', '))} | ${r.how} | ${r.bytes ? `${(r.bytes / 1e6).toFixed(1)} MB` : '—'} | ${r.seconds !== undefined ? `${r.seconds.toFixed(1)} s` : '—'} |`;
  return ['', '| image | services | how | downloaded | seconds |', '| --- | --- | --- | --- | --- |', ...images.map(cell)];
}

/** Credentials in URLs and messages are shown as ***. */
export function summaryMarkdown(projectName: string, report: StackReport, failure?: { message: string }, secrets: string[] = report.secrets, images: ImageRow[] = []): string {
  const hide = (text: string) => hideSecrets(text, secrets);
  const rows = Object.entries(report.services).map(([name, s]) => {
    const portUrls = s.ports.map((p) => p.url ?? `${p.published}/${p.protocol}`);
    // A URL of its own (a label's, the url-template's) comes first.
    const shown = s.url && !portUrls.includes(s.url) ? [s.url, ...portUrls] : portUrls;
    const ports = shown.map((u) => escapeCell(hide(u))).join('<br>') || '—';
    const ready = s.readySeconds !== null ? `${s.readySeconds.toFixed(1)} s` : '—';
    return `| ${escapeCell(name)} | ${escapeCell(s.state)}${s.readiness && s.readiness !== s.state ? ` (${escapeCell(s.readiness)})` : ''} | ${escapeCell(s.health ?? '—')} | ${ready} | ${ports} | ${escapeCell(s.image ?? '—')} |`;
  });
  const lines = [
    `### Ephemeral Compose: \`${projectName.replace(/`/g, '')}\``,
    '',
    '| service | state | health | ready after | ports | image |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
  if (images.length > 0) lines.push(...imageRows(images));
  if (failure) {
    const fence = '````';
    lines.push('', '**The stack did not come up:**', '', fence, hide(failure.message).replace(/````/g, '` ` ` `'), fence);
  }
  return lines.join('\n') + '\n';
}

/** What the summary shows of a service on a swarm. */
export interface SwarmServiceRow {
  readiness: string;
  readySeconds: number;
  nodes: string[];
  ports: { url?: string; published: number; protocol: string; mode: string }[];
  url?: string;
}

/** The job summary of a stack on a swarm: each service's verdict, where its tasks run and its ports; or why it did not come up. */
export function swarmSummaryMarkdown(stack: string, services: Record<string, SwarmServiceRow>, failure?: string, secrets: string[] = []): string {
  const hide = (text: string) => hideSecrets(text, secrets);
  const lines = [`### Ephemeral Compose: \`${stack.replace(/`/g, '')}\` on Swarm`];
  const names = Object.keys(services);
  if (names.length > 0) {
    lines.push('', '| service | ready | ready after | nodes | ports |', '| --- | --- | --- | --- | --- |');
    for (const name of names) {
      const s = services[name];
      const portUrls = s.ports.map((p) => `${p.url ?? `${p.published}/${p.protocol}`}${p.mode === 'host' ? ' (host mode)' : ''}`);
      const shown = s.url && !s.ports.some((p) => p.url === s.url) ? [s.url, ...portUrls] : portUrls;
      lines.push(
        `| ${escapeCell(name)} | ${escapeCell(s.readiness)} | ${s.readySeconds.toFixed(1)} s | ${escapeCell(s.nodes.join(', ') || '—')} | ${shown.map((u) => escapeCell(hide(u))).join('<br>') || '—'} |`,
      );
    }
  }
  if (failure) {
    const fence = '````';
    lines.push('', '**The stack did not come up:**', '', fence, hide(failure).replace(/````/g, '` ` ` `'), fence);
  }
  return lines.join('\n') + '\n';
}

/** A service that was ready and stopped after main, as post found it: one sentence, its log's tail. */
export interface StoppedAfterMain {
  container: string;
  sentence: string;
  failed: boolean;
}

/** The post step's addition to the job summary: services that were ready and died after main. */
export function exitsMarkdown(projectName: string, exits: StoppedAfterMain[], tails: Record<string, string>): string {
  const fence = '````';
  const lines = [`### Ephemeral Compose: \`${projectName.replace(/`/g, '')}\` after the main step`, ''];
  for (const e of exits) {
    lines.push(`${e.failed ? '**Failed:** ' : ''}${escapeCell(e.sentence)}`, '');
    const tail = (tails[e.container] ?? '').trim();
    if (tail) lines.push(fence, tail.replace(/````/g, '` ` ` `'), fence, '');
  }
  return lines.join('\n');
}

/** `down`: what became of the preview. */
export function downMarkdown(projectName: string, how: 'removed' | 'gone'): string {
  const name = `\`${projectName.replace(/`/g, '')}\``;
  return `### Ephemeral Compose: ${name}\n\n${how === 'removed' ? 'Preview removed: containers, networks and volumes.' : 'Already gone: nothing of it was on the engine.'}\n`;
}

/** `sweep`: one row per project removed, and what was left. */
export function sweepMarkdown(removed: { project: string; pr?: number; why: string }[], kept: number, skipped: string[], reaped: { project: string; run?: string }[] = []): string {
  const lines = ['### Ephemeral Compose: sweep', ''];
  if (removed.length === 0) lines.push('No deployed project had expired or lost its pull request.');
  else {
    lines.push('| project | pull request | why |', '| --- | --- | --- |');
    for (const r of removed) lines.push(`| ${escapeCell(r.project)} | ${r.pr !== undefined ? `#${r.pr}` : '—'} | ${escapeCell(r.why)} |`);
  }
  lines.push('', `${kept} deployed project(s) left (not expired or without a ttl, pull request open or none).`);
  if (skipped.length > 0) lines.push(`Due but left (being deployed now, or holding what this action did not deploy): ${skipped.map(escapeCell).join(', ')}.`);
  if (reaped.length > 0) lines.push(`Stacks of dead runs removed: ${reaped.map((r) => `${escapeCell(r.project)}${r.run ? ` (left by ${r.run})` : ''}`).join(', ')}.`);
  return lines.join('\n') + '\n';
}
