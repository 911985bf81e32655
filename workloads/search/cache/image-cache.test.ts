import { expect } from "chai";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ImageCache } from "./image-cache";

describe("ImageCache", () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), "image-cache-"))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
  let downloads: string[] = [];
  const source = (name: string, n: number, fill: number) => async () => {
    downloads.push(name);
    return bytes(n, fill);
  };
  beforeEach(() => (downloads = []));

  it("downloads a version once, across cache instances, and a new version again", async () => {
    const a = await ImageCache.open(dir, 10_000);
    expect(await a.get("b", "k", "v1", source("k@v1", 100, 1))).to.deep.equal(bytes(100, 1));
    expect(await a.get("b", "k", "v1", source("k@v1", 100, 9))).to.deep.equal(bytes(100, 1));
    const b = await ImageCache.open(dir, 10_000);
    expect(await b.get("b", "k", "v1", source("k@v1", 100, 9))).to.deep.equal(bytes(100, 1));
    expect(await b.get("b", "k", "v2", source("k@v2", 100, 2))).to.deep.equal(bytes(100, 2));
    expect(downloads).to.deep.equal(["k@v1", "k@v2"]);
    expect(b.stats).to.include({ hits: 1, misses: 1, bytesDownloaded: 100 });
  });

  it("evicts the least recently used files to stay within its bound", async () => {
    const c = await ImageCache.open(dir, 300);
    await c.get("b", "1", "v", source("1", 100, 1));
    await c.get("b", "2", "v", source("2", 100, 2));
    await c.get("b", "3", "v", source("3", 100, 3));
    await c.get("b", "1", "v", source("1", 100, 1)); // 1 is now the most recent; 2 the least
    await c.get("b", "4", "v", source("4", 100, 4));
    expect(c.size()).to.equal(300);
    expect(await readdir(dir)).to.have.length(3);
    await c.get("b", "2", "v", source("2", 100, 2));
    await c.get("b", "1", "v", source("1", 100, 1));
    expect(downloads).to.deep.equal(["1", "2", "3", "4", "2"]);
    expect(c.stats.evictions).to.equal(2);
  });

  it("fetches a photo once when asked for it twice at the same time, and drops interrupted downloads", async () => {
    await writeFile(path.join(dir, "abc.123.7.tmp"), "partial");
    const c = await ImageCache.open(dir, 10_000);
    expect(await readdir(dir)).to.deep.equal([]);
    await Promise.all([c.get("b", "k", "v", source("k", 10, 1)), c.get("b", "k", "v", source("k", 10, 1))]);
    expect(downloads).to.deep.equal(["k"]);
  });
});
