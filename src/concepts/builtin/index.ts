import { CIFAR10, CIFAR100 } from "./cifar.js";
import { IMAGENET } from "./imagenet.js";

/** Builtin concept lists, usable as `builtin:NAME` wherever a concept file is expected. */
export const BUILTIN_CONCEPT_LISTS: Readonly<Record<string, readonly string[]>> = {
  cifar10: CIFAR10,
  cifar100: CIFAR100,
  imagenet: IMAGENET,
};
