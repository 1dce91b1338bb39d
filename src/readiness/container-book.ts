import { ContainerFacts } from '../engine/container-facts';
import { TrackedContainer } from './probe-context';

// The containers of a stack as the scheduler follows them: by id (the engine's events name ids)
// and by service (readiness is judged per service). Holds what was last seen of each.

export class ContainerBook {
  private readonly byId = new Map<string, TrackedContainer>();
  private readonly byService: Record<string, string[]> = {};

  constructor(services: readonly string[], containers: Record<string, string[]>) {
    for (const name of services) {
      const ids = containers[name] ?? [];
      this.byService[name] = ids;
      for (const id of ids) this.byId.set(id, { id, service: name, restarts: 0, ready: false });
    }
  }

  /** Containers created after the scheduler began (their images arrived late). */
  add(service: string, ids: string[]): void {
    this.byService[service] = ids;
    for (const id of ids) this.byId.set(id, { id, service, restarts: 0, ready: false });
  }

  /** Every container followed, by id. */
  get tracked(): ReadonlyMap<string, TrackedContainer> {
    return this.byId;
  }

  get(id: string): TrackedContainer | undefined {
    return this.byId.get(id);
  }

  idsOf(service: string): string[] {
    return this.byService[service] ?? [];
  }

  of(service: string): TrackedContainer[] {
    return this.idsOf(service).map((id) => this.byId.get(id) as TrackedContainer);
  }

  /** The code a container of the service last exited with (the one its restart policy answered, if it runs again). */
  exitCodeOf(service: string): number | undefined {
    return this.of(service)
      .map((t) => t.exitCode ?? t.lastExitCode)
      .find((code) => code !== undefined);
  }

  /** Of `services`, those without a container (compose created none). */
  without(services: readonly string[]): string[] {
    return services.filter((n) => this.idsOf(n).length === 0);
  }

  /** Keeps what an inspect answer says of the containers it names; returns those of `service`. */
  record(facts: ContainerFacts[], service: string): ContainerFacts[] {
    for (const f of facts) {
      const t = this.byId.get(f.id);
      if (t) t.facts = f;
    }
    return this.of(service)
      .map((t) => t.facts)
      .filter((f): f is ContainerFacts => f !== undefined);
  }
}
