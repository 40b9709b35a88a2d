/** Roaring bitmaps (the `roaring` package), for modules that use them throughout. */
import roaring from "roaring";

export const { RoaringBitmap32 } = roaring;
export type RoaringBitmap32 = InstanceType<typeof roaring.RoaringBitmap32>;
