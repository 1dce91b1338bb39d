// What BuildKit's plain progress (compose's build output where it is not a terminal) says of a
// build, step by step: `#7 [app 2/3] RUN …` starts a step (the target's name appears where one
// call builds several), `#7 CACHED` and `#7 DONE 13.1s` end it, `#7 ERROR: …` fails it; numbered
// lines of a step's own output and BuildKit's internal steps (`[internal] load …`, exporting,
// cache import and export) are not steps of the Dockerfile. A user wants which step runs, for how
// long, and how many came from the cache.

interface Step {
  /** `[2/3] RUN …`, or `[app 2/3] RUN …` */
  name: string;
  startedAt: number;
  ended?: 'cached' | 'done' | 'error';
}

const STEP_START = /^#(\d+) (\[[^\]]*\d+\/\d+\] .*)$/;
const STEP_END = /^#(\d+) (CACHED|DONE\b|ERROR\b)/;

export class BuildProgress {
  private readonly steps = new Map<string, Step>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one line of the build's output; lines of other kinds are ignored. */
  take(line: string): void {
    const text = line.trim();
    const start = STEP_START.exec(text);
    if (start) {
      if (!this.steps.has(start[1])) this.steps.set(start[1], { name: start[2], startedAt: this.now() });
      return;
    }
    const end = STEP_END.exec(text);
    const step = end && this.steps.get(end[1]);
    if (!step || step.ended) return;
    step.ended = end[2] === 'CACHED' ? 'cached' : end[2] === 'DONE' ? 'done' : 'error';
  }

  /** Dockerfile steps seen so far, those that ended, those taken from the cache. */
  get counts(): { steps: number; ended: number; cached: number } {
    const all = [...this.steps.values()];
    return { steps: all.length, ended: all.filter((s) => s.ended).length, cached: all.filter((s) => s.ended === 'cached').length };
  }

  /** The steps running now, longest-running first, with their seconds so far. */
  running(): { name: string; seconds: number }[] {
    return [...this.steps.values()]
      .filter((s) => !s.ended)
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((s) => ({ name: s.name, seconds: (this.now() - s.startedAt) / 1000 }));
  }
}

/** A step's text for a one-line report: long RUN lines cut. */
export function shortStep(name: string, max = 80): string {
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}
