/**
 * The segment index protocol (`index.proto`), loaded at run time with @grpc/proto-loader, and its
 * messages as TypeScript types (field names in camelCase, as the loader gives them).
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import * as path from "node:path";

/**
 * Beside this module's code: here in the sources, beside main.js in a bundle (scripts/bundle-services.ts
 * copies it there for the front and the index service). The one place the path is resolved.
 */
export const PROTO_FILE = path.join(__dirname, "index.proto");
export const SERVICE_NAME = "mlplatform.search.v1.SegmentIndex";

export interface SearchRequest {
  vector: number[];
  embeddingVersion: string;
  k: number;
  ef: number;
}

export interface WireHit {
  itemId: string;
  distance: number;
}

export interface SearchResponse {
  hits: WireHit[];
  segmentId: string;
  searchMicros: number;
}

export interface SegmentInfo {
  segmentId: string;
  tier: string;
  windowStart: string;
  windowEnd: string;
  itemCount: number;
  dimension: number;
  embeddingVersion: string;
  metric: string;
  m: number;
  efConstruction: number;
  ef: number;
  maxEf: number;
}

export interface VectorResponse {
  found: boolean;
  vector: number[];
  embeddingVersion: string;
}

export interface WireTombstone {
  itemId: string;
  at: string;
  kind: string;
}

export interface SegmentIndexClient extends grpc.Client {
  tombstones(
    request: Record<string, never>,
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, response?: { tombstones: WireTombstone[] }) => void,
  ): grpc.ClientUnaryCall;
  vector(
    request: { itemId: string },
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, response?: VectorResponse) => void,
  ): grpc.ClientUnaryCall;
  search(
    request: SearchRequest,
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, response?: SearchResponse) => void,
  ): grpc.ClientUnaryCall;
  info(
    request: Record<string, never>,
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, response?: SegmentInfo) => void,
  ): grpc.ClientUnaryCall;
}

interface Loaded {
  service: grpc.ServiceDefinition;
  Client: new (
    address: string,
    credentials: grpc.ChannelCredentials,
    options?: grpc.ChannelOptions,
  ) => SegmentIndexClient;
}

let loaded: Loaded | undefined;

/** The service definition (for servers) and client constructor, loaded once per process. */
export function segmentIndexProto(): Loaded {
  if (loaded === undefined) {
    const definition = protoLoader.loadSync(PROTO_FILE, { keepCase: false, longs: Number, defaults: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      mlplatform: { search: { v1: { SegmentIndex: grpc.ServiceClientConstructor } } };
    };
    const ctor = pkg.mlplatform.search.v1.SegmentIndex;
    loaded = { service: ctor.service, Client: ctor as unknown as Loaded["Client"] };
  }
  return loaded;
}
