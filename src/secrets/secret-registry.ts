import { EnvironmentSecrets, MIN_MASKED_LENGTH, secretForms } from './secret-values';

/**
 * Every secret of the run, handed to the runner's masking once, the first time it is seen.
 * Values too short or too plain to mask are named (never shown) instead.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly mask: (value: string) => void,
    private readonly warn: (message: string) => void,
  ) {}

  add(found: EnvironmentSecrets | string[], where?: string): void {
    const { secrets, unmasked } = Array.isArray(found) ? { secrets: found, unmasked: [] } : found;
    for (const s of secrets) {
      if (this.values.has(s)) continue;
      this.values.add(s);
      for (const form of secretForms(s)) this.mask(form);
    }
    const fresh = unmasked.filter((n) => !this.warned.has(n));
    if (fresh.length === 0) return;
    fresh.forEach((n) => this.warned.add(n));
    this.warn(
      `Not masked: ${fresh.join(', ')}${where ? ` (${where})` : ''}: values shorter than ${MIN_MASKED_LENGTH} characters or plain numbers would turn ordinary text all through the job log into ***. Use a longer secret.`,
    );
  }

  all(): string[] {
    return [...this.values];
  }
}
