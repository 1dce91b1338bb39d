import { ActionRuntime } from '../../src/action/runtime';

/** The Actions runtime as a recording: inputs in, everything the step writes kept for the test to read. */
export class FakeRuntime implements ActionRuntime {
  readonly outputs: Record<string, string> = {};
  readonly env: Record<string, string> = {};
  readonly state: Record<string, string> = {};
  readonly secrets: string[] = [];
  readonly lines: string[] = [];
  readonly warnings: string[] = [];
  readonly notices: string[] = [];
  readonly errors: string[] = [];
  readonly summaries: string[] = [];
  failed?: string;

  constructor(private readonly inputs: Record<string, string> = {}) {}

  getInput(name: string): string {
    return this.inputs[name] ?? '';
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  exportVariable(name: string, value: string): void {
    this.env[name] = value;
  }
  saveState(name: string, value: string): void {
    this.state[name] = value;
  }
  getState(name: string): string {
    return this.state[name] ?? '';
  }
  setSecret(value: string): void {
    this.secrets.push(value);
  }
  setFailed(message: string): void {
    this.failed = message;
  }
  info(line: string): void {
    this.lines.push(line);
  }
  debug(line: string): void {
    this.lines.push(`::debug::${line}`);
  }
  warning(line: string): void {
    this.warnings.push(line);
  }
  notice(line: string): void {
    this.notices.push(line);
  }
  error(message: string, title?: string): void {
    this.errors.push(title ? `${title}: ${message}` : message);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push(`::group::${title}`);
    try {
      return await fn();
    } finally {
      this.lines.push('::endgroup::');
    }
  }
  async appendSummary(markdown: string): Promise<void> {
    this.summaries.push(markdown);
  }
  /** Everything printed, one string. */
  get log(): string {
    return [...this.lines, ...this.warnings.map((w) => `warning: ${w}`)].join('\n');
  }
}
