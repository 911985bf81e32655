import { expect } from "chai";
import { compliant, fired, res, violations, type Case } from "../gate/testing";

const PUBLIC = "database-not-public";
const ENCRYPTED = "database-encrypted";
const key = "arn:aws:kms:us-east-1:111111111111:key/k";

/** Each maker returns a compliant resource; a row overrides one input. */
const rds = compliant("aws:rds/instance:Instance", "db", {
  engine: "postgres",
  instanceClass: "db.t4g.micro",
  storageEncrypted: true,
});
const aurora = compliant("aws:rds/cluster:Cluster", "aurora", { engine: "aurora-postgresql", storageEncrypted: true });
/** A member instance of `cluster` (Aurora, DocumentDB and Neptune clusters keep their instances apart). */
const memberOf = (type: string, cluster: string) =>
  compliant(type, `${cluster}-1`, { clusterIdentifier: cluster, instanceClass: "db.r6g.large" });
const auroraMember = memberOf("aws:rds/clusterInstance:ClusterInstance", "aurora");
const global = compliant("aws:rds/globalCluster:GlobalCluster", "global", {
  globalClusterIdentifier: "g",
  storageEncrypted: true,
});
const docdb = compliant("aws:docdb/cluster:Cluster", "docs", { storageEncrypted: true });
const docdbMember = memberOf("aws:docdb/clusterInstance:ClusterInstance", "docs");
const neptune = compliant("aws:neptune/cluster:Cluster", "graph", { storageEncrypted: true });
const neptuneMember = memberOf("aws:neptune/clusterInstance:ClusterInstance", "graph");
const graph = compliant("aws:neptunegraph/graph:Graph", "analytics", { provisionedMemory: 16 });
const redshift = compliant("aws:redshift/cluster:Cluster", "dw", { clusterIdentifier: "dw", nodeType: "ra3.xlplus" });
const workgroup = compliant("aws:redshiftserverless/workgroup:Workgroup", "wg", {
  namespaceName: "ns",
  workgroupName: "wg",
});
const cache = compliant("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {
  description: "c",
  atRestEncryptionEnabled: true,
  transitEncryptionEnabled: true,
});
const cacheNode = compliant("aws:elasticache/cluster:Cluster", "node", {
  engine: "memcached",
  transitEncryptionEnabled: true,
});
const memorydb = compliant("aws:memorydb/cluster:Cluster", "mem", { aclName: "open-access", nodeType: "db.t4g.small" });
const dax = compliant("aws:dax/cluster:Cluster", "dax", {
  nodeType: "dax.r5.large",
  replicationFactor: 1,
  iamRoleArn: "arn:aws:iam::111111111111:role/dax",
  serverSideEncryption: { enabled: true },
  clusterEndpointEncryptionType: "TLS",
});
const search = (type: string) =>
  compliant(type, "search", {
    vpcOptions: { subnetIds: ["subnet-1"] },
    encryptAtRest: { enabled: true },
    nodeToNodeEncryption: { enabled: true },
    domainEndpointOptions: { enforceHttps: true },
  });
const opensearch = search("aws:opensearch/domain:Domain");
const elasticsearch = search("aws:elasticsearch/domain:Domain");
const network = (policy: object[]) =>
  res("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", "net", {
    name: "net",
    type: "network",
    policy: JSON.stringify(policy),
  });
const lightsail = compliant("aws:lightsail/database:Database", "ls", {
  relationalDatabaseName: "ls",
  blueprintId: "postgres_16",
  bundleId: "micro_2_0",
});
const influx = compliant("aws:timestreaminfluxdb/dbInstance:DbInstance", "influx", {
  name: "influx",
  dbInstanceType: "db.influx.medium",
});

describe("policies database-not-public and database-encrypted (every managed database service)", () => {
  const cases: Case[] = [
    // Public reach, one sibling per service
    ["RDS instance publiclyAccessible", [rds({ publiclyAccessible: true })], [PUBLIC]],
    ["Aurora cluster member publiclyAccessible", [aurora(), auroraMember({ publiclyAccessible: true })], [PUBLIC]],
    ["DocumentDB instance publiclyAccessible", [docdb(), docdbMember({ publiclyAccessible: true })], [PUBLIC]],
    ["Neptune instance publiclyAccessible", [neptune(), neptuneMember({ publiclyAccessible: true })], [PUBLIC]],
    ["Neptune Analytics graph publicConnectivity", [graph({ publicConnectivity: true })], [PUBLIC]],
    ["Redshift cluster publiclyAccessible", [redshift({ publiclyAccessible: true })], [PUBLIC]],
    ["Redshift Serverless workgroup publiclyAccessible", [workgroup({ publiclyAccessible: true })], [PUBLIC]],
    ["Lightsail database publiclyAccessible", [lightsail({ publiclyAccessible: true })], [PUBLIC]],
    ["Timestream for InfluxDB publiclyAccessible", [influx({ publiclyAccessible: true })], [PUBLIC]],
    ["OpenSearch domain outside a VPC", [opensearch({ vpcOptions: undefined })], [PUBLIC]],
    ["Elasticsearch domain with no subnets", [elasticsearch({ vpcOptions: { subnetIds: [] } })], [PUBLIC]],
    [
      "OpenSearch Serverless network policy AllowFromPublic",
      [network([{ Rules: [], AllowFromPublic: true }])],
      [PUBLIC],
    ],
    // At rest
    ["RDS instance with storageEncrypted unset (default off)", [rds({ storageEncrypted: undefined })], [ENCRYPTED]],
    ["RDS instance with storageEncrypted false", [rds({ storageEncrypted: false })], [ENCRYPTED]],
    ["Aurora cluster with storageEncrypted unset", [aurora({ storageEncrypted: undefined })], [ENCRYPTED]],
    ["Aurora global cluster with storageEncrypted false", [global({ storageEncrypted: false })], [ENCRYPTED]],
    ["DocumentDB cluster unencrypted", [docdb({ storageEncrypted: undefined })], [ENCRYPTED]],
    ["Neptune cluster unencrypted", [neptune({ storageEncrypted: false })], [ENCRYPTED]],
    ["Redshift cluster encrypted false", [redshift({ encrypted: false })], [ENCRYPTED]],
    ["ElastiCache replication group at rest off", [cache({ atRestEncryptionEnabled: undefined })], [ENCRYPTED]],
    ["DAX without server-side encryption", [dax({ serverSideEncryption: undefined })], [ENCRYPTED]],
    ["OpenSearch domain encryptAtRest off", [opensearch({ encryptAtRest: { enabled: false } })], [ENCRYPTED]],
    ["a lone Redis node (cannot encrypt at rest)", [cacheNode({ engine: "redis" })], [ENCRYPTED]],
    // In transit
    ["ElastiCache replication group in transit off", [cache({ transitEncryptionEnabled: false })], [ENCRYPTED]],
    ["Memcached node in transit off", [cacheNode({ transitEncryptionEnabled: undefined })], [ENCRYPTED]],
    ["MemoryDB tlsEnabled false", [memorydb({ tlsEnabled: false })], [ENCRYPTED]],
    ["DAX endpoint without TLS", [dax({ clusterEndpointEncryptionType: "NONE" })], [ENCRYPTED]],
    ["Elasticsearch node-to-node off", [elasticsearch({ nodeToNodeEncryption: undefined })], [ENCRYPTED]],
    [
      "OpenSearch without enforced HTTPS",
      [opensearch({ domainEndpointOptions: { enforceHttps: false } })],
      [ENCRYPTED],
    ],
    // Both at once on one resource
    [
      "RDS public and unencrypted",
      [rds({ publiclyAccessible: true, storageEncrypted: undefined })],
      [ENCRYPTED, PUBLIC],
    ],
    // Compliant shapes
    ["private encrypted RDS instance", [rds()], []],
    ["RDS instance encrypted by a named key", [rds({ storageEncrypted: undefined, kmsKeyId: key })], []],
    [
      "RDS read replica (encryption from its source)",
      [rds({ storageEncrypted: undefined, replicateSourceDb: "db" })],
      [],
    ],
    ["private encrypted Aurora cluster and member", [aurora(), auroraMember({ publiclyAccessible: false })], []],
    ["Aurora cluster encrypted by a named key", [aurora({ storageEncrypted: undefined, kmsKeyId: key })], []],
    [
      "Aurora Serverless v1 (always encrypted)",
      [aurora({ storageEncrypted: undefined, engineMode: "serverless" })],
      [],
    ],
    [
      "global cluster built from an encrypted source",
      [
        global({
          storageEncrypted: undefined,
          sourceDbClusterIdentifier: "arn:aws:rds:us-east-1:111111111111:cluster:aurora",
        }),
      ],
      [],
    ],
    [
      "encrypted DocumentDB and Neptune clusters with members",
      [docdb(), docdbMember(), neptune(), neptuneMember()],
      [],
    ],
    ["Neptune encrypted by a named key", [neptune({ storageEncrypted: undefined, kmsKeyArn: key })], []],
    ["Neptune Analytics graph private", [graph({ publicConnectivity: false })], []],
    ["Redshift cluster with defaults (private, encrypted)", [redshift()], []],
    ["Redshift Serverless workgroup private", [workgroup()], []],
    ["ElastiCache replication group encrypted both ways", [cache()], []],
    [
      "a Redis node in an encrypted replication group",
      [cache(), cacheNode({ engine: "redis", replicationGroupId: "cache", transitEncryptionEnabled: undefined })],
      [],
    ],
    ["Memcached node with TLS", [cacheNode()], []],
    ["MemoryDB with defaults (TLS on)", [memorydb()], []],
    ["DAX encrypted both ways", [dax()], []],
    ["OpenSearch and Elasticsearch in a VPC, encrypted", [opensearch(), elasticsearch()], []],
    [
      "OpenSearch Serverless network policy through a VPC endpoint",
      [network([{ Rules: [], AllowFromPublic: false, SourceVPCEs: ["vpce-1"] }])],
      [],
    ],
    ["Lightsail database private", [lightsail()], []],
    ["Timestream for InfluxDB private", [influx({ publiclyAccessible: false })], []],
    [
      "a DynamoDB table (always encrypted at rest)",
      [res("aws:dynamodb/table:Table", "t", { hashKey: "id", attributes: [{ name: "id", type: "S" }] })],
      [],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }

  it("names every problem of one resource", async () => {
    const v = await violations([cache({ atRestEncryptionEnabled: false, transitEncryptionEnabled: false })], ENCRYPTED);
    expect(v.map((x) => x.message)).to.deep.equal([
      "atRestEncryptionEnabled is not true",
      "transitEncryptionEnabled is not true",
    ]);
  });
});
