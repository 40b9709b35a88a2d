/**
 * The `roaring` package (CRoaring for Node), loaded on first use: loading its native addon takes
 * ~70 ms, and an index build's threads need it only to read spilled runs (the build writes
 * Roaring's bytes itself: roaring-portable.ts). Modules that work with bitmaps throughout import
 * `RoaringBitmap32` from roaring-bitmap.ts instead.
 */
import { createRequire } from "node:module";
import type roaring from "roaring";

const require = createRequire(import.meta.url);
let lib: typeof roaring | undefined;

export type RoaringBitmap32 = InstanceType<typeof roaring.RoaringBitmap32>;

/** The RoaringBitmap32 class, its package loaded on the first call. */
export function roaringBitmap32(): typeof roaring.RoaringBitmap32 {
  return (lib ??= require("roaring") as typeof roaring).RoaringBitmap32;
}
