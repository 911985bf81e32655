/**
 * The search build's buckets on an embedded AWS (moto server), shaped like production: a feed
 * bucket, a versioned image store, and the versioned, private, encrypted asset repository; a
 * small catalogue of real photos and a generated feed on top. Used by the local run, the
 * integration tests and the bench.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { EmbeddedAws } from "../../../scripts/embedded-aws";
import { DEFAULT_INDEX, type BuildSettings } from "../builder/config";
import { PHOTO_SETS } from "../embedder/paths";
import { generateFeed, type FeedPlan, type GeneratedFeed } from "../feed/generator";
import { uploadPhotos, writeFeed } from "../feed/write-feed";

export interface SearchEnvironment {
  s3: S3Client;
  feedBucket: string;
  imageBucket: string;
  assetBucket: string;
  settings(workDir: string, overrides?: Partial<BuildSettings>): BuildSettings;
  /** Environment of the build program pointed at these buckets. */
  buildEnv(extra: Record<string, string>): Record<string, string>;
}

async function createBucket(s3: S3Client, name: string, versioned: boolean): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: name,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: name,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    }),
  );
  if (versioned)
    await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }));
}

export async function createSearchEnvironment(aws: EmbeddedAws): Promise<SearchEnvironment> {
  const suffix = randomBytes(4).toString("hex");
  const s3 = new S3Client(aws.clientConfig());
  const feedBucket = `catalogue-feed-${suffix}`;
  const imageBucket = `item-photos-${suffix}`;
  const assetBucket = `search-assets-${suffix}`;
  await createBucket(s3, feedBucket, true);
  await createBucket(s3, imageBucket, true);
  await createBucket(s3, assetBucket, true);
  return {
    s3,
    feedBucket,
    imageBucket,
    assetBucket,
    settings: (workDir, overrides = {}) => ({
      feedBucket,
      feedPrefix: "catalogue/",
      imageBucket,
      assetBucket,
      index: DEFAULT_INDEX,
      embedBatch: 16,
      downloadConcurrency: 8,
      feedCloseGraceMs: 900_000,
      imageLimits: { maxBytes: 10_000_000, maxPixels: 40_000_000 },
      workDir,
      ...overrides,
    }),
    buildEnv: (extra) => ({
      ...aws.env(),
      FEED_BUCKET: feedBucket,
      FEED_PREFIX: "catalogue/",
      IMAGE_BUCKET: imageBucket,
      ASSET_BUCKET: assetBucket,
      ...extra,
    }),
  };
}

/** The first `count` photos of the offline sets (food first), as image-store keys -> bytes. */
export async function loadPhotos(count: number): Promise<Map<string, Uint8Array>> {
  const photos = new Map<string, Uint8Array>();
  for (const set of ["food", "not-food"]) {
    const names = (await readdir(path.join(PHOTO_SETS, set))).sort();
    for (const name of names) {
      if (photos.size >= count) return photos;
      photos.set(`photos/${set}/${name}`, await readFile(path.join(PHOTO_SETS, set, name)));
    }
  }
  if (photos.size < count)
    throw new Error(`${PHOTO_SETS} holds ${photos.size} photos, ${count} wanted: run scripts/fetch-datasets`);
  return photos;
}

/** Uploads `photos` and a generated feed over them; returns the feed (with its truth). */
export async function writeCatalogue(
  env: SearchEnvironment,
  photos: Map<string, Uint8Array>,
  plan: Omit<FeedPlan, "photoKeys">,
): Promise<GeneratedFeed> {
  const versions = await uploadPhotos(env.s3, env.imageBucket, photos);
  const feed = generateFeed({ ...plan, photoKeys: [...photos.keys()] }, "catalogue/");
  await writeFeed(env.s3, env.feedBucket, feed, versions);
  return feed;
}
