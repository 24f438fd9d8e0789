import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM: iv || ciphertext || tag. */
export function encrypt(key: Buffer, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Reverses {@link encrypt}. @throws Error `cipher: message authentication failed` for a wrong key or tampered data. */
export function decrypt(key: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('cipher: message authentication failed');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new Error('cipher: message authentication failed');
  }
}

/** The key a (simulated) KMS holds for a key id: the same id always gives the same key. */
export function kmsKey(kmsKeyId: string): Buffer {
  return createHmac('sha256', 'vault-double-kms').update(kmsKeyId).digest();
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A Vault-looking service token (`hvs.` + 24 random characters). */
export function newToken(prefix = 'hvs.'): string {
  return `${prefix}${randomBytes(18).toString('base64url').slice(0, 24)}`;
}

/** A random accessor / id in Vault's shape. */
export function newAccessor(): string {
  return randomBytes(18).toString('base64url').slice(0, 24);
}

export function newUuid(): string {
  return randomUUID();
}
