/**
 * Test support (not shipped): a published segment as the controller's pointer listing gives it,
 * for a tier's window, with a stand-in manifest (tests of the controller never read it).
 */
import { segmentPrefix } from "../segments/keys";
import type { PublishedSegment } from "../segments/segment";
import { parseWindow, type Tier } from "../segments/windows";

export const TEST_EMBEDDING = "image-embedder@sha256:53a0e99cda75+pca128@sha256:0123456789ab";

export function publishedSegment(
  tier: Tier,
  window: string,
  options: { itemCount?: number; buildId?: string; embeddingVersion?: string } = {},
): PublishedSegment {
  const buildId = options.buildId ?? `build-${tier}-${window}`;
  return {
    tier,
    window,
    start: parseWindow(tier, window).start,
    embeddingVersion: options.embeddingVersion ?? TEST_EMBEDDING,
    buildId,
    manifestKey: `${segmentPrefix(tier, window, buildId)}manifest.json`,
    manifestVersionId: null,
    manifestSha256: "0".repeat(64),
    itemCount: options.itemCount ?? 1000,
    dimension: 128,
    m: 16,
  };
}
