/**
 * Photos on local disk (in the cluster a PersistentVolume), keyed by bucket, key and object
 * version: a version's bytes never change, so a hit is always right and a re-run or a re-index
 * with a new model downloads nothing it already has. Bounded in bytes; the least recently used
 * files go first (recency is the file's mtime, so it survives restarts).
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from "node:fs/promises";
import * as path from "node:path";

export interface CacheStats {
  hits: number;
  misses: number;
  bytesDownloaded: number;
  evictions: number;
}

interface Entry {
  file: string;
  bytes: number;
  used: number;
}

export class ImageCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, bytesDownloaded: 0, evictions: 0 };
  private readonly entries = new Map<string, Entry>();
  private total = 0;
  private clock = 0;
  private tmpNo = 0;
  /** Downloads in flight, so two items with one photo fetch it once. */
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  static async open(dir: string, maxBytes: number): Promise<ImageCache> {
    await mkdir(dir, { recursive: true });
    const cache = new ImageCache(dir, maxBytes);
    const found: Entry[] = [];
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      if (name.endsWith(".tmp")) {
        await unlink(file).catch(() => undefined); // a download interrupted by a crash
        continue;
      }
      const s = await stat(file);
      found.push({ file, bytes: s.size, used: s.mtimeMs });
    }
    found.sort((a, b) => a.used - b.used || a.file.localeCompare(b.file));
    for (const e of found) cache.remember(path.basename(e.file), e.bytes);
    await cache.evict();
    return cache;
  }

  /** Bytes used on disk. */
  size(): number {
    return this.total;
  }

  /** The object's bytes, from disk or from `download` (then kept). */
  async get(bucket: string, key: string, version: string, download: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const name = createHash("sha256").update(`${bucket}\n${key}\n${version}`).digest("hex");
    const entry = this.entries.get(name);
    if (entry) {
      const bytes = await readFile(entry.file).catch(() => undefined);
      if (bytes) {
        this.stats.hits++;
        this.touch(name, entry);
        const now = new Date();
        await utimes(entry.file, now, now).catch(() => undefined);
        return bytes;
      }
      this.forget(name);
    }
    const running = this.inFlight.get(name);
    if (running) {
      this.stats.hits++;
      return running;
    }
    const fetching = this.fetch(name, download).finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, fetching);
    return fetching;
  }

  private async fetch(name: string, download: () => Promise<Uint8Array>): Promise<Uint8Array> {
    this.stats.misses++;
    const bytes = await download();
    this.stats.bytesDownloaded += bytes.length;
    if (bytes.length <= this.maxBytes) {
      const file = path.join(this.dir, name);
      const tmp = `${file}.${process.pid}.${++this.tmpNo}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
      this.remember(name, bytes.length);
      await this.evict();
    }
    return bytes;
  }

  private remember(name: string, bytes: number): void {
    this.forget(name);
    this.entries.set(name, { file: path.join(this.dir, name), bytes, used: ++this.clock });
    this.total += bytes;
  }

  private forget(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    this.entries.delete(name);
    this.total -= e.bytes;
  }

  private touch(name: string, entry: Entry): void {
    // Map order is insertion order: re-inserting moves the entry to the most recent end.
    this.entries.delete(name);
    entry.used = ++this.clock;
    this.entries.set(name, entry);
  }

  private async evict(): Promise<void> {
    for (const [name, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.forget(name);
      this.stats.evictions++;
      await unlink(e.file).catch(() => undefined);
    }
  }
}
