/**
 * Photo bytes -> the model's input (224x224 RGB, HWC, float 0..255), with sharp (libvips).
 * Decoding runs on libuv's thread pool, so it never blocks the event loop. Anything that is
 * not a usable photo is rejected with a reason that ends up in the photo's failed verdict.
 */
import sharp from "sharp";

export const INPUT_SIZE = 224;
export const INPUT_VALUES = INPUT_SIZE * INPUT_SIZE * 3;
const ACCEPTED_FORMATS = new Set(["jpeg", "png", "webp"]);

export type RejectReason = "empty" | "too-large" | "not-an-image" | "unsupported-format" | "corrupt";

export class ImageRejected extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

export interface ImageLimits {
  maxBytes: number;
  /** Decompression-bomb guard: a small file can declare a huge canvas. */
  maxPixels: number;
}

export async function toModelInput(bytes: Uint8Array, limits: ImageLimits): Promise<Float32Array> {
  if (bytes.length === 0) throw new ImageRejected("empty", "the object has no bytes");
  if (bytes.length > limits.maxBytes)
    throw new ImageRejected("too-large", `${bytes.length} bytes exceeds the limit of ${limits.maxBytes}`);

  let format: string | undefined;
  let pixels: number;
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    format = meta.format;
    pixels = (meta.width ?? 0) * (meta.height ?? 0);
  } catch (err) {
    throw new ImageRejected("not-an-image", (err as Error).message);
  }
  if (!format || !ACCEPTED_FORMATS.has(format))
    throw new ImageRejected("unsupported-format", `${format ?? "unknown"} is not JPEG, PNG or WebP`);
  if (pixels > limits.maxPixels)
    throw new ImageRejected("too-large", `${pixels} pixels exceeds the limit of ${limits.maxPixels}`);

  let data: Buffer;
  try {
    // Center crop after scaling the short side, as the network was trained; EXIF orientation applied.
    data = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: "error" })
      .rotate()
      .removeAlpha()
      .toColourspace("srgb")
      .resize(INPUT_SIZE, INPUT_SIZE, { fit: "cover", position: "centre" })
      .raw()
      .toBuffer();
  } catch (err) {
    throw new ImageRejected("corrupt", (err as Error).message);
  }
  if (data.length !== INPUT_VALUES)
    throw new ImageRejected("corrupt", `decoded to ${data.length} values, expected ${INPUT_VALUES}`);
  return Float32Array.from(data);
}
