import { extname } from "node:path";
import { UserError } from "../errors.js";

/** The chart format a file name asks for (.svg or .png), or a UserError. Light: no renderer loaded. */
export function chartFormat(path: string): "svg" | "png" {
  const ext = extname(path).toLowerCase();
  if (ext === ".svg") return "svg";
  if (ext === ".png") return "png";
  throw new UserError(`Cannot write a chart to ${path}: the file name must end in .svg or .png.`);
}
