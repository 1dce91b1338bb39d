export type Fault =
  | { kind: 'status'; status: number; retryAfter?: number; count?: number; skip?: number; match?: RegExp; message?: string }
  | { kind: 'reset' | 'stall'; count?: number; skip?: number; match?: RegExp };

export interface RegistryBed {
  /** host:port of the fault proxy: what image references name. */
  host: string;
  image(name: string): string;
  fault(spec: Fault): void;
  /** Disarms every fault still armed. */
  clearFaults(): void;
  /** Every request the proxy saw, `METHOD path`. */
  requests: string[];
  stop(): void;
}

export function startRegistryBed(options?: { rateMBps?: number; slot?: number }): Promise<RegistryBed>;

/** Takes these images of the bed (by name, e.g. 'db') off the engine: every tag, whichever bed's address it names. */
export function removeBedImages(names: string[]): void;
