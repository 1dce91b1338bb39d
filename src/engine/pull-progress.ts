// What compose's plain progress says of one image's pull, added up over its layers: compose prints
// a line per layer event (`<layer> Downloading [==>   ]  6.6MB/157.3MB`, `<layer> Already
// exists`, `<layer> Download complete`); a user wants the image's bytes done of its total.

interface Layer {
  done: number;
  total?: number;
  /** Its bytes are all in (the engine may still be unpacking it). */
  downloaded?: boolean;
}

const UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** `6.656MB` in bytes (the engine counts in powers of 1000). */
export function parseBytes(text: string): number | undefined {
  const m = /^([\d.]+)\s*([kKMGT]?B)$/.exec(text.trim());
  return m && m[2] in UNITS ? Number(m[1]) * UNITS[m[2]] : undefined;
}

/** One layer event as the engine sends it (`docker pull`'s JSON stream, or a line compose printed of it). */
export interface LayerEvent {
  id: string;
  status: string;
  current?: number;
  total?: number;
}

export class PullProgress {
  private readonly layers = new Map<string, Layer>();
  /** Layers the engine had already (shared with another image). */
  private cachedLayers = 0;

  /** `onChange` hears of every layer event, e.g. to see that the pull is alive. */
  constructor(private readonly onChange: () => void = () => undefined) {}

  /**
   * Takes one line of compose's plain output (`<layer> Downloading [==> ] 6.6MB/157.3MB`) or of the
   * CLI's (`<layer>: Download complete`); lines of other kinds are ignored.
   */
  take(line: string): void {
    const m = /^\s*([0-9a-f]{12}):? (.+)$/.exec(line);
    if (!m) return;
    const [, id, what] = m;
    const sizes = /^(\w[\w ]*?)\s.*?([\d.]+\s*[kKMGT]?B)\/([\d.]+\s*[kKMGT]?B)\s*$/.exec(what);
    if (sizes) this.event({ id, status: sizes[1], current: parseBytes(sizes[2]), total: parseBytes(sizes[3]) });
    else this.event({ id, status: what.trim() });
  }

  event(e: LayerEvent): void {
    this.apply(e);
    this.onChange();
  }

  private apply(e: LayerEvent): void {
    // The stream also says what it pulls under the tag's name (`1: Pulling from …`): not a layer.
    if (!/^[0-9a-f]{12}$/.test(e.id)) return;
    if (/^Already exists/.test(e.status)) {
      this.cachedLayers += 1;
      return;
    }
    const layer = this.layers.get(e.id) ?? { done: 0 };
    this.layers.set(e.id, layer);
    if (/^Downloading/.test(e.status)) {
      layer.done = e.current ?? layer.done;
      layer.total = e.total ?? layer.total;
    } else if (/^(Download complete|Pull complete|Extracting)/.test(e.status)) {
      // Extracting counts the layer's size again: the download is done.
      if (/^Extracting/.test(e.status)) layer.total ??= e.total;
      if (layer.total !== undefined) layer.done = layer.total;
      layer.downloaded = true;
    }
  }

  /** Bytes downloaded so far. */
  get done(): number {
    return [...this.layers.values()].reduce((sum, l) => sum + l.done, 0);
  }

  /** The bytes to download, as far as known; `complete` is false while a layer's size is not yet told. */
  get total(): { bytes: number; complete: boolean } {
    const layers = [...this.layers.values()];
    return { bytes: layers.reduce((sum, l) => sum + (l.total ?? 0), 0), complete: layers.every((l) => l.total !== undefined) };
  }

  /** Every layer announced is downloaded: what is left is the engine's unpacking. */
  get allDownloaded(): boolean {
    return this.layers.size > 0 && [...this.layers.values()].every((l) => l.downloaded);
  }

  /** Whether any layer had to be downloaded (else the image was on the engine in all but name). */
  get downloaded(): boolean {
    return this.layers.size > 0;
  }

  get layersCached(): number {
    return this.cachedLayers;
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`;
}
