// What the preview code says to the step's log; the action's runtime is one.

export interface PreviewLog {
  info(line: string): void;
  notice(line: string): void;
  warning(line: string): void;
}
