import type { Client } from 'discord.js';
import { ClusterClient, getInfo } from 'discord-hybrid-sharding';

/**
 * Set by the manager for each run of a bot process: the name its delivery claims carry, so that when the run dies
 * the manager knows which claims were its (src/operations/sharded.ts).
 */
export const CLAIMANT_ENV = 'NEWSDESK_CLAIMANT';

/** The shards a cluster manager (`npm run start:sharded`) gave this process, and which process it is. */
export interface ClusterAssignment {
  readonly cluster: number;
  readonly shardIds: number[];
  readonly shardCount: number;
  /** The name of this run's delivery claims, if the manager gave one. */
  readonly claimant: string | undefined;
}

/** Set when this process was spawned by discord-hybrid-sharding's ClusterManager; undefined when run alone. */
export function clusterAssignment(env: NodeJS.ProcessEnv = process.env): ClusterAssignment | undefined {
  if (env.CLUSTER_MANAGER_MODE !== 'process') return undefined;
  const info = getInfo();
  return { cluster: info.CLUSTER, shardIds: info.SHARD_LIST, shardCount: info.TOTAL_SHARDS, claimant: env[CLAIMANT_ENV] || undefined };
}

/** Answers the manager over IPC (its health checks ask each process for its shards' status). */
export function joinCluster(client: Client): ClusterClient<Client> {
  return new ClusterClient(client);
}
