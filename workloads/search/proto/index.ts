/**
 * The shard host protocol (`shard-host.proto`), loaded at run time with @grpc/proto-loader, and
 * its messages as TypeScript types (field names in camelCase, as the loader gives them).
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import * as path from "node:path";

/**
 * Beside this module's code: here in the sources, beside main.js in a bundle (scripts/bundle-services.ts
 * copies it there for the front and the shard host). The one place the path is resolved.
 */
export const PROTO_FILE = path.join(__dirname, "shard-host.proto");
export const SERVICE_NAME = "mlplatform.search.v1.ShardHost";

export interface SearchRequest {
  segmentIds: string[];
  embeddingVersion: string;
  dimension: number;
  /** n × dimension float32, little-endian. */
  vectors: Uint8Array;
  k: number;
  ef: number;
  tag: number;
}

export interface WireHit {
  itemId: string;
  distance: number;
  /** Index into the request's segmentIds. */
  segment: number;
}

export interface MissingSegment {
  segmentId: string;
  reason: string;
}

export interface SearchResponse {
  results: { hits: WireHit[] }[];
  missing: MissingSegment[];
  searchMicros: number;
  tag: number;
}

export interface ServedSegment {
  segmentId: string;
  tier: string;
  window: string;
  windowStart: string;
  windowEnd: string;
  itemCount: number;
  dimension: number;
  embeddingVersion: string;
  metric: string;
  search: string;
  m: number;
  efConstruction: number;
  buildId: string;
}

export interface HostInfo {
  host: string;
  generation: number;
  segments: ServedSegment[];
  ef: number;
  maxEf: number;
  maxK: number;
  maxBatch: number;
  searchThreads: number;
}

export interface VectorResponse {
  found: { segmentId: string; vector: number[] }[];
}

export interface WireTombstone {
  itemId: string;
  at: string;
  kind: string;
}

export interface TombstonesResponse {
  segments: { segmentId: string; tombstones: WireTombstone[] }[];
}

type Unary<Req, Res> = (
  request: Req,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: Res) => void,
) => grpc.ClientUnaryCall;

export interface ShardHostClient extends grpc.Client {
  search: Unary<SearchRequest, SearchResponse>;
  searchStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<SearchRequest, SearchResponse>;
  info: Unary<Record<string, never>, HostInfo>;
  vector: Unary<{ itemId: string; segmentIds: string[] }, VectorResponse>;
  tombstones: Unary<{ segmentIds: string[] }, TombstonesResponse>;
}

interface Loaded {
  service: grpc.ServiceDefinition;
  Client: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => ShardHostClient;
}

let loaded: Loaded | undefined;

/** The service definition (for servers) and client constructor, loaded once per process. */
export function shardHostProto(): Loaded {
  if (loaded === undefined) {
    const definition = protoLoader.loadSync(PROTO_FILE, { keepCase: false, longs: Number, defaults: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      mlplatform: { search: { v1: { ShardHost: grpc.ServiceClientConstructor } } };
    };
    const ctor = pkg.mlplatform.search.v1.ShardHost;
    loaded = { service: ctor.service, Client: ctor as unknown as Loaded["Client"] };
  }
  return loaded;
}

/** A batch of query vectors as the wire carries them (float32 little-endian; every host here is little-endian). */
export function packVectors(vectors: readonly (readonly number[] | Float32Array)[], dimension: number): Uint8Array {
  const out = new Float32Array(vectors.length * dimension);
  vectors.forEach((v, i) => {
    if (v.length !== dimension) throw new Error(`query ${i} has dimension ${v.length}, expected ${dimension}`);
    out.set(v, i * dimension);
  });
  return new Uint8Array(out.buffer);
}

/** The batch's vectors, copied into an aligned Float32Array; an error names what is wrong. */
export function unpackVectors(bytes: Uint8Array, dimension: number): Float32Array {
  if (dimension < 1) throw new Error(`dimension ${dimension}: expected at least 1`);
  if (bytes.byteLength === 0 || bytes.byteLength % (4 * dimension) !== 0) {
    throw new Error(`vectors: ${bytes.byteLength} bytes is not a whole number of ${dimension}-d float32 queries`);
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
