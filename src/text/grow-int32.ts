/** `a` copied into an array of at least `need` slots (its size doubled as often as needed). */
export function growInt32(a: Int32Array, need: number): Int32Array {
  let size = Math.max(1, a.length);
  while (size < need) size *= 2;
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
