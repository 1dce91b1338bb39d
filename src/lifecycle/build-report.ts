import { BuildProgress, shortStep } from '../engine/build-progress';

// What the log says of a compose call that builds images: a line when it starts, one every few
// seconds while it runs (the step under way, how many are done and cached), one when it ends;
// compose's own build output goes to the debug log (the failure message carries its error).

export interface BuildLog {
  info(line: string): void;
  debug(line: string): void;
}

export const BUILD_PROGRESS_EVERY_MS = 5000;

/** `2 of 3 steps done, 1 from the cache` */
function stepsText(p: BuildProgress): string {
  const { steps, ended, cached } = p.counts;
  return `${ended} of ${steps} step${steps === 1 ? '' : 's'} done${cached > 0 ? `, ${cached} from the cache` : ''}`;
}

/** One line while it runs: the longest-running step, and how far the build is. */
export function buildProgressLine(what: string, p: BuildProgress, seconds: number): string {
  const [step] = p.running();
  const now = step ? `${shortStep(step.name)} running ${step.seconds.toFixed(0)} s; ` : '';
  return `  ${what}: ${now}${stepsText(p)} (${seconds.toFixed(0)} s)`;
}

/** The end's line: how long, how many steps, how many from the cache. */
export function builtLine(what: string, p: BuildProgress, seconds: number): string {
  const { steps, cached } = p.counts;
  return `Built ${what} in ${seconds.toFixed(1)} s: ${steps} step${steps === 1 ? '' : 's'}${steps > 0 ? `, ${cached} from the cache` : ''}`;
}

/**
 * Runs `call`, which builds the images of `services`; each line of its output goes to `onLine`
 * first (secrets are registered there), then to the debug log and the step count.
 */
export async function withBuildProgress<T>(
  services: string[],
  log: BuildLog,
  onLine: (line: string) => void,
  call: (line: (text: string) => void) => Promise<T>,
  options: { everyMs?: number; now?: () => number } = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const what = services.join(', ');
  const progress = new BuildProgress(now);
  const started = now();
  // Said once BuildKit's output begins: an image already there is not built, and nothing is said.
  let building = false;
  const tick = setInterval(() => {
    if (building) log.info(buildProgressLine(what, progress, (now() - started) / 1000));
  }, options.everyMs ?? BUILD_PROGRESS_EVERY_MS);
  try {
    const result = await call((line) => {
      onLine(line);
      log.debug(line);
      if (!building && /^#\d+ /.test(line.trim())) {
        building = true;
        log.info(`Building ${what} (compose's build output: in the debug log)`);
      }
      progress.take(line);
    });
    if (building) log.info(builtLine(what, progress, (now() - started) / 1000));
    return result;
  } finally {
    clearInterval(tick);
  }
}
