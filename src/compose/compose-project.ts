// A compose project as the action names it to compose: its name, where compose runs, and the
// flags the inputs give (files, env files, profiles). Compose decides the rest.

export interface ComposeProject {
  name: string;
  workingDirectory: string;
  /** `-f` files; empty: compose's own choice in `workingDirectory`. */
  files: string[];
  envFiles: string[];
  profiles: string[];
}

/** A project known by name only (down, sweep): compose is not run for it. */
export const projectWithoutFiles = (name: string, workingDirectory: string): ComposeProject => ({ name, workingDirectory, files: [], envFiles: [], profiles: [] });
