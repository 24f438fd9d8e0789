import { isRecord } from './yaml-io';

/** The Helm charts our restore values are written for. */
export type RestoreChart = 'vault' | 'openbao';

/** What the checks know about one chart and the release our docs install. */
export interface ChartFacts {
  chart: RestoreChart;
  /** The release name the docs use; with it the chart's full name, so pods are `<release>-<n>`. */
  release: string;
  /** The folder of the values files, relative to manifests/. */
  valuesDir: string;
  /** The version the values were written against. */
  version: string;
}

export const RESTORE_CHARTS: Record<RestoreChart, ChartFacts> = {
  vault: { chart: 'vault', release: 'vault', valuesDir: 'restore', version: '0.34.1' },
  openbao: { chart: 'openbao', release: 'openbao', valuesDir: 'restore/openbao', version: '0.29.2' },
};

/**
 * The example combinations the docs name, layered in this order over the chart's
 * values-restore.yaml (the same for both charts).
 */
export const EXAMPLE_COMBINATIONS: readonly (readonly string[])[] = [
  [],
  ['awskms.yaml'],
  ['shamir-unseal-keys.yaml'],
  ['single-node.yaml'],
  ['single-node.yaml', 'awskms.yaml'],
  ['single-node.yaml', 'shamir-unseal-keys-single-node.yaml'],
];

function server(values: unknown): Record<string, unknown> {
  return isRecord(values) && isRecord(values.server) ? values.server : {};
}

function ha(values: unknown): Record<string, unknown> {
  const h = server(values).ha;
  return isRecord(h) ? h : {};
}

/** The chart's server mode for these values: both charts run HA when server.ha.enabled is true, else standalone (server.dev aside). */
export function chartMode(values: unknown): 'ha' | 'standalone' {
  return ha(values).enabled === true ? 'ha' : 'standalone';
}

/** How many server pods the chart renders: server.ha.replicas (default 3) in HA mode, 1 in standalone mode. */
export function replicasOf(values: unknown): number {
  if (chartMode(values) === 'standalone') return 1;
  const n = ha(values).replicas;
  return typeof n === 'number' ? n : 3;
}

/**
 * Which config value the chart writes into its ConfigMap, and its text when our
 * values set it (undefined: the chart's own default). Vault (`vault.config` in
 * _helpers.tpl) takes server.ha.raft.config whenever raft is enabled, in either
 * mode; OpenBao (`openbao.config`) takes server.standalone.config in standalone
 * mode and server.ha.raft.config only in HA mode with raft.
 */
export function renderedConfig(chart: RestoreChart, values: unknown): { key: string; text: string | undefined } {
  const h = ha(values);
  const raft = isRecord(h.raft) ? h.raft : {};
  const standalone = isRecord(server(values).standalone) ? (server(values).standalone as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const raftOn = raft.enabled === true;
  if (chartMode(values) === 'ha') return raftOn ? { key: 'server.ha.raft.config', text: text(raft.config) } : { key: 'server.ha.config', text: text(h.config) };
  if (chart === 'vault' && raftOn) return { key: 'server.ha.raft.config', text: text(raft.config) };
  return { key: 'server.standalone.config', text: text(standalone.config) };
}
