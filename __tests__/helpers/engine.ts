import { execFileSync } from 'child_process';
import * as http from 'http';
import * as path from 'path';

// Helpers for the real-engine tests: run the action through the runner-faithful harness and check
// that nothing labelled with the project is left on the engine.

import * as harness from '../../harness/run-action';
import { HarnessOptions, HarnessResult } from '../../harness/run-action';

export type { HarnessOptions, HarnessResult, StepResult } from '../../harness/run-action';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The `--filter` value that selects everything compose made for a project. */
export const projectFilter = (project: string): string => `label=com.docker.compose.project=${project}`;

/** Ids of the project's containers (of one service, if given), running or not. */
export function containerIds(project: string, service?: string, all = true): string[] {
  const filters = ['--filter', projectFilter(project), ...(service ? ['--filter', `label=com.docker.compose.service=${service}`] : [])];
  return docker('ps', ...(all ? ['-a'] : []), '-q', ...filters)
    .split('\n')
    .filter(Boolean);
}

/** The main step failed with one message (no stack trace) holding every fragment; returns it. */
export function expectFailure(result: HarnessResult, says: (string | RegExp)[]): string {
  expect(result.main.outcome).toBe('failure');
  const message = result.main.errors.join('\n');
  for (const fragment of says) {
    if (typeof fragment === 'string') expect(message).toContain(fragment);
    else expect(message).toMatch(fragment);
  }
  expect(message).not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
  return message;
}

/** Main was ended by SIGINT alone, post cleaned up without a warning, and nothing is left. */
export function expectCancelledAndClean(result: HarnessResult, name: string): void {
  expect(result.main.outcome).toBe('cancelled');
  // SIGINT alone ended it: the runner's SIGTERM (7.5 s later) was not needed.
  expect(result.main.signal).toBeNull();
  expect(result.main.output).toContain('Received SIGINT');
  expect(result.post?.exitCode).toBe(0);
  expect(result.post?.warnings).toEqual([]);
  expect(leftovers(name)).toEqual([]);
}

let counter = 0;
/** A project name per test, so a leak is traced to the test that caused it. */
export function projectName(tag: string): string {
  counter += 1;
  return `ect-${tag}-${process.pid}-${counter}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

export function runAction(options: HarnessOptions): Promise<HarnessResult> {
  return harness.runAction(options);
}

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

/** Everything the engine still holds with the project's label: containers, networks, volumes. */
export function leftovers(project: string): string[] {
  const filter = projectFilter(project);
  return [
    ...docker('ps', '-aq', '--filter', filter).split('\n'),
    ...docker('network', 'ls', '-q', '--filter', filter).split('\n'),
    ...docker('volume', 'ls', '-q', '--filter', filter).split('\n'),
  ].filter(Boolean);
}

export function removeProject(project: string): void {
  const filter = projectFilter(project);
  const ids = docker('ps', '-aq', '--filter', filter).split('\n').filter(Boolean);
  if (ids.length) docker('rm', '-f', '-v', ...ids);
  const nets = docker('network', 'ls', '-q', '--filter', filter).split('\n').filter(Boolean);
  if (nets.length) docker('network', 'rm', ...nets);
  const vols = docker('volume', 'ls', '-q', '--filter', filter).split('\n').filter(Boolean);
  if (vols.length) docker('volume', 'rm', '-f', ...vols);
}

export type ServicesOutput = Record<
  string,
  {
    state: string;
    readySeconds: number | null;
    readyAt: string | null;
    ports: { target: number; published: number; protocol?: string; url?: string }[];
    url: string | null;
    containers: string[];
    detail?: string;
    health: string | null;
    readiness: string | null;
  }
>;

/** The `urls` output: service name to URL. */
export function urlsOutput(outputs: Record<string, string>): Record<string, string> {
  return JSON.parse(outputs.urls ?? '{}') as Record<string, string>;
}

export function servicesOutput(result: HarnessResult): ServicesOutput {
  return JSON.parse(result.main.outputs.services ?? '{}') as ServicesOutput;
}

/**
 * A project-name maker for one test file; every project it named is removed after each test.
 * Tests check for leaks themselves; this only keeps one failure from spilling into the next.
 */
export function projectsRemovedAfterEach(): (tag: string) => string {
  const names: string[] = [];
  afterEach(() => {
    for (const p of names.splice(0)) removeProject(p);
  });
  return (tag) => {
    const name = projectName(tag);
    names.push(name);
    return name;
  };
}

/** A later step's plain HTTP GET: status and body. */
export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The container of a service, by compose's labels (v1 and v2 name containers differently). */
export function containerOf(project: string, service: string): string {
  const ids = containerIds(project, service);
  if (ids.length !== 1) throw new Error(`expected one container of ${service} in ${project}, found ${ids.length}`);
  return ids[0];
}

/**
 * Another project under a test's project name, made outside the action, so a test can show the
 * action neither adopts nor removes what it did not create.
 */
export interface Foreign {
  container: string;
  volume: string;
}

export function foreignProject(name: string): Foreign {
  const label = ['--label', `com.docker.compose.project=${name}`];
  const volume = docker('volume', 'create', ...label, `${name}_data`);
  const container = docker('run', '-d', ...label, '--label', 'com.docker.compose.service=keeper', '-v', `${volume}:/data`, 'ephemeral-compose-test/busybox', 'sleep', '600');
  // Short, as `docker ps -q` (and so `leftovers`) lists containers.
  return { container: container.slice(0, 12), volume };
}

export function expectIntact(name: string, f: Foreign): void {
  expect(docker('inspect', '--format', '{{.State.Running}}', f.container)).toBe('true');
  expect(docker('volume', 'inspect', '--format', '{{.Name}}', f.volume)).toBe(f.volume);
  // Nothing of this run's is left beside it either.
  expect(leftovers(name).sort()).toEqual([f.container, f.volume].sort());
}
