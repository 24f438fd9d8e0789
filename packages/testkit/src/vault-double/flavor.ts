import type { Flavor, SealType, VaultDoubleOptions } from './types';

/** Seal stanzas Vault accepts (website docs/configuration/seal). */
const VAULT_SEALS: SealType[] = ['shamir', 'awskms', 'gcpckms', 'azurekeyvault', 'transit', 'pkcs11', 'ocikms', 'alicloudkms'];
/** OpenBao adds its own (openbao website/content/docs/configuration/seal: static, ovhcloud, tcloudpublic, kmip). */
const OPENBAO_SEALS: SealType[] = [...VAULT_SEALS, 'static', 'ovhcloud', 'tcloudpublic', 'kmip'];

/** What the double reports about the server it imitates. */
export interface Product {
  flavor: Flavor;
  version: string;
  /** `build_date` (Vault) or `commit_date` (OpenBao) in seal-status. */
  buildDate: string;
  sealType: SealType;
}

/** Validates flavor and seal type and fills the version. @throws Error for a seal type the flavor does not have. */
export function productOf(options: VaultDoubleOptions): Product {
  const flavor = options.flavor ?? 'vault';
  if (flavor !== 'vault' && flavor !== 'openbao') throw new Error(`unknown flavor "${String(flavor)}": vault or openbao`);
  const sealType = options.sealType ?? 'shamir';
  const allowed = flavor === 'vault' ? VAULT_SEALS : OPENBAO_SEALS;
  if (!allowed.includes(sealType)) throw new Error(`seal type "${sealType}" is not available in ${flavor} (${allowed.join(', ')})`);
  return {
    flavor,
    version: options.version ?? (flavor === 'vault' ? '1.17.6' : '2.4.1'),
    buildDate: flavor === 'vault' ? '2024-09-24T19:48:40Z' : '2025-10-09T00:00:00Z',
    sealType,
  };
}
