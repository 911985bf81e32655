import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BadPhoto, createFront, type QueryEmbedder } from "./app";
import { frontPath, type FrontPath } from "../testing/front";
import { Hosts, items, NOW, randomVector, silent, testSegment, V1 } from "../testing/hosts";

/**
 * The HTTP layer over real shard hosts. The photo path's embedder here maps JPEG bytes to a
 * fixed vector: the CNN embedder is tested on its own; this checks what the front does around it.
 */
const probe = randomVector();
const embedder: QueryEmbedder = {
  versions: [V1],
  async embed(photo) {
    if (photo[0] !== 0xff || photo[1] !== 0xd8) throw new BadPhoto("not a JPEG/PNG/WebP image");
    return new Map([[V1, probe]]);
  },
};

describe("search front HTTP API", function () {
  this.timeout(30_000);
  const hosts = new Hosts();
  let path: FrontPath;
  let server: Server;
  let base: string;
  /** A host serving `segment`, added to the front's hosts. */
  const serve = async (segment: ReturnType<typeof testSegment>) => {
    const host = await hosts.start(`h${Math.random().toString(36).slice(2, 8)}`, [segment]);
    await path.addHosts(host.address);
  };

  beforeEach(async () => {
    path = await frontPath(() => undefined, { deadlineMs: 2_000 });
    server = createServer(
      createFront({
        searcher: path.searcher,
        discovery: path.directory,
        embedder,
        options: { maxK: 50, defaultK: 5, maxPhotoBytes: 1024 },
        log: silent,
        now: () => NOW,
      }),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await path.close();
    await hosts.stopAll();
  });

  const post = (path: string, body: string | Buffer, type: string) =>
    fetch(`${base}${path}`, { method: "POST", body, headers: { "content-type": type } });

  it("is unhealthy with no segment to ask, healthy with one", async () => {
    expect((await fetch(`${base}/healthz`)).status).to.equal(503);
    await serve(testSegment("daily", "2026-11-01T00:00:00", items("d", 5)));
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
  });

  it("searches by item id: the item itself first, then its neighbours, with the segment of each", async () => {
    const catalogue = items("d", 30);
    await serve(testSegment("daily", "2026-11-01T00:00:00", catalogue));
    const res = await post("/search", JSON.stringify({ itemId: "d-7", k: 4 }), "application/json");
    expect(res.status).to.equal(200);
    const body = (await res.json()) as {
      items: { itemId: string; distance: number; segment: string }[];
      partial: boolean;
    };
    expect(body.items).to.have.length(4);
    expect(body.items[0]).to.include({ itemId: "d-7", segment: `daily/2026-11-01/${V1}` });
    expect(body.items[0].distance).to.be.closeTo(0, 1e-5);
    expect(body.partial).to.equal(false);
  });

  it("searches by photo through the embedder", async () => {
    await serve(testSegment("daily", "2026-11-01T00:00:00", [{ id: "twin", vector: probe }, ...items("d", 9)]));
    const res = await post("/search?k=3", Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), "image/jpeg");
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { items: { itemId: string }[] };
    expect(body.items.map((i) => i.itemId)[0]).to.equal("twin");
    expect(body.items).to.have.length(3);
  });

  it("refuses bad requests with a message naming the input", async () => {
    await serve(testSegment("daily", "2026-11-01T00:00:00", items("d", 5)));
    const cases: [Promise<Response>, number, string][] = [
      [post("/search?k=0", Buffer.from([0xff, 0xd8]), "image/jpeg"), 400, "k=0: k must be at least 1"],
      [post("/search?k=2.5", Buffer.from([0xff, 0xd8]), "image/jpeg"), 400, "k=2.5: k must be a whole number"],
      [post("/search", JSON.stringify({ itemId: "d-1", k: 51 }), "application/json"), 400, "k: k must be at most 50"],
      [post("/search", JSON.stringify({ item: "d-1" }), "application/json"), 400, "itemId"],
      [post("/search", "{nope", "application/json"), 400, "body is not JSON"],
      [
        post("/search", JSON.stringify({ itemId: "missing" }), "application/json"),
        404,
        'item "missing" is in no ready segment',
      ],
      [post("/search", Buffer.alloc(0), "image/png"), 400, "the photo is empty"],
      [post("/search", Buffer.alloc(2048, 1), "image/png"), 413, "exceeds 1024 bytes"],
      [post("/search", Buffer.from("GIF89a"), "image/png"), 400, "the photo cannot be used: not a JPEG/PNG/WebP image"],
      [
        post("/search", "x", "image/gif"),
        415,
        "content-type must be one of image/jpeg, image/png, image/webp, application/json, got image/gif",
      ],
    ];
    for (const [response, status, message] of cases) {
      const res = await response;
      const body = (await res.json()) as { error: string };
      expect(res.status, body.error).to.equal(status);
      expect(body.error).to.contain(message);
    }
  });
});
