import { isAbsolute, relative, sep } from "node:path";

/** A path as the user can use it from where they are: relative to the current directory when below it. */
export function displayPath(p: string): string {
  if (p.startsWith("builtin:")) return p;
  const r = relative(process.cwd(), p);
  if (r === "") return ".";
  return r.startsWith("..") || isAbsolute(r) ? p : r.split(sep).join("/");
}
