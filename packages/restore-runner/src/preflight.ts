import { AppError, ConfigError, type Logger, type SourceVault } from '@vault-raft-backup/common';
import { isAutoUnseal } from './vault-node';

/** Shares and threshold of the temporary init, and why these. */
export interface InitShape {
  shares: number;
  threshold: number;
  reason: string;
}

/** What decides the temporary init. */
export interface ShapeInput {
  explicit: { shares?: number | undefined; threshold?: number | undefined };
  source: SourceVault | undefined;
  /** How many source unseal keys were given (0: none). */
  keysGiven: number;
  targetSealType: string;
}

function shamirShape(input: ShapeInput): InitShape {
  const { source, keysGiven } = input;
  if (source && source.sealType === 'shamir' && source.threshold > 0) {
    if (keysGiven > 0 && keysGiven < source.threshold) {
      throw new ConfigError([`VAULT_UNSEAL_KEYS: ${keysGiven} key(s) given, but the source cluster's threshold is ${source.threshold} (of ${source.shares}): give at least ${source.threshold} of its keys`]);
    }
    return { shares: source.shares, threshold: source.threshold, reason: "the source cluster's, from the snapshot's sidecar" };
  }
  if (keysGiven > 0) {
    // Shamir interpolation with more shares than the source's threshold still yields its key, so a
    // temporary threshold equal to the number of keys given always lets exactly those keys combine.
    return { shares: keysGiven, threshold: keysGiven, reason: `the snapshot does not record the source's threshold: one share per source key given (${keysGiven}), so those keys combine` };
  }
  throw new ConfigError([
    "RESTORE_INIT_THRESHOLD: the snapshot does not record the source cluster's unseal threshold (a backup taken before seal facts were recorded), and no source keys were given. " +
      'Vault keeps the temporary init\'s threshold after the restore until it restarts, so unsealing would combine the wrong number of keys. ' +
      "Set RESTORE_INIT_SHARES and RESTORE_INIT_THRESHOLD to the source cluster's (`vault status` on the source shows Total Shares and Threshold), or give VAULT_UNSEAL_KEYS_FILE",
  ]);
}

/**
 * Shares and threshold of the temporary init. Vault caches the seal config of the init in memory and keeps it
 * after a forced restore (vault/seal.go `defaultSeal.BarrierConfig`; cleared only by postUnseal or a
 * restart), so unsealing the restored node combines as many shares as the temporary threshold says: it must be
 * the source's threshold (or a larger one when exactly that many source keys are given).
 * @throws ConfigError (exit 2, before Vault is touched) when no safe choice exists.
 */
export function temporaryInitShape(input: ShapeInput, log: Logger): InitShape {
  const { explicit, source } = input;
  if (explicit.shares !== undefined && explicit.threshold !== undefined) {
    if (!isAutoUnseal(input.targetSealType) && source && source.threshold > explicit.threshold) {
      log.warn("RESTORE_INIT_THRESHOLD is below the source cluster's threshold: after the restore Vault combines too few of the source keys and rejects them until its process restarts", {
        initThreshold: explicit.threshold,
        sourceThreshold: source.threshold,
      });
    }
    return { shares: explicit.shares, threshold: explicit.threshold, reason: 'RESTORE_INIT_SHARES/RESTORE_INIT_THRESHOLD' };
  }
  if (!isAutoUnseal(input.targetSealType)) return shamirShape(input);
  // Auto-unseal: recovery keys do not unseal, and the restored node re-reads its config when it unseals itself.
  if (source && isAutoUnseal(source.sealType) && source.threshold > 0) return { shares: source.shares, threshold: source.threshold, reason: "the source cluster's recovery shares" };
  return { shares: 1, threshold: 1, reason: 'auto-unseal: the recovery shares of the temporary init do not matter' };
}

function family(type: string): string {
  return isAutoUnseal(type) ? `${type} auto-unseal` : 'Shamir';
}

/**
 * Refuses, before Vault is touched, a snapshot whose seal the target can never open: Shamir vs auto-unseal,
 * or another auto-unseal type (the restored root key is wrapped by the source's seal).
 * @throws AppError RESTORE_PREFLIGHT
 */
export function checkSealFamily(source: SourceVault | undefined, targetType: string, log: Logger): void {
  if (!source) {
    log.warn('the snapshot does not record the source seal type (a backup taken before seal facts were recorded): the seal family is not checked');
    return;
  }
  if (source.sealType === targetType) return;
  const from = family(source.sealType);
  const to = family(targetType);
  const how = isAutoUnseal(source.sealType)
    ? `give this Vault the source's seal stanza (seal "${source.sealType}" with the same key) and restore again`
    : 'restore into a Vault without a seal stanza (Shamir), then migrate the seal if you want auto-unseal';
  throw new AppError(
    'RESTORE_PREFLIGHT',
    `the snapshot comes from a Vault with ${from}, this Vault uses ${to}: after the restore its storage would hold a root key this Vault's seal cannot open, and it would stay sealed. Nothing was changed. To proceed, ${how}`,
  );
}

/** `major.minor.patch` of a Vault or OpenBao version string (`1.17.6`, `v1.18.0+ent`, `2.1.0-beta1`), or undefined. */
export function parseVersion(text: string | undefined): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text?.trim() ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * A snapshot from a newer Vault than the target: a newer minor version is refused (Vault supports upgrades,
 * not downgrades; the storage may hold what the older binary cannot read) unless allowed; a newer patch is a warning.
 * @throws AppError RESTORE_PREFLIGHT
 */
export function checkVersion(sourceText: string | undefined, targetText: string | undefined, allowOlder: boolean, log: Logger): void {
  const source = parseVersion(sourceText);
  const target = parseVersion(targetText);
  if (!source || !target) {
    if (sourceText !== undefined) log.warn('cannot compare the snapshot\'s Vault version with this Vault\'s', { sourceVersion: sourceText, targetVersion: targetText });
    return;
  }
  const [sMajor, sMinor, sPatch] = source;
  const [tMajor, tMinor, tPatch] = target;
  const newerMinor = sMajor > tMajor || (sMajor === tMajor && sMinor > tMinor);
  if (newerMinor && !allowOlder) {
    throw new AppError(
      'RESTORE_PREFLIGHT',
      `the snapshot was taken by version ${sourceText}, this Vault is ${targetText}: Vault supports upgrades, not downgrades, and an older binary may not read what a newer one stored. Nothing was changed. Use an image of at least ${sMajor}.${sMinor}, or set RESTORE_ALLOW_OLDER_VAULT=true to try anyway`,
    );
  }
  if (newerMinor || (sMajor === tMajor && sMinor === tMinor && sPatch > tPatch)) {
    log.warn('the snapshot was taken by a newer Vault than this one', { sourceVersion: sourceText, targetVersion: targetText });
  }
}
