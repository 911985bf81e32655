/**
 * What the search stack exports, typed, and a typed reader of the classification outputs it uses:
 * a missing or mistyped output stops the deploy naming the stack and the output, instead of an
 * `any` flowing into resource arguments.
 */
import * as pulumi from "@pulumi/pulumi";

/** The search stack's exports (a type, not an interface: stack programs return plain records). */
export type SearchOutputs = {
  clusterName: string;
  /** Admin kubeconfig (exec-based, no static token); a secret. */
  kubeconfig: pulumi.Output<string>;
  clusterEndpoint: pulumi.Output<string>;
  assetRepositoryBucket: pulumi.Output<string>;
  namespace: string;
  frontService: string;
  systemNodeGroup: pulumi.Output<string>;
  gpuNodeGroup: pulumi.Output<string>;
};

/** The classification outputs the search layer reads. */
export interface ClassificationOutputs {
  /** The photo bucket: the hourly build reads photos from it. */
  uploadBucket: pulumi.Output<string>;
}

function requireString(ref: pulumi.StackReference, stack: string, key: string): pulumi.Output<string> {
  return ref.requireOutput(key).apply((v) => {
    if (typeof v !== "string" || v === "")
      throw new Error(`stack ${stack}: output "${key}" is ${JSON.stringify(v)}; expected a non-empty string`);
    return v;
  });
}

export function readClassificationOutputs(stack: string): ClassificationOutputs {
  const ref = new pulumi.StackReference(stack);
  return { uploadBucket: requireString(ref, stack, "uploadBucket") };
}
