/**
 * Managed databases, every engine @pulumi/aws offers: none reachable from the internet, all
 * encrypted at rest, and encrypted in transit where the service has a switch for it.
 *
 * Judged on the inputs with AWS's defaults applied (an unset `storageEncrypted` on RDS is
 * unencrypted; an unset `encrypted` on Redshift is encrypted). Services that always encrypt at
 * rest and offer no switch to turn it off are checked for public reach only, or not at all:
 * DynamoDB tables (AWS-owned key at least), DocumentDB elastic clusters, ElastiCache Serverless,
 * MemoryDB at rest, Neptune Analytics graphs, Redshift Serverless namespaces, Timestream,
 * Keyspaces and Lightsail databases. RDS and Aurora enforce TLS through a parameter group
 * (`rds.force_ssl`, `require_secure_transport`), not an input of the instance, so in-transit is
 * not judged there.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, falsy, forTypes, isRecord, parseJson, str, truthy, type Props } from "./util";

export const DB_PUBLIC = "database-not-public";
export const DB_ENCRYPTED = "database-encrypted";

const nested = (props: Props, key: string): Props => (isRecord(props[key]) ? props[key] : {});

/** Types whose `publiclyAccessible: true` puts the database on a public address. */
const PUBLICLY_ACCESSIBLE = [
  "aws:rds/instance:Instance",
  "aws:rds/clusterInstance:ClusterInstance",
  "aws:docdb/clusterInstance:ClusterInstance",
  "aws:neptune/clusterInstance:ClusterInstance",
  "aws:redshift/cluster:Cluster",
  "aws:redshiftserverless/workgroup:Workgroup",
  "aws:lightsail/database:Database",
  "aws:timestreaminfluxdb/dbInstance:DbInstance",
];
const NEPTUNE_GRAPH = "aws:neptunegraph/graph:Graph";
const SEARCH_DOMAINS = ["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"];
const SERVERLESS_SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy";

/** Clusters and instances that carry `storageEncrypted` (default false); an explicit key encrypts too. */
const STORAGE_ENCRYPTED: Record<string, string> = {
  "aws:rds/cluster:Cluster": "kmsKeyId",
  "aws:rds/globalCluster:GlobalCluster": "",
  "aws:docdb/cluster:Cluster": "kmsKeyId",
  "aws:neptune/cluster:Cluster": "kmsKeyArn",
};
const RDS_INSTANCE = "aws:rds/instance:Instance";
const REDSHIFT = "aws:redshift/cluster:Cluster";
const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const CACHE_CLUSTER = "aws:elasticache/cluster:Cluster";
const MEMORYDB = "aws:memorydb/cluster:Cluster";
const DAX = "aws:dax/cluster:Cluster";

export const databasePolicies: ResourceValidationPolicy[] = [
  {
    name: DB_PUBLIC,
    description:
      "Managed databases are not reachable from the internet: publiclyAccessible is not true (RDS, Aurora, DocumentDB, Neptune, Redshift, Redshift Serverless, Lightsail, Timestream for InfluxDB), Neptune Analytics graphs have no publicConnectivity, OpenSearch/Elasticsearch domains sit in a VPC, and OpenSearch Serverless network policies do not AllowFromPublic.",
    validateResource: [
      forTypes(PUBLICLY_ACCESSIBLE, (props, _args, report) => {
        if (truthy(props.publiclyAccessible)) report("publiclyAccessible is true: the database has a public address");
      }),
      forTypes([NEPTUNE_GRAPH], (props, _args, report) => {
        if (truthy(props.publicConnectivity))
          report("publicConnectivity is true: the graph resolves to a public address");
      }),
      forTypes(SEARCH_DOMAINS, (props, _args, report) => {
        if (asArray(nested(props, "vpcOptions").subnetIds).length === 0)
          report("no vpcOptions.subnetIds: the domain gets a public endpoint; place it in the VPC");
      }),
      forTypes([SERVERLESS_SECURITY_POLICY], (props, _args, report) => {
        if (props.type !== "network") return;
        asArray<unknown>(parseJson(props.policy)).forEach((rule, i) => {
          if (isRecord(rule) && truthy(rule.AllowFromPublic))
            report(`network policy rule ${i} sets AllowFromPublic: the collection's endpoint is public`);
        });
      }),
    ],
  },
  {
    name: DB_ENCRYPTED,
    description:
      "Managed databases are encrypted at rest (RDS, Aurora, DocumentDB, Neptune, Redshift, ElastiCache, DAX, OpenSearch/Elasticsearch) and in transit where the service has a switch (ElastiCache, MemoryDB, DAX, OpenSearch/Elasticsearch node-to-node and HTTPS).",
    validateResource: [
      forTypes(Object.keys(STORAGE_ENCRYPTED), (props, args, report) => {
        const key = STORAGE_ENCRYPTED[args.type];
        // Aurora Serverless v1 is always encrypted; a global cluster built from a source inherits it.
        if (props.engineMode === "serverless" || str(props.sourceDbClusterIdentifier)) return;
        if (!truthy(props.storageEncrypted) && !(key && str(props[key])))
          report("storageEncrypted is not true (the default is unencrypted)");
      }),
      forTypes([RDS_INSTANCE], (props, _args, report) => {
        // A read replica takes its encryption from the source instance (which is judged itself).
        if (str(props.replicateSourceDb)) return;
        if (!truthy(props.storageEncrypted) && !str(props.kmsKeyId))
          report("storageEncrypted is not true (the default is unencrypted)");
      }),
      forTypes([REDSHIFT], (props, _args, report) => {
        if (falsy(props.encrypted)) report("encrypted is false");
      }),
      forTypes([REPLICATION_GROUP], (props, _args, report) => {
        if (!truthy(props.atRestEncryptionEnabled)) report("atRestEncryptionEnabled is not true");
        if (!truthy(props.transitEncryptionEnabled)) report("transitEncryptionEnabled is not true");
      }),
      forTypes([CACHE_CLUSTER], (props, _args, report) => {
        // A member of a replication group is judged there; a lone Redis/Valkey node cannot encrypt at rest.
        if (str(props.replicationGroupId)) return;
        const engine = String(props.engine ?? "").toLowerCase();
        if (engine === "redis" || engine === "valkey")
          report(
            `a single ${engine} node cannot encrypt at rest: use a replication group with atRestEncryptionEnabled`,
          );
        if (!truthy(props.transitEncryptionEnabled)) report("transitEncryptionEnabled is not true");
      }),
      forTypes([MEMORYDB], (props, _args, report) => {
        if (falsy(props.tlsEnabled)) report("tlsEnabled is false");
      }),
      forTypes([DAX], (props, _args, report) => {
        if (!truthy(nested(props, "serverSideEncryption").enabled)) report("serverSideEncryption.enabled is not true");
        if (props.clusterEndpointEncryptionType !== "TLS") report('clusterEndpointEncryptionType is not "TLS"');
      }),
      forTypes(SEARCH_DOMAINS, (props, _args, report) => {
        if (!truthy(nested(props, "encryptAtRest").enabled)) report("encryptAtRest.enabled is not true");
        if (!truthy(nested(props, "nodeToNodeEncryption").enabled)) report("nodeToNodeEncryption.enabled is not true");
        if (!truthy(nested(props, "domainEndpointOptions").enforceHttps))
          report("domainEndpointOptions.enforceHttps is not true");
      }),
    ],
  },
];
