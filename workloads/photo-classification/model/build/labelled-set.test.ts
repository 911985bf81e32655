import { expect } from "chai";
import sharp from "sharp";
import { HELD_OUT_FRACTION, normalise, readmeLicences, SIZE, splitOf } from "./labelled-set";

describe("labelled food / not-food set", () => {
  it("holds out about a quarter of photos, the same ones every time, whatever the package version", () => {
    const files = Array.from({ length: 4000 }, (_, i) => `usr/share/backgrounds/photo-${i}.jpg`);
    const splits = files.map((f) => splitOf("mate-backgrounds", f));
    const heldOut = splits.filter((s) => s === "held-out").length / files.length;
    expect(heldOut).to.be.closeTo(HELD_OUT_FRACTION, 0.03);
    expect(files.map((f) => splitOf("mate-backgrounds", f))).to.deep.equal(splits);
    // A different seed is a different split: the seed, not the file order, decides.
    const reseeded = files.map((f) => splitOf("mate-backgrounds", f, "another-seed"));
    expect(reseeded).to.not.deep.equal(splits);
  });

  it("reads each file's licence from a GCompris README, with or without a Files: key", () => {
    const licences = readmeLicences(
      [
        "Copyright: Timothée Giet, 2022",
        "License: CC-BY-SA 4.0",
        "Files:",
        "transparent_square.svg",
        "transparent_square_green.svg",
        "",
        "Copyright: aussiegall",
        "Source: https://commons.wikimedia.org/wiki/File:Pollinationn.jpg",
        "License: CC-BY-2.0",
        "Files: bee.webp",
        "Comment: cropped, from the original.jpg",
        "",
        "Copyright: 2000, 2008 Bruno Coudoin and others",
        "License: CC-BY-SA 4.0",
        "FanoeWindmill_0.webp",
        "FanoeWindmill_background.webp",
      ].join("\n"),
    );
    expect(Object.fromEntries(licences)).to.deep.equal({
      "transparent_square.svg": "CC-BY-SA 4.0",
      "transparent_square_green.svg": "CC-BY-SA 4.0",
      "bee.webp": "CC-BY-2.0",
      "FanoeWindmill_0.webp": "CC-BY-SA 4.0",
      "FanoeWindmill_background.webp": "CC-BY-SA 4.0",
    });
  });

  it("normalises photos of any size, format and alpha to the same size and encoding", async () => {
    const wallpaper = await sharp({ create: { width: 3840, height: 2160, channels: 3, background: "#3060a0" } })
      .png()
      .toBuffer();
    const portrait = await sharp({ create: { width: 600, height: 1200, channels: 3, background: "#a05030" } })
      .jpeg()
      .toBuffer();
    const cutout = await sharp({ create: { width: 500, height: 500, channels: 4, background: "#00000000" } })
      .webp()
      .toBuffer();
    for (const photo of [wallpaper, portrait, cutout]) {
      const meta = await sharp(await normalise(photo)).metadata();
      expect([meta.format, meta.width, meta.height, meta.hasAlpha]).to.deep.equal([
        "jpeg",
        SIZE.width,
        SIZE.height,
        false,
      ]);
    }
    // Transparency becomes white, as on the food photos' studio backgrounds.
    const { data } = await sharp(await normalise(cutout))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(data.reduce((m, v) => Math.min(m, v), 255)).to.be.at.least(250);
  });
});
