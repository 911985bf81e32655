/**
 * One gRPC client per shard-host address, created on first use and closed when the host source
 * no longer lists the address (a retired host's connection does not linger).
 */
import * as grpc from "@grpc/grpc-js";
import {
  shardHostProto,
  type HostInfo,
  type SearchRequest,
  type SearchResponse,
  type ShardHostClient,
  type TombstonesResponse,
  type VectorResponse,
} from "../proto/index";

const unary = <T>(fn: (cb: (err: grpc.ServiceError | null, res?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));

export class HostClients {
  private readonly clients = new Map<string, ShardHostClient>();

  search(address: string, request: SearchRequest, deadlineMs: number): Promise<SearchResponse> {
    return unary((cb) => this.clientFor(address).search(request, { deadline: Date.now() + deadlineMs }, cb));
  }

  info(address: string, deadlineMs: number): Promise<HostInfo> {
    return unary((cb) => this.clientFor(address).info({}, { deadline: Date.now() + deadlineMs }, cb));
  }

  vector(address: string, itemId: string, segmentIds: string[], deadlineMs: number): Promise<VectorResponse> {
    return unary((cb) =>
      this.clientFor(address).vector({ itemId, segmentIds }, { deadline: Date.now() + deadlineMs }, cb),
    );
  }

  tombstones(address: string, segmentIds: string[], deadlineMs: number): Promise<TombstonesResponse> {
    return unary((cb) => this.clientFor(address).tombstones({ segmentIds }, { deadline: Date.now() + deadlineMs }, cb));
  }

  /** Closes the clients of addresses not in `live`. */
  keepOnly(live: Iterable<string>): void {
    const keep = new Set(live);
    for (const [address, client] of this.clients) {
      if (!keep.has(address)) {
        client.close();
        this.clients.delete(address);
      }
    }
  }

  close(): void {
    this.keepOnly([]);
  }

  private clientFor(address: string): ShardHostClient {
    let client = this.clients.get(address);
    if (client === undefined) {
      const { Client } = shardHostProto();
      client = new Client(address, grpc.credentials.createInsecure(), {
        // Keepalive no more often than the server allows, or it answers GOAWAY too_many_pings.
        "grpc.keepalive_time_ms": 60_000,
      });
      this.clients.set(address, client);
    }
    return client;
  }
}
