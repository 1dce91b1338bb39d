import { ComposeModel } from '../compose/compose-model';
import { builderOf } from '../plan/image-needs';
import { ImageFetcher } from './image-fetcher';

// Creating a stack while its images arrive: a service is created (by compose, `up --no-start
// --no-deps`, so the config hash stays compose's) once its image is on the engine and the services
// it depends on are created; services that become creatable together are created in one call,
// builds in a call of their own so a build never holds up a pulled service. The first call runs
// alone: it creates the project's networks and volumes, which later calls then find; it is a build
// only when nothing else can be created yet.

/** Creates `services` and answers their container ids by service. */
export type Creator = (services: string[]) => Promise<Record<string, string[]>>;

interface Pending {
  resolve: (ids: Record<string, string[]>) => void;
  reject: (e: unknown) => void;
  promise: Promise<Record<string, string[]>>;
}

export class StagedCreation {
  private readonly pending = new Map<string, Pending>();
  private readonly created = new Set<string>();
  private readonly scheduled = new Set<string>();
  private readonly arrived = new Set<string>();
  private running = 0;
  private firstDone = false;
  private failed?: unknown;
  /** Ends once every service is created, or the creation failed. */
  readonly settled: Promise<void>;

  constructor(
    private readonly order: string[],
    private readonly needsOf: (service: string) => string[],
    private readonly imageOf: (service: string) => string | undefined,
    private readonly builds: (service: string) => boolean,
    private readonly fetcher: ImageFetcher,
    private readonly create: Creator,
  ) {
    for (const s of order) {
      let resolve!: Pending['resolve'];
      let reject!: Pending['reject'];
      const promise = new Promise<Record<string, string[]>>((res, rej) => ((resolve = res), (reject = rej)));
      // Waited on by the scheduler only once the service is due; a failure is seen there or in `settled`.
      promise.catch(() => undefined);
      this.pending.set(s, { resolve, reject, promise });
    }
    this.settled = Promise.allSettled([...this.pending.values()].map((p) => p.promise)).then(() => undefined);
  }

  /** Begins: creations follow the images as they arrive. */
  start(): void {
    for (const image of new Set(this.order.map((s) => this.imageOf(s)).filter((i): i is string => i !== undefined))) {
      this.fetcher.arrived(image).then(
        () => {
          this.arrived.add(image);
          this.next();
        },
        (e: unknown) => this.fail(e),
      );
    }
    this.next();
  }

  /** The ids of the containers compose created for `service` (and the others created with it). */
  containersOf(service: string): Promise<Record<string, string[]>> | undefined {
    return this.pending.get(service)?.promise;
  }

  /** What a service not yet created waits for, for a timeout's message. */
  describe(service: string): string | undefined {
    if (this.created.has(service) || !this.pending.has(service)) return undefined;
    if (this.scheduled.has(service)) return 'being created';
    const image = this.imageOf(service);
    if (image && !this.arrived.has(image)) return `its image ${image}: ${this.fetcher.describe(image) ?? 'not yet pulled'}`;
    return `the creation of ${this.needsOf(service)
      .filter((d) => !this.created.has(d))
      .join(', ')}`;
  }

  private creatable(service: string): boolean {
    const image = this.imageOf(service);
    return !this.scheduled.has(service) && (!image || this.arrived.has(image)) && this.needsOf(service).every((d) => this.created.has(d) || !this.pending.has(d));
  }

  private next(): void {
    if (this.failed !== undefined || (!this.firstDone && this.running > 0)) return;
    const creatable = this.order.filter((s) => this.creatable(s));
    const pulled = creatable.filter((s) => !this.builds(s));
    const built = creatable.filter((s) => this.builds(s));
    if (!this.firstDone) this.call(pulled.length > 0 ? pulled : built);
    else for (const batch of [pulled, built]) this.call(batch);
  }

  private call(batch: string[]): void {
    if (batch.length === 0) return;
    for (const s of batch) this.scheduled.add(s);
    this.running += 1;
    this.create(batch).then(
      (ids) => {
        for (const s of batch) {
          this.created.add(s);
          this.pending.get(s)?.resolve(ids);
        }
        this.running -= 1;
        this.firstDone = true;
        this.next();
      },
      (e: unknown) => {
        this.running -= 1;
        for (const s of batch) this.pending.get(s)?.reject(e);
        this.fail(e);
      },
    );
  }

  /** A pull or a creation failed: nothing more is created, and every service not yet handed to compose hears why. */
  private fail(e: unknown): void {
    this.failed ??= e;
    for (const [s, p] of this.pending) if (!this.scheduled.has(s)) p.reject(this.failed);
  }
}

/**
 * The services a service depends on that are created here too: compose must be given them in the
 * same call (see withDependencies), so they must exist first.
 */
export function dependencyNeeds(model: ComposeModel, order: string[]): (service: string) => string[] {
  return (service) => [...new Set((model.services[service]?.dependencies ?? []).filter((d) => d.service !== service && order.includes(d.service)).map((d) => d.service))];
}

/**
 * The services a service's creation waits for: its dependencies (dependencyNeeds), and the one that
 * builds its image (imageNeeds fetches no such image: it exists once that one is built). The builder
 * is waited for, not named in the call: named again, it would be built again under `--build`.
 */
export function creationNeeds(model: ComposeModel, order: string[]): (service: string) => string[] {
  const dependencies = dependencyNeeds(model, order);
  return (service) => {
    const builder = builderOf(model, service);
    const needs = dependencies(service);
    return builder && order.includes(builder) && !needs.includes(builder) ? [...needs, builder] : needs;
  };
}

/**
 * `services` and, transitively, what they depend on. A compose call names them all, the created
 * ones included (compose leaves a container whose configuration is unchanged as it is): Compose
 * before 2.40 drops a `depends_on` on a service the call does not name from the configuration it
 * hashes, and the container would carry another hash than `docker compose up` gives it.
 */
export function withDependencies(services: string[], needsOf: (service: string) => string[]): string[] {
  const all = new Set<string>();
  const visit = (s: string) => {
    if (all.has(s)) return;
    all.add(s);
    needsOf(s).forEach(visit);
  };
  services.forEach(visit);
  return [...all];
}
