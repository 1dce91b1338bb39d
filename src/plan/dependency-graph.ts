import { ComposeModel, Dependency } from '../compose/compose-model';

// Start order from the resolved model: which services run, what each waits for, and in what
// levels. Cycles and unknown references are errors raised before anything is created.

export interface StartPlan {
  /** Services to run, in level order. */
  services: string[];
  /** service -> the services it must wait for (deduplicated, only ones that run). */
  needs: Record<string, string[]>;
  /** Level 0 has no dependencies; level n depends on something at level n-1. */
  levels: string[][];
}

function describe(dep: Dependency): string {
  return dep.kind === 'depends_on' ? 'depends_on' : dep.kind;
}

function validateReferences(model: ComposeModel): void {
  const problems: string[] = [];
  for (const svc of Object.values(model.services)) {
    for (const dep of svc.dependencies) {
      if (!model.services[dep.service] && dep.required) {
        problems.push(`service '${svc.name}' refers to unknown service '${dep.service}' (${describe(dep)})`);
      }
      if (dep.service === svc.name) problems.push(`service '${svc.name}' depends on itself (${describe(dep)})`);
    }
  }
  if (problems.length > 0) throw new Error(`Invalid dependencies: ${problems.join('; ')}.`);
}

/** Returns one cycle as a path `a -> b -> a`, or undefined. */
export function findCycle(model: ComposeModel): string[] | undefined {
  const color: Record<string, 0 | 1 | 2> = {};
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    color[name] = 1;
    stack.push(name);
    for (const dep of model.services[name].dependencies) {
      if (!model.services[dep.service] || dep.service === name) continue;
      if (color[dep.service] === 1) return [...stack.slice(stack.indexOf(dep.service)), dep.service];
      if (!color[dep.service]) {
        const cycle = visit(dep.service);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    color[name] = 2;
    return undefined;
  };
  for (const name of Object.keys(model.services).sort()) {
    if (!color[name]) {
      const cycle = visit(name);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

/**
 * `roots` are the services asked for; their dependencies come along. Dependencies marked
 * `required: false` come along only when they run anyway.
 */
export function planStart(model: ComposeModel, roots: string[]): StartPlan {
  validateReferences(model);
  const cycle = findCycle(model);
  if (cycle) throw new Error(`Dependency cycle: ${cycle.join(' -> ')}.`);
  for (const r of roots) {
    if (!model.services[r]) {
      throw new Error(`Unknown service '${r}' in 'services'; the compose configuration defines: ${Object.keys(model.services).sort().join(', ')}.`);
    }
  }
  const running = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (running.has(name)) continue;
    running.add(name);
    for (const dep of model.services[name].dependencies) {
      if (dep.required && model.services[dep.service]) pending.push(dep.service);
    }
  }
  const needs: Record<string, string[]> = {};
  for (const name of running) {
    needs[name] = [...new Set(model.services[name].dependencies.map((d) => d.service))].filter((d) => running.has(d)).sort();
  }
  const level: Record<string, number> = {};
  const levelOf = (name: string): number => {
    if (level[name] === undefined) level[name] = needs[name].reduce((max, d) => Math.max(max, levelOf(d) + 1), 0);
    return level[name];
  };
  const levels: string[][] = [];
  for (const name of [...running].sort()) {
    const l = levelOf(name);
    (levels[l] ??= []).push(name);
  }
  return { services: levels.flat(), needs, levels };
}

/** Every service that needs `name`, directly or through others. */
export function dependents(plan: StartPlan, name: string): string[] {
  const out = new Set<string>();
  const visit = (n: string) => {
    for (const s of plan.services) {
      if (plan.needs[s].includes(n) && !out.has(s)) {
        out.add(s);
        visit(s);
      }
    }
  };
  visit(name);
  return [...out];
}
