/**
 * What the search layer's manifests rely on in each image, read from the Dockerfiles' text (no
 * Docker here, so no image is built: this cannot show that `npm ci` succeeds in the image, that
 * hnswlib-node compiles there, or that the CUDA provider loads on a GPU). It checks: every base
 * image pinned; the final stage runs as a numeric uid:gid equal to the uid the pods' security
 * context uses (the search config's default and example, the controller's HOST_UID default);
 * an exec-form ENTRYPOINT that runs the bundle's main.js with node (so a CronJob passes arguments
 * only, and no shell is involved); every file the bundle's code loads at run time copied in; and
 * the bundle's externals installed by `npm ci` from its package-lock.json.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { searchConfig } from "../../../infra/stacks/search/config";
import { SERVICES } from "../../../scripts/bundle-services";
import { controllerEnv } from "../controller/config";

import { REPO_ROOT as ROOT } from "../../shared/repo-root";
const IMAGES: Record<string, string> = {
  "front.Dockerfile": "search-front",
  "shard-host.Dockerfile": "search-shard-host",
  "controller.Dockerfile": "search-controller",
  "sweep.Dockerfile": "search-sweep",
  "operator.Dockerfile": "search-operator",
  "build.Dockerfile": "search-build",
};

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  alias?: string;
  instructions: Instruction[];
}

/** Stages of a Dockerfile: instructions with continuation lines joined, comments dropped. */
function stagesOf(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op) throw new Error(`unreadable line: ${line}`);
    if (op.toUpperCase() === "FROM") {
      const [from, as, alias] = args.split(/\s+/);
      stages.push({ from, alias: as?.toUpperCase() === "AS" ? alias : undefined, instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`${op} before FROM`);
      stages[stages.length - 1].instructions.push({ op: op.toUpperCase(), args: args.trim() });
    }
  }
  return stages;
}

const uidInExampleConfig = () =>
  (parse(readFileSync(path.join(ROOT, "Pulumi.search.yaml"), "utf8")) as { config: Record<string, unknown> }).config[
    "ml-platform:uid"
  ];

describe("search images (Dockerfiles, as the manifests use them)", () => {
  const podUid = searchConfig.shape.uid.parse(undefined);

  it("the pods' uid is one number everywhere the manifests take it from", () => {
    expect(podUid).to.equal(10001);
    expect(uidInExampleConfig()).to.equal(podUid);
    expect(controllerEnv.shape.HOST_UID.parse(undefined)).to.equal(podUid);
  });

  for (const [file, bundle] of Object.entries(IMAGES)) {
    describe(file, () => {
      const stages = stagesOf(readFileSync(path.join(__dirname, file), "utf8"));
      const final = stages[stages.length - 1];
      const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);
      const service = SERVICES.find((s) => s.name === bundle);

      it("pins every base image by version tag or digest", () => {
        const aliases = new Set(stages.map((s) => s.alias).filter(Boolean));
        for (const { from } of stages) {
          if (aliases.has(from)) continue;
          expect(from, file).to.match(/^[\w./-]+(:[\w.-]*\d[\w.-]*|@sha256:[0-9a-f]{64})$/);
          expect(from, file).to.not.match(/:latest$/);
        }
      });

      it("runs as the pods' numeric uid:gid", () => {
        const users = all(final, "USER");
        expect(users, `${file}: one USER in the final stage`).to.have.length(1);
        expect(users[0].args).to.equal(`${podUid}:${podUid}`);
      });

      it("enters by exec form: node running the bundle's main.js from /app, no CMD", () => {
        expect(all(final, "WORKDIR").map((i) => i.args)).to.deep.equal(["/app"]);
        const entry = all(final, "ENTRYPOINT");
        expect(entry).to.have.length(1);
        const argv = JSON.parse(entry[0].args) as string[];
        expect(argv[0]).to.equal("node");
        expect(argv[argv.length - 1]).to.equal("main.js");
        expect(all(final, "CMD")).to.deep.equal([]);
        expect(stages.flatMap((s) => all(s, "SHELL"))).to.deep.equal([]);
      });

      it("copies in every file the bundle's code loads, and installs its externals with npm ci", () => {
        expect(service, `${bundle} in SERVICES`).to.not.equal(undefined);
        const copied = all(final, "COPY")
          .filter((c) => !c.args.startsWith("--from"))
          .flatMap((c) => c.args.split(/\s+/).slice(0, -1));
        const needed = [
          ...Object.keys(service!.entries).map((e) => `${e}.js`),
          ...(service!.files ?? []).map((f) => path.basename(f)),
          "package.json",
        ];
        expect(copied).to.include.members(needed);
        const fromStage = all(final, "COPY").filter((c) => c.args.startsWith("--from"));
        const installs = fromStage.filter((c) => /\/app\/node_modules\s+\.\/node_modules$/.test(c.args));
        if (service!.external.length === 0) {
          expect(installs, `${file} has no externals to install`).to.deep.equal([]);
          return;
        }
        expect(installs, `${file} copies node_modules from an install stage`).to.have.length(1);
        const stageName = /^--from=(\S+)/.exec(installs[0].args)![1];
        const deps = stages.find((s) => s.alias === stageName);
        expect(deps, `stage ${stageName}`).to.not.equal(undefined);
        expect(all(deps!, "COPY").map((c) => c.args)).to.include("package.json package-lock.json ./");
        const ci = all(deps!, "RUN").filter((r) => /\bnpm(-cli\.js)? ci\b/.test(r.args));
        expect(ci, `${file}: npm ci in stage ${stageName}`).to.have.length(1);
        expect(ci[0].args).to.contain("--omit=dev");
      });
    });
  }
});
