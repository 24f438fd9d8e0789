import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execOk } from './exec.ts';

/** One layer of an image manifest. */
export interface LayerInfo {
  mediaType: string;
  digest: string;
  /** Bytes as stored in the archive (gzip-compressed for `tar+gzip` layers). */
  size: number;
}

/** What an OCI archive (`oci-archive:` / `podman save --format oci-archive`) holds for its one image. */
export interface OciArchiveInfo {
  layers: LayerInfo[];
  /** Sum of the layer blobs: what a registry stores and a node downloads. */
  compressedSize: number;
  /** Reads the file names inside one layer. */
  listLayer(layer: LayerInfo): Promise<string[]>;
}

async function readBlob(archive: string, digest: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'oci-blob-'));
  try {
    const member = `blobs/${digest.replace(':', '/')}`;
    await execOk('tar', ['-xf', archive, '-C', dir, member]);
    return await readFile(join(dir, member));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function listLayerFiles(archive: string, layer: LayerInfo): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'oci-layer-'));
  try {
    const member = `blobs/${layer.digest.replace(':', '/')}`;
    await execOk('tar', ['-xf', archive, '-C', dir, member]);
    const out = await execOk('tar', [layer.mediaType.endsWith('+gzip') ? '-tzf' : '-tf', join(dir, member)]);
    return out.split('\n').filter((line) => line !== '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads the index and the single image manifest of an OCI archive. @throws Error when the archive holds no image manifest */
export async function readOciArchive(archive: string): Promise<OciArchiveInfo> {
  const index = JSON.parse((await execOk('tar', ['-xOf', archive, 'index.json'])) || '{}') as { manifests?: { digest: string }[] };
  const manifestDigest = index.manifests?.[0]?.digest;
  if (!manifestDigest) throw new Error(`${archive}: index.json lists no manifest`);
  const manifest = JSON.parse((await readBlob(archive, manifestDigest)).toString('utf8')) as { layers?: LayerInfo[] };
  const layers = manifest.layers ?? [];
  return {
    layers,
    compressedSize: layers.reduce((sum, layer) => sum + layer.size, 0),
    listLayer: (layer) => listLayerFiles(archive, layer),
  };
}
