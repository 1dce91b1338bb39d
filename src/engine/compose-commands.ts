import * as path from 'path';
import * as args from './docker-args';
import { ComposeProject } from '../compose/compose-project';
import { CreateOptions } from './docker-args';
import { ComposeCalls } from './engine-calls';
import { envFromList } from './container-facts';
import { cliFromCommand, cliName, ComposeCli, DOCKER_COMPOSE, pluginBinary, PullPolicy, STANDALONE_COMPOSE } from '../compose/compose-cli';
import { composeMissing, judgeComposeVersion } from '../compose/compose-version';
import { DOCKER_CLI_MISSING, DockerError, failure } from './docker-error';
import { CommandNotFoundError, ProcessRunner, RunOptions, RunResult } from './process-runner';
import { anyOf } from './abort-signals';
import { pullErrorReason } from './pull-failure';

// The compose calls: which compose there is, its resolved configuration, and what compose itself
// must do (create, start where only compose can, run, down). Calls are built by docker-args.ts;
// this only runs them and turns failures into messages a user can act on. Engine calls are
// docker.ts's, which extends this.

/** The CLI has no such command (the plugin that would give it, compose's or buildx's, is not installed). */
export function isUnknownCliCommand(r: RunResult): boolean {
  return r.code !== 0 && /unknown command|is not a docker command/i.test(r.stderr);
}

export class ComposeCommands implements ComposeCalls {
  constructor(
    protected readonly runner: ProcessRunner,
    protected readonly env: NodeJS.ProcessEnv = process.env,
    protected readonly signal?: AbortSignal,
  ) {}

  private composeOptions(project: ComposeProject, onLine?: (line: string) => void, signal?: AbortSignal): RunOptions {
    return { cwd: project.workingDirectory, env: this.env, signal: anyOf(this.signal, signal), maxBytes: 64 << 20, onLine };
  }

  private async compose(cli: ComposeCli, project: ComposeProject, argv: string[], what: string, onLine?: (line: string) => void, signal?: AbortSignal): Promise<RunResult> {
    try {
      return await this.runner.run(cli.command, [...cli.baseArgs, ...argv], this.composeOptions(project, onLine, signal));
    } catch (e) {
      if (e instanceof CommandNotFoundError) throw new DockerError(`${what}: ${e.message}`);
      throw e;
    }
  }

  /**
   * The compose to drive: `explicit` (input `compose-command`), else the CLI's plugin, else a v2
   * binary under v1's old name. Fails with the message a user acts on when what is there is the
   * end-of-life Python one, too old, or nothing. The CLI's list of its plugins names the plugin's
   * binary and version at once; `compose version` runs only where the list cannot say.
   */
  async findCompose(explicit: string[] | undefined, cwd: string): Promise<{ cli: ComposeCli; version: string }> {
    const plugin = explicit ? undefined : await this.composePlugin();
    if (plugin?.version) {
      const verdict = judgeComposeVersion(cliName(DOCKER_COMPOSE), plugin.version);
      if ('refusal' in verdict) throw new DockerError(verdict.refusal);
      return { cli: pluginBinary(plugin.path), version: verdict.version.text };
    }
    const candidates = explicit ? [cliFromCommand(explicit)] : [DOCKER_COMPOSE, STANDALONE_COMPOSE];
    const tried: string[] = [];
    for (const cli of candidates) {
      const name = cliName(cli);
      let r: RunResult;
      try {
        r = await this.runner.run(cli.command, [...cli.baseArgs, ...args.composeVersionArgs()], { cwd, env: this.env, signal: this.signal, maxBytes: 64 * 1024 });
      } catch (e) {
        if (!(e instanceof CommandNotFoundError)) throw e;
        if (explicit) throw new DockerError(`Input 'compose-command' is '${name}', but '${cli.command}' was not found on PATH.`);
        // Every run needs the CLI itself too (events, logs, exec), whatever compose there is.
        if (cli === DOCKER_COMPOSE) throw new DockerError(DOCKER_CLI_MISSING);
        tried.push(`${name}: not found`);
        continue;
      }
      if (!explicit && isUnknownCliCommand(r)) {
        tried.push(`${name}: not installed`);
        continue;
      }
      if (r.code !== 0) throw failure(`'${name} version'`, r);
      const verdict = judgeComposeVersion(name, r.stdout);
      if ('refusal' in verdict) throw new DockerError(verdict.refusal);
      return { cli: cli === DOCKER_COMPOSE && plugin ? pluginBinary(plugin.path) : cli, version: verdict.version.text };
    }
    throw new DockerError(composeMissing(tried));
  }

  /**
   * The CLI's compose plugin as the CLI itself finds it (its plugin folders, the config's extra
   * ones): its binary and the version its metadata gives; undefined where the CLI cannot say, and
   * then compose is asked through the CLI.
   */
  private async composePlugin(): Promise<{ path: string; version?: string } | undefined> {
    try {
      const r = await this.runner.run('docker', args.cliPluginsArgs(), { env: this.env, signal: this.signal, maxBytes: 1 << 20, timeoutMs: 10000 });
      if (r.code !== 0) return undefined;
      const plugins = JSON.parse(r.stdout) as { Name?: unknown; Path?: unknown; Version?: unknown; Err?: unknown }[] | null;
      const compose = (plugins ?? []).find((p) => p.Name === 'compose' && !p.Err);
      if (typeof compose?.Path !== 'string' || !path.isAbsolute(compose.Path)) return undefined;
      return { path: compose.Path, version: typeof compose.Version === 'string' && compose.Version ? compose.Version : undefined };
    } catch {
      return undefined;
    }
  }

  /** Compose's resolved configuration of the project, as YAML. */
  async config(cli: ComposeCli, project: ComposeProject, services: string[] = []): Promise<string> {
    const r = await this.compose(cli, project, args.composeConfigArgs(project, services), 'compose config');
    if (r.code !== 0) throw failure(`Reading the compose configuration with '${cliName(cli)}'`, r);
    return r.stdout;
  }

  /**
   * The environment compose interpolates the project with: the job's, .env's and the env files'.
   * Where compose cannot print it (before 2.30), undefined.
   */
  async composeEnvironment(cli: ComposeCli, project: ComposeProject): Promise<Record<string, string> | undefined> {
    const r = await this.compose(cli, project, args.composeEnvironmentArgs(project), 'compose config --environment');
    return r.code === 0 ? envFromList(r.stdout.split('\n')) : undefined;
  }

  /** Every service the project's files define, whatever its profiles (empty if compose cannot say). */
  async composeAllServices(cli: ComposeCli, project: ComposeProject): Promise<string[]> {
    const r = await this.compose(cli, project, args.composeAllServicesArgs(project), 'compose config --services');
    return r.code === 0
      ? r.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .sort()
      : [];
  }

  /** The name compose would give the project without the action's (undefined if it cannot say). */
  async composeOwnName(cli: ComposeCli, project: ComposeProject): Promise<string | undefined> {
    const r = await this.compose(cli, project, args.composeOwnNameArgs(project), 'compose config');
    if (r.code !== 0) return undefined;
    try {
      const name = (JSON.parse(r.stdout) as { name?: unknown }).name;
      return typeof name === 'string' ? name : undefined;
    } catch {
      return undefined;
    }
  }

  /** `progress` sees compose's output as it comes: pulls and builds can take minutes. */
  async create(cli: ComposeCli, project: ComposeProject, options: CreateOptions, progress?: (line: string) => void, signal?: AbortSignal): Promise<void> {
    const r = await this.compose(cli, project, args.composeCreateArgs(project, options), 'compose up --no-start', progress, signal);
    if (r.code !== 0) throw failure('Creating the stack (compose up --no-start)', r);
  }

  /** The image of `service`, as compose pulls it; `progress` sees each line of compose's plain output. */
  async composePull(cli: ComposeCli, project: ComposeProject, service: string, pull: PullPolicy, progress: (line: string) => void, signal?: AbortSignal): Promise<void> {
    const r = await this.compose(cli, project, args.composePullArgs(project, service, pull), 'compose pull', progress, signal);
    if (r.code !== 0) throw new DockerError(pullErrorReason(r.stderr || r.stdout));
  }

  async composeStart(cli: ComposeCli, project: ComposeProject, services: string[]): Promise<void> {
    const r = await this.compose(cli, project, args.composeStartArgs(project, services), 'compose up (start)');
    if (r.code !== 0) throw failure(`Starting ${services.join(', ')}`, r);
  }

  /**
   * Runs `service` in the foreground (`compose run`) and gives its exit code; each line of its
   * output goes to `onLine` as it comes. `timeoutMs` ends it (the run's container is the post step's
   * to remove, with the rest of the project).
   */
  async composeRun(cli: ComposeCli, project: ComposeProject, service: string, command: string[], onLine: (line: string) => void, timeoutMs?: number): Promise<number> {
    const r = await this.runner.run(cli.command, [...cli.baseArgs, ...args.composeRunArgs(project, service, command)], {
      ...this.composeOptions(project, onLine),
      maxBytes: 1 << 20,
      timeoutMs,
    });
    return r.code;
  }

  async down(cli: ComposeCli, project: ComposeProject, stopTimeoutSeconds: number, downFlags: string[]): Promise<void> {
    const r = await this.compose(cli, project, args.composeDownArgs(project, stopTimeoutSeconds, downFlags), 'compose down');
    if (r.code !== 0) throw failure('compose down', r);
  }
}
