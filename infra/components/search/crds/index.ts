/**
 * The search layer's CustomResourceDefinitions (SegmentBuild, IndexServing), as the crds module
 * defines them (workloads/search/crds): one definition written once, deployed here and installed
 * by the tests in the embedded API server. Cluster-scoped; the resources themselves live in the
 * search namespace.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { searchDefinitions } from "../../../../workloads/search/crds/definitions";
import { K8S } from "../../../../workloads/shared/conventions";

export interface SearchCrdsArgs {
  /** Labels every definition carries besides `part-of: search`. */
  labels?: Record<string, string>;
}

export class SearchCrds extends pulumi.ComponentResource {
  readonly definitions: k8s.apiextensions.v1.CustomResourceDefinition[];

  constructor(name: string, args: SearchCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:SearchCrds", name, {}, opts);
    this.definitions = searchDefinitions.map(
      (d) =>
        new k8s.apiextensions.v1.CustomResourceDefinition(
          d.metadata.name,
          {
            metadata: { name: d.metadata.name, labels: { [K8S.partOf]: "search", ...args.labels } },
            spec: d.spec as unknown as k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec,
          },
          { parent: this },
        ),
    );
    this.registerOutputs({ definitions: searchDefinitions.map((d) => d.metadata.name) });
  }
}
