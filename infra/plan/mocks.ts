/**
 * Pulumi unit-test mocks that stand in for the AWS provider during the offline plan: every
 * resource gets the id, ARN and computed attributes AWS would give it, in the account its
 * provider points at, and every data-source call the programs make gets a plausible answer.
 * An invoke we do not know fails loudly instead of returning nothing.
 */
import type * as pulumi from "@pulumi/pulumi";
import { eksClusterFacts, eksComponentState, getClusterResult } from "./eks";
import { accountOfArn, DEFAULT_ACCOUNT, DEFAULT_REGION, digest, hexId } from "./identifiers";
import { decodeProviderInputs } from "./plain-json";
import { synthesise } from "./resource-state";

type Dict = Record<string, unknown>;

interface ProviderTarget {
  account: string;
  region: string;
}

export interface PlanMocksOptions {
  /** The account the CLI's own credentials are in (first of aws:allowedAccountIds). */
  account?: string;
  region?: string;
  /** Outputs of stacks already planned, by stack name (the last segment of a reference). */
  stackOutputs?: Record<string, Dict>;
}

export class PlanMocks implements pulumi.runtime.Mocks {
  private readonly account: string;
  private readonly region: string;
  private readonly stackOutputs: Record<string, Dict>;
  private readonly providers = new Map<string, ProviderTarget>();
  private readonly seen = new Map<string, number>();

  constructor(options: PlanMocksOptions = {}) {
    this.account = options.account ?? DEFAULT_ACCOUNT;
    this.region = options.region ?? DEFAULT_REGION;
    this.stackOutputs = options.stackOutputs ?? {};
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = (args.inputs ?? {}) as Dict;
    if (args.type === "pulumi:pulumi:StackReference") return this.stackReference(inputs);
    const seed = this.seedFor(args.type, args.name);
    if (args.type.startsWith("pulumi:providers:")) return this.provider(args.type, inputs, seed);

    const target = this.targetOf(args.provider);
    if (args.type === "eks:index:Cluster") {
      const name = typeof inputs.name === "string" ? inputs.name : args.name;
      const facts = eksClusterFacts(name, target.account, target.region);
      return { id: `${name}-component`, state: { ...inputs, ...eksComponentState(facts, target.region) } };
    }
    const { id, state } = synthesise({ type: args.type, name: args.name, inputs, seed, ...target });
    return { id: args.custom === false ? undefined : id, state: { ...inputs, ...state, id } };
  }

  call(args: pulumi.runtime.MockCallArgs): Dict {
    const inputs = (args.inputs ?? {}) as Dict;
    const { account, region } = this.targetOf(args.provider);
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          id: account,
          accountId: account,
          arn: `arn:aws:sts::${account}:assumed-role/plan/offline`,
          userId: "AROAPLANOFFLINE:offline",
        };
      case "aws:index/getRegion:getRegion":
        return { id: region, name: region, region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
      case "aws:index/getPartition:getPartition":
        return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const letters = ["a", "b", "c"];
        return {
          id: region,
          names: letters.map((l) => `${region}${l}`),
          zoneIds: letters.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`),
          state: "available",
        };
      }
      case "aws:ssm/getParameter:getParameter": {
        const name = String(inputs.name);
        const value = `ami-${digest(name).slice(0, 17)}`;
        return {
          id: name,
          name,
          value,
          insecureValue: value,
          type: "String",
          version: 1,
          arn: `arn:aws:ssm:${region}:${account}:parameter${name}`,
        };
      }
      case "aws:ec2/getAmi:getAmi": {
        const id = hexId("ami", JSON.stringify(inputs));
        return {
          id,
          imageId: id,
          architecture: "x86_64",
          name: `plan-ami-${id}`,
          ownerId: account,
          rootDeviceName: "/dev/xvda",
        };
      }
      case "aws:ec2/getManagedPrefixList:getManagedPrefixList": {
        const id = hexId("pl", String(inputs.name ?? inputs.id), 8);
        return {
          id,
          name: inputs.name,
          addressFamily: "IPv4",
          maxEntries: 55,
          ownerId: "AWS",
          arn: `arn:aws:ec2:${region}:aws:prefix-list/${id}`,
          entries: [],
        };
      }
      case "aws:eks/getCluster:getCluster":
        return getClusterResult(eksClusterFacts(String(inputs.name), account, region));
      case "aws:organizations/getOrganization:getOrganization": {
        const org = `o-${digest(account).slice(0, 10)}`;
        const root = `r-${digest("root", account).slice(0, 4)}`;
        return {
          id: org,
          masterAccountId: account,
          arn: `arn:aws:organizations::${account}:organization/${org}`,
          roots: [
            {
              id: root,
              name: "Root",
              arn: `arn:aws:organizations::${account}:root/${org}/${root}`,
              policyTypes: [{ type: "SERVICE_CONTROL_POLICY", status: "ENABLED" }],
            },
          ],
        };
      }
      default:
        throw new Error(`the offline plan has no mock for invoke ${args.token}: add one to infra/plan/mocks.ts`);
    }
  }

  /** Logical names repeat across components; the seed stays unique per registration order. */
  private seedFor(type: string, name: string): string {
    const key = `${type}::${name}`;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return `${key}#${n}`;
  }

  private provider(type: string, raw: Dict, seed: string): pulumi.runtime.MockResourceResult {
    const inputs = decodeProviderInputs(raw);
    const id = `provider-${digest(seed).slice(0, 12)}`;
    if (type === "pulumi:providers:aws") {
      const roles = Array.isArray(inputs.assumeRoles) ? (inputs.assumeRoles as Dict[]) : [];
      const allowed = Array.isArray(inputs.allowedAccountIds) ? (inputs.allowedAccountIds as unknown[]) : [];
      const account =
        accountOfArn(roles[roles.length - 1]?.roleArn) ??
        (typeof allowed[0] === "string" ? allowed[0] : undefined) ??
        this.account;
      const region = typeof inputs.region === "string" ? inputs.region : this.region;
      this.providers.set(id, { account, region });
    }
    return { id, state: { ...raw } };
  }

  /** Provider references arrive as "<urn>::<id>". */
  private targetOf(ref: string | undefined): ProviderTarget {
    const id = ref?.split("::").pop();
    return (id && this.providers.get(id)) || { account: this.account, region: this.region };
  }

  private stackReference(inputs: Dict): pulumi.runtime.MockResourceResult {
    const name = String(inputs.name);
    const stack = name.split("/").pop() ?? name;
    const outputs = this.stackOutputs[stack];
    if (outputs === undefined) {
      throw new Error(
        `stack reference "${name}": stack "${stack}" has not been planned (plan it first, or check the name)`,
      );
    }
    return { id: name, state: { name, outputs, secretOutputNames: [] } };
  }
}
