import { DockerClient } from '../engine/docker';
import { StackReport } from '../outputs/service-report';
import { JobIdentity, writeLifetimeRecord } from './lifetime-record';
import { refuseExistingProject } from './ownership';
import { PreparedStack } from './prepare';
import { HeldLock } from './project-lock';
import { EngineCalls } from '../engine/engine-calls';

// What differs between the two things main brings up: the stack action's stack, made for this job
// and removed by its post step, and a preview deploy (previews/preview-deploy.ts), which updates a
// project it deployed before, under a lock, and is left up. main runs the same steps for both and
// asks the kind at each point where they differ.

export interface UpKind {
  /** Taken before the project is read; main releases it when it ends (post, after a cancel). */
  lock(docker: EngineCalls): Promise<HeldLock | undefined>;
  /** Refuses a project that exists and may not be created or updated; says what will happen. */
  checkExisting(docker: EngineCalls, stack: PreparedStack): Promise<void>;
  /** Labels every container, network and volume of the project carries. */
  labels(project: string): Record<string, string>;
  /** Last before compose creates anything: the kind's records. */
  beforeCreate(docker: DockerClient, stack: PreparedStack): Promise<void>;
  /** Flags for `compose up`, before the user's own. */
  readonly upFlags: string[];
  /** The stack is ready. */
  ready(report: StackReport, secrets: string[]): Promise<void>;
  /** The stack did not come up, once compose had begun to create it. */
  failed(message: string, report: StackReport | undefined, secrets: string[]): Promise<void>;
}

export interface JobStackOptions {
  job: JobIdentity;
  /** `max-lifetime`: without one, no lifetime record (the stack is never reaped). */
  lifetimeSeconds?: number;
  now: () => Date;
  describeDuration: (seconds: number) => string;
  debug: (line: string) => void;
}

/** The stack action's kind: a project that must not exist yet, with a lifetime record for the reaper. */
export function jobStack(o: JobStackOptions): UpKind {
  const nothing = (): Promise<undefined> => Promise.resolve(undefined);
  return {
    lock: nothing,
    checkExisting: (_docker, stack) => Promise.resolve(refuseExistingProject(stack.project.name, stack.existing)),
    labels: () => ({}),
    beforeCreate: async (docker, stack) => {
      if (o.lifetimeSeconds === undefined) return;
      const life = await writeLifetimeRecord(docker, stack.project.name, o.job, o.now(), o.lifetimeSeconds);
      o.debug(`Lifetime: until ${life.liveUntil.toISOString()} (max-lifetime ${o.describeDuration(o.lifetimeSeconds)})`);
    },
    upFlags: [],
    ready: nothing,
    failed: nothing,
  };
}
