/**
 * The bundles the images run (not the TypeScript sources): both services started as the
 * container would start them, classifying a photo on embedded AWS and stopping on SIGTERM.
 */
import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as path from "node:path";
import { bundleServices } from "./bundle-services";
import { freePort, startEmbeddedAws, type EmbeddedAws } from "./embedded-aws";
import { createPhotoEnvironment } from "../workloads/photo-classification/local/environment";
import { uploadPhoto, waitForVerdict } from "../workloads/photo-classification/local/phone";
import { spawnNode } from "../workloads/shared/node-process";
import { waitFor } from "../workloads/shared/poll";
import { LABELLED_PHOTOS } from "../workloads/photo-classification/model/paths";

describe("service bundles (what the container images run)", () => {
  let aws: EmbeddedAws;
  let out: string;

  before(async () => {
    // Inside the repository, so the bundles find the native modules in node_modules as the image's npm install provides them.
    out = await mkdtemp(path.join(__dirname, "..", ".cache", "bundle-test-"));
    await bundleServices(out);
    aws = await startEmbeddedAws();
  });
  after(async () => {
    await aws?.stop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("pins the worker's native modules to the locked versions", async () => {
    const pkg = JSON.parse(await readFile(path.join(out, "photo-worker", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const lock = JSON.parse(await readFile(path.join(__dirname, "..", "package-lock.json"), "utf8")) as {
      packages: Record<string, { version: string }>;
    };
    expect(pkg.dependencies).to.deep.equal({
      "onnxruntime-node": lock.packages["node_modules/onnxruntime-node"].version,
      sharp: lock.packages["node_modules/sharp"].version,
    });
  });

  it("classifies a photo with the bundled API and worker, and both exit 0 on SIGTERM", async () => {
    const env = await createPhotoEnvironment(aws);
    const port = await freePort();
    const api = spawnNode([path.join(out, "photo-api", "main.js")], env.apiEnv({ port: port }));
    const apiUrl = `http://127.0.0.1:${port}`;
    const worker = spawnNode([path.join(out, "photo-worker", "main.js")], env.workerEnv(apiUrl));
    try {
      await waitFor("the bundled API to listen", async () => api.logs().some((l) => l.msg === "api listening"), 10_000);
      const { photoId } = await uploadPhoto(
        apiUrl,
        await readFile(path.join(LABELLED_PHOTOS, "not-food", "chelsea.png")),
        "image/png",
      );
      const verdict = await waitForVerdict(apiUrl, photoId);
      expect(verdict).to.include({ status: "not-food" });
      expect(verdict.modelVersion).to.match(/^food-classifier@sha256:/);
    } finally {
      worker.child.kill("SIGTERM");
      api.child.kill("SIGTERM");
    }
    expect((await worker.exited).code, JSON.stringify(worker.logs())).to.equal(0);
    expect((await api.exited).code, JSON.stringify(api.logs())).to.equal(0);
  });

  it("stops at once with exit 2 and the variable's name on a bad environment", async () => {
    const worker = spawnNode([path.join(out, "photo-worker", "main.js")], { QUEUE_URL: "not a url" });
    expect((await worker.exited).code).to.equal(2);
    const fatal = worker.logs()[0] as { level: string; msg: string };
    expect(fatal.level).to.equal("fatal");
    expect(fatal.msg).to.match(
      /^invalid environment: QUEUE_URL="not a url": Invalid URL; DEAD_LETTER_QUEUE_URL: required;/,
    );
  });
});
