import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueSecretId, type RoleParams, writeRole } from './approle';
import { Cluster } from './cluster';
import { HttpError } from './http-util';
import { bootFresh, bootInitialized, restartNode } from './lifecycle';
import { newNode } from './node';
import { createNodeServer } from './node-server';
import { parsePolicy } from './policy';
import { stateOf } from './state-view';
import type { InitResult, LoggedRequest, VaultDoubleFaults, VaultDoubleOptions, VaultDoubleState } from './types';

export type { FailNext, Flavor, InitResult, LoggedRequest, NodeView, SealType, VaultDoubleFaults, VaultDoubleOptions, VaultDoubleState } from './types';
/** A running Vault test double: one cluster of 1..N nodes on 127.0.0.1. */
export interface VaultDouble {
  /** The active node's URL. */
  readonly url: string;
  readonly nodes: { url: string; id: string }[];
  /** Root token of the current storage (undefined before init); the source's after a restore is not known. */
  readonly rootToken: string;
  /** Unseal keys (hex) from init; recovery keys for auto-unseal seals. */
  readonly unsealKeys: string[];
  readonly initResult: InitResult | undefined;
  /** Fault switches, read at each request. */
  readonly faults: VaultDoubleFaults;
  /** Method, path and status of every request; never bodies. */
  readonly requests: LoggedRequest[];
  /** Creates (or updates) an AppRole role with a fresh secret ID, enabling the mount if needed. @throws Error when sealed. */
  createAppRole(name: string, params?: RoleParams & { mount?: string }): { roleId: string; secretId: string };
  /** Writes an ACL policy. @throws Error when sealed or unparsable. */
  writePolicy(name: string, hcl: string): void;
  /** Writes a KV v1 secret at `secret/<path>`. */
  putSecret(path: string, data: Record<string, unknown>): void;
  /** Reads a KV v1 secret; undefined when missing. */
  getSecret(path: string): Record<string, unknown> | undefined;
  /** Seals every node. */
  seal(): void;
  /**
   * Restarts node `index`'s Vault process: drops its in-flight requests and everything it kept in memory;
   * it comes back sealed (Shamir) or auto-unsealed. @throws Error for an unknown index.
   */
  restartNode(index: number): void;
  /** Restarts every node. */
  restart(): void;
  /** A copy of the observable state. */
  state(): VaultDoubleState;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts a Vault test double. @throws Error when a port cannot be bound. */
/** Starts a Vault test double. @throws Error when a port cannot be bound or the seal type does not fit the flavor. */
export async function startVaultDouble(options: VaultDoubleOptions = {}): Promise<VaultDouble> {
  const cluster = new Cluster(options);
  const servers: Server[] = [];
  const scheme = options.tls ? 'https' : 'http';
  for (let i = 0; i < Math.max(1, options.nodes ?? 1); i++) {
    const node = newNode(i);
    node.clusterName = options.clusterName;
    cluster.nodes.push(node);
    const server = createNodeServer(cluster, node, options);
    servers.push(server);
    const port = await listen(server, options.port ? options.port + i : 0);
    Object.assign(node, { url: `${scheme}://127.0.0.1:${port}`, clusterAddress: `127.0.0.1:${port + 1}` });
  }
  let initResult: InitResult | undefined;
  if (options.initialized !== false) initResult = bootInitialized(cluster, options.secretShares ?? 5, options.secretThreshold ?? 3);
  else bootFresh(cluster);
  return buildDouble(cluster, servers, initResult);
}

function openModelOrThrow(cluster: Cluster) {
  if (!cluster.storage.model) throw new Error('the Vault double is sealed: unseal it first');
  return cluster.storage.model;
}

function buildDouble(cluster: Cluster, servers: Server[], initResult: InitResult | undefined): VaultDouble {
  const mountDefault = cluster.options.approleMount ?? 'approle';
  return {
    url: cluster.nodes[0]?.url ?? '',
    nodes: cluster.nodes.map((n) => ({ url: n.url, id: n.id })),
    rootToken: initResult?.root_token ?? '',
    unsealKeys: initResult ? (initResult.keys.length > 0 ? initResult.keys : (initResult.recovery_keys ?? [])) : [],
    initResult,
    faults: cluster.faults,
    requests: cluster.requests,
    createAppRole(name, params = {}) {
      const model = openModelOrThrow(cluster);
      const mount = params.mount ?? mountDefault;
      if (!model.authMounts.has(`${mount}/`)) model.authMounts.set(`${mount}/`, { type: 'approle', accessor: `auth_approle_${name}`, description: '' });
      try {
        const role = writeRole(model, mount, name, params);
        cluster.write();
        return { roleId: role.roleId, secretId: issueSecretId(model, role, {}).secretId };
      } catch (err) {
        throw err instanceof HttpError ? new Error(err.errors.join('; ')) : err;
      }
    },
    writePolicy(name, hcl) {
      parsePolicy(hcl);
      openModelOrThrow(cluster).policies.set(name, hcl);
      cluster.write();
    },
    putSecret(path, data) {
      openModelOrThrow(cluster).kv.set(path.replace(/^secret\//, ''), structuredClone(data));
      cluster.write();
    },
    getSecret(path) {
      const data = openModelOrThrow(cluster).kv.get(path.replace(/^secret\//, ''));
      return data === undefined ? undefined : structuredClone(data);
    },
    seal() {
      for (const node of cluster.nodes) node.sealed = true;
    },
    restartNode: (index) => restartNode(cluster, index),
    restart() {
      for (const node of cluster.nodes) restartNode(cluster, node.index);
    },
    state: () => stateOf(cluster),
    async close() {
      cluster.cancelScheduled();
      for (const [i, server] of servers.entries()) {
        for (const socket of cluster.nodes[i]?.sockets ?? []) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
