/**
 * One gRPC client per index-service address, created on first use and closed when discovery no
 * longer lists the address (a retired segment's connection does not linger).
 */
import * as grpc from "@grpc/grpc-js";
import {
  segmentIndexProto,
  type SearchRequest,
  type SearchResponse,
  type SegmentIndexClient,
  type VectorResponse,
  type WireTombstone,
} from "../proto/index";

export class SegmentClients {
  private readonly clients = new Map<string, SegmentIndexClient>();

  search(address: string, request: SearchRequest, deadlineMs: number): Promise<SearchResponse> {
    const client = this.clientFor(address);
    return new Promise((resolve, reject) =>
      client.search(request, { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(err) : resolve(res as SearchResponse),
      ),
    );
  }

  vector(address: string, itemId: string, deadlineMs: number): Promise<VectorResponse> {
    const client = this.clientFor(address);
    return new Promise((resolve, reject) =>
      client.vector({ itemId }, { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(err) : resolve(res as VectorResponse),
      ),
    );
  }

  tombstones(address: string, deadlineMs: number): Promise<WireTombstone[]> {
    const client = this.clientFor(address);
    return new Promise((resolve, reject) =>
      client.tombstones({}, { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(err) : resolve(res?.tombstones ?? []),
      ),
    );
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

  private clientFor(address: string): SegmentIndexClient {
    let client = this.clients.get(address);
    if (client === undefined) {
      const { Client } = segmentIndexProto();
      client = new Client(address, grpc.credentials.createInsecure(), {
        // Keepalive no more often than the server allows, or it answers GOAWAY too_many_pings.
        "grpc.keepalive_time_ms": 60_000,
      });
      this.clients.set(address, client);
    }
    return client;
  }
}
