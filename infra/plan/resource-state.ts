/**
 * What the AWS provider would report back for a resource, synthesised from its inputs: the
 * physical id, ARN and the computed attributes that our programs read (names, URLs, zone ids).
 */
import { accountIdFrom, autoName, digest, hexId, upperAlnum, uuidFrom } from "./identifiers";

export interface StateContext {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  account: string;
  region: string;
  /** Unique per resource within a stack: the seed for every generated identifier. */
  seed: string;
}

export interface SynthesisedState {
  id: string;
  state: Record<string, unknown>;
}

type Synth = (c: StateContext) => SynthesisedState;

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** The resource's own name: the input if given, else Pulumi's auto-name. */
function physicalName(c: StateContext, key = "name", suffix = ""): string {
  return str(c.inputs[key]) ?? `${autoName(c.name, c.seed)}${suffix}`;
}

/** A resource AWS knows by its name: the id and `name` are the physical name, the ARN is built from it. */
function named(arnOf: (name: string, c: StateContext) => string): Synth {
  return (c) => {
    const name = physicalName(c);
    return { id: name, state: { name, arn: arnOf(name, c) } };
  };
}

function regional(service: string, resource: string): Synth {
  return named((name, c) => `arn:aws:${service}:${c.region}:${c.account}:${resource}${name}`);
}

/** IAM's ARNs are global: no region. */
const iam = (resource: string): Synth => named((name, c) => `arn:aws:iam::${c.account}:${resource}/${name}`);

function ec2(prefix: string, arnType?: string): Synth {
  return (c) => {
    const id = hexId(prefix, c.seed);
    const state: Record<string, unknown> = {
      arn: `arn:aws:ec2:${c.region}:${c.account}:${arnType ?? prefix}/${id}`,
      ownerId: c.account,
    };
    return { id, state };
  };
}

const synths: Record<string, Synth> = {
  "aws:s3/bucket:Bucket": bucket,
  "aws:s3/bucketV2:BucketV2": bucket,
  "aws:iam/role:Role": (c) => {
    const name = physicalName(c);
    const path = str(c.inputs.path) ?? "/";
    return {
      id: name,
      state: { name, arn: `arn:aws:iam::${c.account}:role${path}${name}`, uniqueId: `AROA${upperAlnum(c.seed, 17)}` },
    };
  },
  "aws:iam/policy:Policy": (c) => {
    const name = physicalName(c);
    const arn = `arn:aws:iam::${c.account}:policy${str(c.inputs.path) ?? "/"}${name}`;
    return { id: arn, state: { name, arn, policyId: `ANPA${upperAlnum(c.seed, 17)}` } };
  },
  "aws:iam/user:User": iam("user"),
  "aws:iam/group:Group": iam("group"),
  "aws:iam/instanceProfile:InstanceProfile": iam("instance-profile"),
  "aws:kms/key:Key": (c) => {
    const keyId = uuidFrom(c.seed);
    return { id: keyId, state: { keyId, arn: `arn:aws:kms:${c.region}:${c.account}:key/${keyId}` } };
  },
  // An alias's name already starts with `alias/`.
  "aws:kms/alias:Alias": regional("kms", ""),
  "aws:sqs/queue:Queue": (c) => {
    const name = physicalName(c, "name", c.inputs.fifoQueue === true ? ".fifo" : "");
    const url = `https://sqs.${c.region}.amazonaws.com/${c.account}/${name}`;
    return { id: url, state: { name, url, arn: `arn:aws:sqs:${c.region}:${c.account}:${name}` } };
  },
  "aws:sns/topic:Topic": (c) => {
    const name = physicalName(c);
    const arn = `arn:aws:sns:${c.region}:${c.account}:${name}`;
    return { id: arn, state: { name, arn } };
  },
  "aws:sns/topicSubscription:TopicSubscription": (c) => {
    const arn = `${str(c.inputs.topic) ?? `arn:aws:sns:${c.region}:${c.account}:topic`}:${uuidFrom(c.seed)}`;
    return { id: arn, state: { arn } };
  },
  "aws:dynamodb/table:Table": regional("dynamodb", "table/"),
  "aws:cloudtrail/trail:Trail": regional("cloudtrail", "trail/"),
  "aws:ecs/cluster:Cluster": regional("ecs", "cluster/"),
  "aws:ecs/capacityProvider:CapacityProvider": regional("ecs", "capacity-provider/"),
  "aws:ecs/service:Service": (c) => {
    const name = physicalName(c);
    const arn = `arn:aws:ecs:${c.region}:${c.account}:service/${name}`;
    return { id: arn, state: { name, arn } };
  },
  "aws:ecs/taskDefinition:TaskDefinition": (c) => {
    const family = str(c.inputs.family) ?? autoName(c.name, c.seed);
    const arn = `arn:aws:ecs:${c.region}:${c.account}:task-definition/${family}:1`;
    return { id: family, state: { family, revision: 1, arn, arnWithoutRevision: arn.replace(/:1$/, "") } };
  },
  "aws:lambda/function:Function": (c) => {
    const name = physicalName(c);
    const arn = `arn:aws:lambda:${c.region}:${c.account}:function:${name}`;
    return {
      id: name,
      state: {
        name,
        arn,
        qualifiedArn: `${arn}:$LATEST`,
        invokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        version: "$LATEST",
      },
    };
  },
  "aws:cloudwatch/eventRule:EventRule": regional("events", "rule/"),
  "aws:cloudwatch/logGroup:LogGroup": regional("logs", "log-group:"),
  "aws:cloudwatch/metricAlarm:MetricAlarm": regional("cloudwatch", "alarm:"),
  "aws:cfg/recorder:Recorder": (c) => {
    const name = str(c.inputs.name) ?? "default";
    return { id: name, state: { name } };
  },
  "aws:cfg/deliveryChannel:DeliveryChannel": (c) => {
    const name = str(c.inputs.name) ?? "default";
    return { id: name, state: { name } };
  },
  "aws:cfg/rule:Rule": (c) => {
    const name = physicalName(c);
    return {
      id: name,
      state: {
        name,
        arn: `arn:aws:config:${c.region}:${c.account}:config-rule/config-rule-${digest(c.seed).slice(0, 6)}`,
        ruleId: `config-rule-${digest(c.seed).slice(0, 6)}`,
      },
    };
  },
  "aws:budgets/budget:Budget": (c) => {
    const name = physicalName(c);
    return {
      id: `${c.account}:${name}`,
      state: {
        name,
        accountId: str(c.inputs.accountId) ?? c.account,
        arn: `arn:aws:budgets::${c.account}:budget/${name}`,
      },
    };
  },
  "aws:organizations/organization:Organization": (c) => {
    const id = `o-${digest(c.seed).slice(0, 10)}`;
    const root = `r-${digest("root", c.seed).slice(0, 4)}`;
    return {
      id,
      state: {
        arn: `arn:aws:organizations::${c.account}:organization/${id}`,
        masterAccountId: c.account,
        roots: [{ id: root, arn: `arn:aws:organizations::${c.account}:root/${id}/${root}`, name: "Root" }],
      },
    };
  },
  "aws:organizations/organizationalUnit:OrganizationalUnit": (c) => {
    const id = `ou-${digest(c.seed).slice(0, 4)}-${digest("ou", c.seed).slice(0, 8)}`;
    return { id, state: { arn: `arn:aws:organizations::${c.account}:ou/o-plan/${id}` } };
  },
  "aws:organizations/account:Account": (c) => {
    const id = accountIdFrom(`${str(c.inputs.email) ?? c.seed}`);
    return { id, state: { arn: `arn:aws:organizations::${c.account}:account/o-plan/${id}`, status: "ACTIVE" } };
  },
  "aws:organizations/policy:Policy": (c) => {
    const id = `p-${digest(c.seed).slice(0, 8)}`;
    return { id, state: { arn: `arn:aws:organizations::${c.account}:policy/o-plan/service_control_policy/${id}` } };
  },
  "aws:lb/loadBalancer:LoadBalancer": (c) => {
    const name = physicalName(c).slice(0, 32);
    const kind = c.inputs.loadBalancerType === "network" ? "net" : "app";
    const arn = `arn:aws:elasticloadbalancing:${c.region}:${c.account}:loadbalancer/${kind}/${name}/${digest(c.seed).slice(0, 16)}`;
    const host = `${c.inputs.internal === true ? "internal-" : ""}${name}-${parseInt(digest(c.seed).slice(0, 8), 16)}.${c.region}.elb.amazonaws.com`;
    // The load balancers' own hosted zone (what alias records point at), as AWS reports it per region.
    return {
      id: arn,
      state: {
        arn,
        arnSuffix: arn.split(":loadbalancer/")[1],
        dnsName: host,
        zoneId: `Z${upperAlnum(`${c.region}/elb`, 13)}`,
        name,
      },
    };
  },
  "aws:lb/targetGroup:TargetGroup": (c) => {
    const name = physicalName(c).slice(0, 32);
    const arn = `arn:aws:elasticloadbalancing:${c.region}:${c.account}:targetgroup/${name}/${digest(c.seed).slice(0, 16)}`;
    return { id: arn, state: { arn, arnSuffix: arn.split(":")[5], name } };
  },
  "aws:route53/zone:Zone": (c) => {
    const zoneId = `Z${upperAlnum(c.seed, 20)}`;
    return {
      id: zoneId,
      state: {
        zoneId,
        arn: `arn:aws:route53:::hostedzone/${zoneId}`,
        nameServers: [`ns-${parseInt(digest(c.seed).slice(0, 3), 16)}.awsdns-01.org`],
      },
    };
  },
  "aws:ec2/vpc:Vpc": (c) => {
    const r = ec2("vpc")(c);
    r.state.mainRouteTableId = hexId("rtb", `${c.seed}/main`);
    r.state.defaultSecurityGroupId = hexId("sg", `${c.seed}/default`);
    return r;
  },
  "aws:ec2/subnet:Subnet": ec2("subnet"),
  "aws:ec2/securityGroup:SecurityGroup": (c) => {
    const r = ec2("sg", "security-group")(c);
    r.state.name = physicalName(c);
    return r;
  },
  "aws:ec2/routeTable:RouteTable": ec2("rtb", "route-table"),
  "aws:ec2/internetGateway:InternetGateway": ec2("igw", "internet-gateway"),
  "aws:ec2/natGateway:NatGateway": ec2("nat", "natgateway"),
  "aws:ec2/eip:Eip": (c) => ({
    id: hexId("eipalloc", c.seed),
    state: {
      allocationId: hexId("eipalloc", c.seed),
      publicIp: `198.51.100.${parseInt(digest(c.seed).slice(0, 2), 16) % 250}`,
    },
  }),
  "aws:ec2/vpcEndpoint:VpcEndpoint": ec2("vpce", "vpc-endpoint"),
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ec2("pcx", "vpc-peering-connection"),
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": (c) => ({
    id: str(c.inputs.vpcPeeringConnectionId) ?? hexId("pcx", c.seed),
    state: { acceptStatus: "active" },
  }),
  "aws:ec2/launchTemplate:LaunchTemplate": (c) => {
    const r = ec2("lt", "launch-template")(c);
    r.state.latestVersion = 1;
    r.state.defaultVersion = 1;
    r.state.name = physicalName(c);
    return r;
  },
  "aws:ec2/instance:Instance": (c) => {
    const r = ec2("i", "instance")(c);
    r.state.privateIp = `10.0.${parseInt(digest(c.seed).slice(0, 2), 16)}.${parseInt(digest(c.seed).slice(2, 4), 16) % 250}`;
    return r;
  },
  "aws:autoscaling/group:Group": named(
    (name, c) =>
      `arn:aws:autoscaling:${c.region}:${c.account}:autoScalingGroup:${uuidFrom(c.seed)}:autoScalingGroupName/${name}`,
  ),
  "aws:secretsmanager/secret:Secret": (c) => {
    const name = physicalName(c);
    const arn = `arn:aws:secretsmanager:${c.region}:${c.account}:secret:${name}-${upperAlnum(c.seed, 6)}`;
    return { id: arn, state: { name, arn } };
  },
  "aws:ssm/parameter:Parameter": named(
    (name, c) => `arn:aws:ssm:${c.region}:${c.account}:parameter${name.startsWith("/") ? "" : "/"}${name}`,
  ),
  "aws:appautoscaling/policy:Policy": named(
    (name, c) => `arn:aws:autoscaling:${c.region}:${c.account}:scalingPolicy:${uuidFrom(c.seed)}:resource/${name}`,
  ),
};

function bucket(c: StateContext): SynthesisedState {
  const name = str(c.inputs.bucket) ?? autoName(c.name, c.seed);
  return {
    id: name,
    state: {
      bucket: name,
      arn: `arn:aws:s3:::${name}`,
      bucketDomainName: `${name}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${name}.s3.${c.region}.amazonaws.com`,
      region: c.region,
    },
  };
}

/** Any other AWS type: an id and a generic but well-formed ARN so dependants still build. */
function fallback(c: StateContext): SynthesisedState {
  const [, module = "unknown"] = /^aws:([^/]+)\//.exec(c.type) ?? [];
  const name = physicalName(c);
  return { id: `${name}`, state: { arn: `arn:aws:${module}:${c.region}:${c.account}:${c.name}/${name}` } };
}

/** Resource types with a specific synthesiser (others get a generic id and ARN). */
export const SYNTHESISED_TYPES: readonly string[] = Object.keys(synths);

export function synthesise(c: StateContext): SynthesisedState {
  const synth = synths[c.type] ?? (c.type.startsWith("aws:") ? fallback : undefined);
  if (synth === undefined) return { id: `${c.name}-${digest(c.seed).slice(0, 8)}`, state: {} };
  return synth(c);
}
