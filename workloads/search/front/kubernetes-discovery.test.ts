import { expect } from "chai";
import type { V1EndpointSlice } from "@kubernetes/client-node";
import { embeddingVersionLabel, K8S, SEARCH_COMPONENT } from "../../shared/conventions";
import { parseWindowName, segmentOfSlice } from "./kubernetes-discovery";

const slice = (labels: Record<string, string>, port = "grpc"): V1EndpointSlice => ({
  addressType: "IPv4",
  metadata: { name: "seg-abc12", labels },
  ports: [{ name: port, port: 50051 }],
  endpoints: [{ addresses: ["10.0.0.7"], conditions: { ready: true } }],
});
const labels = {
  "kubernetes.io/service-name": "segment-hourly-2026-11-02t10",
  [K8S.component]: SEARCH_COMPONENT.indexService,
  [K8S.searchTier]: "hourly",
  [K8S.segmentWindow]: "2026-11-02T10",
  [K8S.embeddingVersion]: "effnet-lite0.1a2b3c4d",
};

describe("segments from EndpointSlice labels", () => {
  it("reads tier, window and embedding version, and addresses the Service", () => {
    expect(segmentOfSlice(slice(labels), "search")).to.deep.equal({
      id: "hourly/2026-11-02T10/effnet-lite0.1a2b3c4d",
      tier: "hourly",
      start: new Date("2026-11-02T10:00:00Z"),
      embeddingVersion: "effnet-lite0.1a2b3c4d",
      address: "segment-hourly-2026-11-02t10.search.svc:50051",
    });
  });

  it("names what is wrong with a slice that is not a segment", () => {
    expect(segmentOfSlice(slice({ ...labels, [K8S.searchTier]: "weekly" }), "search")).to.equal(
      `EndpointSlice seg-abc12: ${K8S.searchTier}="weekly" is not a tier`,
    );
    expect(segmentOfSlice(slice({ ...labels, [K8S.searchTier]: "daily" }), "search")).to.contain(
      'segment-window="2026-11-02T10" is not a daily window',
    );
    expect(segmentOfSlice(slice(labels, "http"), "search")).to.equal("EndpointSlice seg-abc12: no port named grpc");
  });

  it("maps a label back to the embedding version it stands for", () => {
    const version = "image-embedder@sha256:53a0e99cda75+pca128@sha256:0123456789ab";
    const label = embeddingVersionLabel(version);
    expect(label).to.match(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/);
    const segment = segmentOfSlice(slice({ ...labels, [K8S.embeddingVersion]: label }), "search", (l) =>
      l === label ? version : l,
    );
    expect(segment).to.include({ embeddingVersion: version });
  });

  it("reads the window names of every tier and refuses impossible dates", () => {
    expect(parseWindowName("hourly", "2026-02-28T23")).to.deep.equal(new Date("2026-02-28T23:00:00Z"));
    expect(parseWindowName("daily", "2026-11-02")).to.deep.equal(new Date("2026-11-02T00:00:00Z"));
    expect(parseWindowName("monthly", "2026-11")).to.deep.equal(new Date("2026-11-01T00:00:00Z"));
    expect(parseWindowName("daily", "2026-02-30")).to.equal(undefined);
    expect(parseWindowName("hourly", "2026-11-02T10:00")).to.equal(undefined);
  });
});
