import { RunResult } from './process-runner';

// The error every docker and compose call fails with: what was being done, the exit code and the
// last lines the command printed, which is what a user acts on.

export class DockerError extends Error {}

export const DOCKER_CLI_MISSING = 'The Docker CLI (docker) was not found on PATH: install Docker on this runner.';

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

export function failure(what: string, r: RunResult): DockerError {
  const detail = lastLines(r.stderr || r.stdout, 15);
  return new DockerError(`${what} failed (exit code ${r.code})${detail ? `:\n${detail}` : '.'}`);
}
