/**
 * The Kubernetes launcher: an Indexed Job (completionMode: Indexed) with one completion per shard;
 * each pod runs `conceptfreq corpus build-shard DIR --shard $JOB_COMPLETION_INDEX` in the given
 * image, with the corpus directory on a mounted volume. Kubernetes has no job dependencies: run
 * `conceptfreq corpus finish DIR` when the Job has completed (`kubectl wait --for=condition=complete`).
 */
import { resolve } from "node:path";
import { stringify } from "yaml";
import { UserError } from "../errors.js";
import { shellQuote } from "./cli-entry.js";
import { readPlan } from "./plan.js";

export interface K8sVolume {
  /** A PersistentVolumeClaim's name. */
  claim: string;
  /** Where it is mounted in the container. */
  mountPath: string;
}

export interface K8sOptions {
  image: string;
  volumes: K8sVolume[];
  /** The corpus directory as the container sees it (default: DIR's absolute path). */
  corpusPath?: string;
  /** Pods at once (default: every shard). */
  parallelism?: number;
  cpus?: number;
  /** Memory request and limit, as Kubernetes takes it (e.g. 8Gi). */
  memory?: string;
  /** The Job's name (default conceptfreq-shards). */
  name?: string;
  /** The command that runs conceptfreq in the image (default conceptfreq). */
  command?: string;
}

/** "CLAIM:/mount/path" -> a volume. */
export function parseVolume(spec: string): K8sVolume {
  const i = spec.indexOf(":");
  const claim = i > 0 ? spec.slice(0, i) : "";
  const mountPath = i > 0 ? spec.slice(i + 1) : "";
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(claim) || !mountPath.startsWith("/")) {
    throw new UserError(`--volume ${spec} is not CLAIM:/mount/path (a PersistentVolumeClaim name and an absolute mount path).`);
  }
  return { claim, mountPath };
}

/** The Indexed Job as an object (what the YAML holds). */
export function indexedJob(dirIn: string, opts: K8sOptions): Record<string, unknown> {
  const dir = resolve(dirIn);
  const plan = readPlan(dir);
  const n = plan.shards.length;
  const name = opts.name ?? "conceptfreq-shards";
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 52) throw new UserError(`--name ${name} is not a Kubernetes Job name (lower-case letters, digits and -).`);
  if (opts.image.trim() === "" || /\s/.test(opts.image)) throw new UserError(`--image ${opts.image} is not an image name.`);
  if (opts.volumes.length === 0) throw new UserError("corpus k8s needs --volume CLAIM:/mount/path for the corpus directory and its inputs.");
  const corpusPath = opts.corpusPath ?? dir;
  if (!opts.volumes.some((v) => corpusPath === v.mountPath || corpusPath.startsWith(v.mountPath.replace(/\/$/, "") + "/"))) {
    throw new UserError(`the corpus directory ${corpusPath} is on none of the volumes (${opts.volumes.map((v) => v.mountPath).join(", ")}); mount it, or give --corpus-path.`);
  }
  const cmd = opts.command ?? "conceptfreq";
  const workers = opts.cpus ? ` --workers ${opts.cpus}` : "";
  const script = `exec ${cmd} corpus build-shard ${shellQuote(corpusPath)} --shard "$JOB_COMPLETION_INDEX"${workers}`;
  const resources: Record<string, Record<string, string>> = {};
  if (opts.cpus || opts.memory) {
    const r: Record<string, string> = {};
    if (opts.cpus) r.cpu = String(opts.cpus);
    if (opts.memory) r.memory = opts.memory;
    resources.requests = r;
    resources.limits = { ...r };
  }
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: { app: "conceptfreq", "conceptfreq/corpus": name } },
    spec: {
      completionMode: "Indexed",
      completions: n,
      parallelism: Math.min(opts.parallelism ?? n, n),
      backoffLimit: Math.max(6, 2 * n),
      template: {
        metadata: { labels: { app: "conceptfreq" } },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "build-shard",
              image: opts.image,
              command: ["sh", "-c", script],
              ...(Object.keys(resources).length ? { resources } : {}),
              volumeMounts: opts.volumes.map((v, i) => ({ name: `data-${i}`, mountPath: v.mountPath })),
            },
          ],
          volumes: opts.volumes.map((v, i) => ({ name: `data-${i}`, persistentVolumeClaim: { claimName: v.claim } })),
        },
      },
    },
  };
}

export function indexedJobYaml(dir: string, opts: K8sOptions): string {
  return stringify(indexedJob(dir, opts), { lineWidth: 0 });
}
