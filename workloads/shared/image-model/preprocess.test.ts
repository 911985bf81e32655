import { expect } from "chai";
import sharp from "sharp";
import { ImageRejected, INPUT_VALUES, toModelInput, type ImageLimits } from "./preprocess";

const limits: ImageLimits = { maxBytes: 1_000_000, maxPixels: 4_000_000 };
const solid = (width: number, height: number, channels: 3 | 4 = 3) =>
  sharp({ create: { width, height, channels, background: { r: 200, g: 40, b: 10, alpha: 1 } } });

async function rejection(bytes: Uint8Array, l = limits): Promise<ImageRejected> {
  try {
    await toModelInput(bytes, l);
  } catch (err) {
    expect(err).to.be.instanceOf(ImageRejected);
    return err as ImageRejected;
  }
  throw new Error("expected the image to be rejected");
}

describe("toModelInput", () => {
  it("turns JPEG, PNG (grey or with alpha) and WebP into 224x224 RGB values", async () => {
    for (const bytes of [
      await solid(640, 480).jpeg().toBuffer(),
      await solid(100, 300, 4).png().toBuffer(),
      await solid(300, 200).webp().toBuffer(),
    ]) {
      const input = await toModelInput(bytes, limits);
      expect(input.length).to.equal(INPUT_VALUES);
    }
    const grey = await toModelInput(await solid(64, 64).greyscale().png().toBuffer(), limits);
    expect(grey.length).to.equal(INPUT_VALUES);
    expect(grey[0]).to.equal(grey[1]).and.equal(grey[2]);
    const red = await toModelInput(await solid(64, 64).png().toBuffer(), limits);
    expect([red[0], red[1], red[2]]).to.deep.equal([200, 40, 10]);
  });

  it("names why a photo is unusable", async () => {
    expect((await rejection(new Uint8Array())).reason).to.equal("empty");
    expect((await rejection(Buffer.from("this is a recipe, not a photo"))).reason).to.equal("not-an-image");
    expect((await rejection(await solid(32, 32).gif().toBuffer())).reason).to.equal("unsupported-format");
    const jpeg = await solid(400, 400).jpeg().toBuffer();
    expect((await rejection(jpeg.subarray(0, jpeg.length / 3))).reason).to.equal("corrupt");
    expect((await rejection(jpeg, { ...limits, maxBytes: 100 })).reason).to.equal("too-large");
  });

  it("refuses a decompression bomb before decoding it", async () => {
    const bomb = await solid(5000, 5000).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).to.be.below(limits.maxBytes);
    const err = await rejection(bomb);
    expect(err.reason).to.equal("too-large");
    expect(err.message).to.contain("25000000 pixels");
  });
});
