import { expect } from "chai";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { createSearchEnvironment, type SearchEnvironment } from "../local/environment";
import { AssetRepository, PublishConflict } from "./asset-repository";
import { MANIFEST_SCHEMA, type Pointer } from "../segments/manifest";

const pointer = (buildId: string): Pointer => ({
  schema: MANIFEST_SCHEMA,
  tier: "daily",
  window: "2026-11-20",
  buildId,
  manifestKey: `segments/daily/2026-11-20/${buildId}/manifest.json`,
  manifestVersionId: null,
  manifestSha256: "0".repeat(64),
  contentSha256: "1".repeat(64),
  publishedAt: "2026-11-21T00:10:00.000Z",
});

describe("asset repository pointers on embedded AWS (conditional publish)", () => {
  let aws: EmbeddedAws;
  let env: SearchEnvironment;
  let repo: AssetRepository;

  before(async () => {
    aws = await startEmbeddedAws();
    env = await createSearchEnvironment(aws);
    repo = new AssetRepository(env.s3, env.assetBucket);
  });
  after(async () => aws?.stop());

  it("moves a pointer only from the state a build read, and names both builds when it moved meanwhile", async () => {
    const none = await repo.readPointerState("daily", "2026-11-20");
    expect(none).to.deep.equal({ pointer: undefined, etag: null });

    // Two builds both saw no pointer: the first publishes, the second is refused.
    await repo.publish(pointer("build-a"), none);
    const refused = await repo.publish(pointer("build-b"), none).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).to.be.instanceOf(PublishConflict);
    expect((refused as Error).message)
      .to.include("build build-a published it")
      .and.include("read no pointer");
    expect((await repo.readPointer("daily", "2026-11-20"))?.buildId).to.equal("build-a");

    // A forced rebuild that read build-a's pointer replaces it ...
    const seenA = await repo.readPointerState("daily", "2026-11-20");
    expect(seenA.etag).to.be.a("string");
    await repo.publish(pointer("build-c"), seenA);
    expect((await repo.readPointer("daily", "2026-11-20"))?.buildId).to.equal("build-c");

    // ... and a second one that read the same, now stale, state does not.
    const stale = await repo.publish(pointer("build-d"), seenA).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(stale).to.be.instanceOf(PublishConflict);
    expect((stale as PublishConflict).seenBuildId).to.equal("build-a");
    expect((stale as PublishConflict).currentBuildId).to.equal("build-c");
    expect((await repo.readPointer("daily", "2026-11-20"))?.buildId).to.equal("build-c");
  });
});
