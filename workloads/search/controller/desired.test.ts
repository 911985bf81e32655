import { expect } from "chai";
import { K8S } from "../../shared/conventions";
import { indexServiceName, indexServiceObjects, segmentsToServe, type PublishedSegment } from "./desired";

const seg = (tier: PublishedSegment["tier"], window: string, start: string, buildId = "b1"): PublishedSegment => ({
  tier,
  window,
  start: new Date(`${start}Z`),
  embeddingVersion: "image-embedder@sha256:53a0e99cda75+pca128@sha256:0123456789ab",
  buildId,
  manifestKey: `segments/${tier}/${window}/${buildId}/manifest.json`,
  manifestVersionId: null,
  manifestSha256: "0".repeat(64),
});

describe("segment controller: what to run", () => {
  it("serves the coarsest closed segments and never a window still open", () => {
    const published = [
      seg("hourly", "2026-11-02T03", "2026-11-02T03:00:00"),
      seg("daily", "2026-11-02", "2026-11-02T00:00:00"),
      seg("monthly", "2026-11", "2026-11-01T00:00:00"), // forced before the month's end
      seg("daily", "2026-11-01", "2026-11-01T00:00:00"),
    ];
    const served = segmentsToServe(published, new Date("2026-11-02T05:00:00Z"), 40 * 86_400_000);
    expect(served.map((s) => `${s.tier} ${s.window}`)).to.deep.equal(["daily 2026-11-01", "hourly 2026-11-02T03"]);
  });

  it("names each index service in DNS-1123 form, new per build, and labels it for discovery", () => {
    const a = seg("hourly", "2026-11-02T03", "2026-11-02T03:00:00", "build-a");
    const b = seg("hourly", "2026-11-02T03", "2026-11-02T03:00:00", "build-b");
    expect(indexServiceName(a)).to.match(/^index-hourly-2026-11-02t03-[0-9a-f]{8}$/);
    expect(indexServiceName(a)).to.not.equal(indexServiceName(b));
    const [deployment, service] = indexServiceObjects(a, {
      namespace: "search",
      image: "registry.example.com/index:1.0.0",
      serviceAccount: "index-service",
      uid: 10001,
      grpcPort: 50051,
      requests: { cpu: "100m", memory: "256Mi" },
      limits: { cpu: "1", memory: "1Gi" },
      environment: () => ({ MANIFEST_KEY: a.manifestKey }),
    });
    expect(deployment.kind).to.equal("Deployment");
    expect(service.metadata.labels).to.include({ [K8S.searchTier]: "hourly", [K8S.segmentWindow]: "2026-11-02T03" });
    expect(service.metadata.labels?.[K8S.embeddingVersion]).to.match(/^[A-Za-z0-9][A-Za-z0-9._-]{0,61}[A-Za-z0-9]$/);
  });
});
