import { randomBytes, randomInt } from 'node:crypto';

/**
 * Shamir's secret sharing over GF(2^8), as Vault's `shamir` package does it (sdk/helper/shamir/shamir.go `Split`,
 * `Combine`): each byte of the secret is the intercept of a random polynomial of degree threshold-1; a
 * share is the polynomial's values at one x coordinate followed by that x (1 byte of overhead). Combining
 * interpolates at x=0 from whatever parts it is given: with fewer parts than the threshold, or one part
 * from another secret, the result is a wrong key of the same length, never an error.
 */
export const SHARE_OVERHEAD = 1;

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  // Tables for the AES field (x^8 + x^4 + x^3 + x + 1) with generator 3.
  let value = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = value;
    LOG[value] = i;
    value ^= (value << 1) ^ (value & 0x80 ? 0x11b : 0);
    value &= 0xff;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255] ?? 0;
}

function mult(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : (EXP[(LOG[a] ?? 0) + (LOG[b] ?? 0)] ?? 0);
}

function div(a: number, b: number): number {
  return a === 0 ? 0 : (EXP[(LOG[a] ?? 0) + 255 - (LOG[b] ?? 0)] ?? 0);
}

/** Splits `secret` into `parts` shares, any `threshold` of which give it back. @throws Error on bad counts. */
export function split(secret: Buffer, parts: number, threshold: number): Buffer[] {
  if (parts < threshold) throw new Error('parts cannot be less than threshold');
  if (parts > 255 || threshold > 255) throw new Error('parts or threshold cannot exceed 255');
  if (threshold < 2) throw new Error('threshold must be at least 2');
  if (secret.length === 0) throw new Error('cannot split an empty secret');
  // Distinct random x coordinates in 1..255, as Vault's mathrand.Perm(255) + 1.
  const xs = Array.from({ length: 255 }, (_, i) => i + 1);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [xs[i], xs[j]] = [xs[j] ?? 0, xs[i] ?? 0];
  }
  const shares = Array.from({ length: parts }, (_, i) => {
    const share = Buffer.alloc(secret.length + SHARE_OVERHEAD);
    share[secret.length] = xs[i] ?? 0;
    return share;
  });
  for (let byte = 0; byte < secret.length; byte++) {
    const coefficients = [secret[byte] ?? 0, ...randomBytes(threshold - 1)];
    for (const share of shares) {
      const x = share[secret.length] ?? 0;
      // Horner's rule from the highest coefficient down.
      let y = 0;
      for (let c = coefficients.length - 1; c >= 0; c--) y = mult(y, x) ^ (coefficients[c] ?? 0);
      share[byte] = y;
    }
  }
  return shares;
}

/** Interpolates the secret at x=0 from the parts. @throws Error with shamir.Combine's messages on malformed parts. */
export function combine(parts: Buffer[]): Buffer {
  if (parts.length < 2) throw new Error('less than two parts cannot be used to reconstruct the secret');
  const first = parts[0] ?? Buffer.alloc(0);
  if (first.length < 2) throw new Error('parts must be at least two bytes');
  if (parts.some((p) => p.length !== first.length)) throw new Error('all parts must be the same length');
  const size = first.length - SHARE_OVERHEAD;
  const xs = parts.map((p) => p[size] ?? 0);
  if (new Set(xs).size !== xs.length) throw new Error('duplicate part detected');
  const secret = Buffer.alloc(size);
  for (let byte = 0; byte < size; byte++) {
    let result = 0;
    for (let i = 0; i < parts.length; i++) {
      let basis = 1;
      for (let j = 0; j < parts.length; j++) {
        if (i !== j) basis = mult(basis, div(xs[j] ?? 0, (xs[i] ?? 0) ^ (xs[j] ?? 0)));
      }
      result ^= mult(parts[i]?.[byte] ?? 0, basis);
    }
    secret[byte] = result;
  }
  return secret;
}
