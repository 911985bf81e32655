/**
 * Test support (not shipped): the front's search path (host registry → directory → batcher →
 * searcher) over real shard hosts started with `Hosts`.
 */
import { Batcher } from "../front/batcher";
import { HostRegistry } from "../front/discovery";
import { HostClients } from "../front/host-clients";
import { HostDirectory } from "../front/host-directory";
import { Searcher, type SearcherOptions } from "../front/searcher";
import type { TombstoneLookup } from "../front/merge";
import { silent } from "./hosts";

export interface FrontPath {
  registry: HostRegistry;
  directory: HostDirectory;
  clients: HostClients;
  batcher: Batcher;
  searcher: Searcher;
  /** Adds host addresses and waits until the directory has asked them what they serve. */
  addHosts(...addresses: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function frontPath(
  tombstoneOf: TombstoneLookup,
  options: Partial<SearcherOptions> & { batchWindowMs?: number; maxBatch?: number; refreshMs?: number } = {},
): Promise<FrontPath> {
  const registry = new HostRegistry();
  const clients = new HostClients();
  const deadlineMs = options.deadlineMs ?? 1_500;
  const directory = await new HostDirectory(
    registry,
    clients,
    { refreshMs: options.refreshMs ?? 60_000, deadlineMs },
    silent,
  ).start();
  const batcher = new Batcher(clients, {
    windowMs: options.batchWindowMs ?? 0,
    maxBatch: options.maxBatch ?? 64,
    deadlineMs,
  });
  const searcher = new Searcher(
    directory,
    batcher,
    clients,
    tombstoneOf,
    {
      retentionMs: options.retentionMs ?? 40 * 86_400_000,
      oversample: options.oversample ?? 2,
      deadlineMs,
      ef: options.ef ?? 0,
    },
    silent,
  );
  return {
    registry,
    directory,
    clients,
    batcher,
    searcher,
    addHosts: async (...addresses) => {
      for (const a of addresses) registry.add(a);
      await directory.refresh();
    },
    close: async () => {
      await directory.close();
      clients.close();
    },
  };
}
