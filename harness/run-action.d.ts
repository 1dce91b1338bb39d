// Types of run-action.js, for the TypeScript tests that drive it (kept next to the file it describes).

export interface HarnessOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  workspace?: string;
  /** Another checkout of the action to run (default: this repository). */
  actionDir?: string;
  cancel?: { afterMs?: number; whenOutput?: RegExp };
  /** The runner's cancellation sequence for the post step. */
  postCancel?: { afterMs?: number; whenOutput?: RegExp };
  /** "Later steps": run between main and post when main succeeded. */
  between?: (ctx: { outputs: Record<string, string>; env: Record<string, string> }) => Promise<void>;
  /** Run before post whatever happened. */
  beforePost?: () => Promise<void>;
  /**
   * The runner's process dies (runner lost, machine gone): main is killed with SIGKILL when its
   * output matches `whenOutput` (or ends as it would without it), and post never runs.
   */
  runnerLost?: { whenOutput?: RegExp };
  /** Called as main prints, to act at a given moment. */
  onMainOutput?: (outputSoFar: string) => void;
  /** Copy the steps' output to ours. */
  echo?: boolean;
}

export interface StepResult {
  exitCode: number | null;
  signal: string | null;
  output: string;
  cancelled: boolean;
  durationMs: number;
  /** Peak resident memory of the step's process, KiB, as last sampled. */
  peakRssKb?: number;
  outputs: Record<string, string>;
  state: Record<string, string>;
  env: Record<string, string>;
  summary: string;
}

export interface HarnessResult {
  main: StepResult & { outcome: 'success' | 'failure' | 'cancelled'; errors: string[] };
  post: (StepResult & { warnings: string[] }) | null;
  /** Values registered with ::add-mask::, shown as *** in every output after. */
  masks: string[];
}

/** Runs main, then post as the runner would. */
export function runAction(options?: HarnessOptions): Promise<HarnessResult>;
/** Reads NAME=VALUE and NAME<<DELIM file commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE). */
export function parseKeyValueFile(text: string): Record<string, string>;
/** Evaluates the `post-if` expressions the runner supports for this action. */
export function evaluateCondition(expression: string, outcome: 'success' | 'failure' | 'cancelled'): boolean;
/** The environment variable the runner gives an input: INPUT_ and the name upper-cased, spaces as _. */
export function inputEnvName(name: string): string;
