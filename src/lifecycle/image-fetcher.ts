import { ImageNeed, registryOf } from '../plan/image-needs';
import { backoffMs, pullFailureKind, PullFailureKind, retryAfterSeconds } from '../engine/pull-failure';
import { megabytes, PullProgress } from '../engine/pull-progress';
import { errorText } from '../compose/error-text';
import { ImageRow } from '../outputs/summary';
import { sleep } from '../engine/abort-signals';

// Fetches the images a cold engine lacks, one after the other in the order the stack needs them:
// the link is shared, so the image needed first gets all of it and arrives first. Each pull says
// when it starts, how far it is every few seconds, and when it is done. Transient registry faults
// are tried again with backoff while the step's timeout allows; a missing image or refused
// credentials fail at once.

/** Pulls one image, telling `progress` what the engine says of its layers. */
export type Puller = (need: ImageNeed, progress: PullProgress, signal: AbortSignal) => Promise<void>;

export interface FetchSettings {
  /** When the step's timeout runs out (ms since the epoch): no retry waits past it. */
  deadline: number;
  signal: AbortSignal;
  log: (line: string) => void;
  /** How often a running pull says how far it is. */
  progressEveryMs?: number;
  /** A pull that prints nothing for this long is ended and tried again. */
  stallMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const PROGRESS_EVERY_MS = 5000;
export const STALL_MS = 60_000;

/** A pull failed for good; `kind` says why. */
export class PullError extends Error {
  constructor(
    message: string,
    readonly kind: PullFailureKind,
  ) {
    super(message);
  }
}

export class ImageFetcher {
  private readonly arrivals = new Map<string, Promise<void>>();
  private readonly state = new Map<string, string>();
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  /** What became of each image fetched, for the job summary. */
  readonly records: ImageRow[] = [];

  constructor(
    needs: ImageNeed[],
    private readonly pull: Puller,
    private readonly settings: FetchSettings,
  ) {
    this.signal = AbortSignal.any([settings.signal, this.stopper.signal]);
    let previous: Promise<unknown> = Promise.resolve();
    for (const need of needs) {
      const after = previous;
      this.state.set(need.image, need !== needs[0] ? 'queued' : 'starting');
      // One download at a time: the next begins once this one's bytes are in, while the engine
      // still unpacks them (which does not use the link).
      let downloaded!: () => void;
      const gate = new Promise<void>((resolve) => (downloaded = resolve));
      const arrival = after.then(() => this.fetch(need, downloaded));
      arrival.then(downloaded, downloaded);
      this.arrivals.set(need.image, arrival);
      previous = gate;
    }
  }

  /** Resolves when `image` is on the engine; rejects with a PullError. Images not fetched resolve at once. */
  arrived(image: string): Promise<void> {
    return this.arrivals.get(image) ?? Promise.resolve();
  }

  /** How far the image is, for a timeout's message. */
  describe(image: string): string | undefined {
    return this.state.get(image);
  }

  /** Ends pulls under way and those not begun (the step failed or was cancelled). */
  stop(): void {
    this.stopper.abort();
  }

  private get now(): number {
    return (this.settings.now ?? Date.now)();
  }

  private async fetch(need: ImageNeed, downloaded: () => void): Promise<void> {
    const { image, services } = need;
    const what = `${image} (${services.join(', ')})`;
    const started = this.now;
    for (let tries = 1; ; tries++) {
      if (this.signal.aborted) throw new PullError(`Pulling ${what} was cancelled.`, 'other');
      this.settings.log(`Pulling ${what}${tries > 1 ? `, try ${tries}` : ''}`);
      let progress: PullProgress;
      try {
        progress = await this.pullOnce(need, downloaded);
      } catch (e) {
        if (this.signal.aborted) throw new PullError(`Pulling ${what} was cancelled.`, 'other');
        const message = errorText(e);
        const kind = pullFailureKind(message);
        const wait = this.retryWait(kind, message, tries);
        if (wait === undefined) {
          this.state.set(image, `failed: ${message}`);
          throw new PullError(finalMessage(need, kind, message, tries), kind);
        }
        const why = kind === 'rate-limited' ? `the registry's rate limit (${registryOf(image)}): ${message}` : message;
        this.settings.log(`Pulling ${image} failed: ${why}; trying again in ${Math.round(wait / 1000)} s`);
        this.state.set(image, `waiting ${Math.round(wait / 1000)} s to try again after: ${message}`);
        await (this.settings.sleep ?? sleep)(wait, this.signal);
        continue;
      }
      const seconds = (this.now - started) / 1000;
      const record: ImageRow = { image, services, how: progress.downloaded ? 'pulled' : 'cached', seconds, bytes: progress.done };
      this.records.push(record);
      this.state.set(image, 'pulled');
      this.settings.log(
        progress.downloaded
          ? `Pulled ${image} in ${seconds.toFixed(1)} s: ${megabytes(progress.done)}${seconds > 0 ? `, ${megabytes(progress.done / seconds)}/s` : ''}`
          : `${image} was on the engine already (all its layers)`,
      );
      return;
    }
  }

  /** The wait before the next try, or undefined when trying again cannot help or does not fit the timeout. */
  private retryWait(kind: PullFailureKind, message: string, tries: number): number | undefined {
    if (kind !== 'transient' && kind !== 'rate-limited') return undefined;
    const told = retryAfterSeconds(message);
    const wait = told !== undefined ? told * 1000 : backoffMs(tries);
    return this.now + wait < this.settings.deadline ? wait : undefined;
  }

  /** One pull, with a line every few seconds and an end when it stalls; what it downloaded. */
  private async pullOnce(need: ImageNeed, downloaded: () => void): Promise<PullProgress> {
    const { image } = need;
    const stall = new AbortController();
    const signal = AbortSignal.any([this.signal, stall.signal]);
    const every = this.settings.progressEveryMs ?? PROGRESS_EVERY_MS;
    const stallMs = this.settings.stallMs ?? STALL_MS;
    let lastLine = this.now;
    const progress = new PullProgress(() => {
      lastLine = this.now;
      if (progress.allDownloaded) downloaded();
    });
    let shown = { at: this.now, bytes: 0 };
    const tick = setInterval(() => {
      const now = this.now;
      if (now - lastLine >= stallMs) stall.abort();
      if (!progress.downloaded) return;
      const total = progress.total;
      const rate = ((progress.done - shown.bytes) / Math.max(1, now - shown.at)) * 1000;
      const of = `${megabytes(progress.done)} of ${total.complete ? '' : 'at least '}${megabytes(total.bytes)}`;
      this.settings.log(`  ${image}: ${of}, ${megabytes(rate)}/s`);
      this.state.set(image, `pulling, ${of}`);
      shown = { at: now, bytes: progress.done };
    }, every);
    this.state.set(image, 'pulling');
    try {
      await this.pull(need, progress, signal);
      return progress;
    } catch (e) {
      if (stall.signal.aborted && !this.signal.aborted) throw new Error(`no progress for ${Math.round(stallMs / 1000)} s (the registry stopped sending)`);
      throw e;
    } finally {
      clearInterval(tick);
    }
  }
}

/**
 * Before anything is created: the first image its registry says it does not have, or will not
 * serve, as the step's error. `refusal` asks the registry (undefined: it would serve it); a fault
 * of the registry or the link is left to the pulls, which try again.
 */
export async function refusedImage(needs: ImageNeed[], refusal: (image: string) => Promise<string | undefined>): Promise<PullError | undefined> {
  const answers = await Promise.all(needs.map((n) => refusal(n.image).catch(() => undefined)));
  for (const [i, message] of answers.entries()) {
    const kind = message === undefined ? undefined : pullFailureKind(message);
    if (message !== undefined && (kind === 'missing' || kind === 'unauthorized')) return new PullError(finalMessage(needs[i], kind, message, 1), kind);
  }
  return undefined;
}

/** The step's error for an image that could not be fetched: what happened, and what to do. */
function finalMessage(need: ImageNeed, kind: PullFailureKind, message: string, tries: number): string {
  const registry = registryOf(need.image);
  const what = `image '${need.image}' (service${need.services.length > 1 ? 's' : ''} ${need.services.join(', ')})`;
  const after = tries > 1 ? ` after ${tries} tries within the step's timeout` : '';
  switch (kind) {
    case 'missing':
      return `Registry ${registry} has no ${what}: ${message}. Check the image's name and tag.`;
    case 'unauthorized':
      return `Registry ${registry} refused to serve ${what}: ${message}. Check the image's name and tag; if the image is private, log in to ${registry} before this step (e.g. docker/login-action) with an account that may pull it.`;
    case 'rate-limited':
      return (
        `Registry ${registry} is rate-limiting pulls (429 Too Many Requests) of ${what}${after}: ${message}. ` +
        `Log in before this step (e.g. docker/login-action) for a higher limit, or pull through a mirror of the registry.`
      );
    case 'transient':
      return `Pulling ${what} from ${registry} failed${after}: ${message}.`;
    default:
      return `Pulling ${what} from ${registry} failed: ${message}.`;
  }
}
