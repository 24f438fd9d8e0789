import { AppError, ConfigError, createLogger, type SourceVault } from '@vault-raft-backup/common';
import { checkSealFamily, checkVersion, parseVersion, temporaryInitShape } from '../src/preflight';

const lines: Record<string, unknown>[] = [];
const log = createLogger({ component: 'test', level: 'debug', write: (l) => lines.push(JSON.parse(l)) });
const shamir53: SourceVault = { sealType: 'shamir', shares: 5, threshold: 3, version: '1.17.6' };
const none = { shares: undefined, threshold: undefined };

beforeEach(() => lines.splice(0));

describe('the temporary init', () => {
  test("uses the source cluster's shares and threshold when the sidecar records them", () => {
    expect(temporaryInitShape({ explicit: none, source: shamir53, keysGiven: 5, targetSealType: 'shamir' }, log)).toMatchObject({ shares: 5, threshold: 3 });
    expect(temporaryInitShape({ explicit: none, source: shamir53, keysGiven: 0, targetSealType: 'shamir' }, log)).toMatchObject({ shares: 5, threshold: 3 });
  });

  test('without recorded facts it uses one share per source key given, so exactly those keys combine', () => {
    expect(temporaryInitShape({ explicit: none, source: undefined, keysGiven: 3, targetSealType: 'shamir' }, log)).toMatchObject({ shares: 3, threshold: 3 });
  });

  test('without recorded facts and without keys it stops before Vault is touched and names the variables', () => {
    expect(() => temporaryInitShape({ explicit: none, source: undefined, keysGiven: 0, targetSealType: 'shamir' }, log)).toThrow(ConfigError);
    expect(() => temporaryInitShape({ explicit: none, source: undefined, keysGiven: 0, targetSealType: 'shamir' }, log)).toThrow(/Set RESTORE_INIT_SHARES and RESTORE_INIT_THRESHOLD to the source cluster's/);
  });

  test('fewer keys than the source threshold is a configuration error', () => {
    expect(() => temporaryInitShape({ explicit: none, source: shamir53, keysGiven: 2, targetSealType: 'shamir' }, log)).toThrow(/2 key\(s\) given, but the source cluster's threshold is 3/);
  });

  test('explicit values win, with a warning when the threshold is below the source\'s', () => {
    expect(temporaryInitShape({ explicit: { shares: 2, threshold: 2 }, source: shamir53, keysGiven: 5, targetSealType: 'shamir' }, log)).toMatchObject({ shares: 2, threshold: 2 });
    expect(lines.some((l) => String(l.msg).startsWith("RESTORE_INIT_THRESHOLD is below the source cluster's threshold"))).toBe(true);
  });

  test('auto-unseal takes the source recovery shares, or 1/1 when unknown', () => {
    expect(temporaryInitShape({ explicit: none, source: { sealType: 'awskms', shares: 5, threshold: 3 }, keysGiven: 0, targetSealType: 'awskms' }, log)).toMatchObject({ shares: 5, threshold: 3 });
    expect(temporaryInitShape({ explicit: none, source: undefined, keysGiven: 0, targetSealType: 'awskms' }, log)).toMatchObject({ shares: 1, threshold: 1 });
  });
});

describe('seal family', () => {
  test.each([
    ['shamir', 'awskms', /Shamir, this Vault uses awskms auto-unseal.*restore into a Vault without a seal stanza/],
    ['awskms', 'shamir', /awskms auto-unseal, this Vault uses Shamir.*give this Vault the source's seal stanza \(seal "awskms"/],
    ['gcpckms', 'transit', /gcpckms auto-unseal, this Vault uses transit auto-unseal/],
  ])('a %s snapshot into a %s Vault is refused, saying why and how to proceed', (from, to, message) => {
    expect(() => checkSealFamily({ sealType: from, shares: 1, threshold: 1 }, to, log)).toThrow(message);
    expect(() => checkSealFamily({ sealType: from, shares: 1, threshold: 1 }, to, log)).toThrow(AppError);
  });

  test('the same family passes, and an unknown source only warns', () => {
    expect(() => checkSealFamily(shamir53, 'shamir', log)).not.toThrow();
    expect(() => checkSealFamily(undefined, 'shamir', log)).not.toThrow();
    expect(lines.some((l) => l.level === 'warn')).toBe(true);
  });
});

describe('Vault version', () => {
  test('parses Vault and OpenBao version strings', () => {
    expect(parseVersion('1.17.6')).toEqual([1, 17, 6]);
    expect(parseVersion('v1.18.0+ent')).toEqual([1, 18, 0]);
    expect(parseVersion('2.1.0-beta1')).toEqual([2, 1, 0]);
    expect(parseVersion('dev')).toBeUndefined();
  });

  test('a snapshot from a newer minor version is refused unless allowed; a newer patch warns', () => {
    expect(() => checkVersion('1.18.0', '1.17.6', false, log)).toThrow(/taken by version 1.18.0, this Vault is 1.17.6.*RESTORE_ALLOW_OLDER_VAULT=true/);
    expect(() => checkVersion('2.1.0', '1.17.6', false, log)).toThrow(/RESTORE_PREFLIGHT|downgrades/);
    expect(() => checkVersion('1.18.0', '1.17.6', true, log)).not.toThrow();
    expect(() => checkVersion('1.17.9', '1.17.6', false, log)).not.toThrow();
    expect(lines.filter((l) => l.msg === 'the snapshot was taken by a newer Vault than this one')).toHaveLength(2);
    expect(() => checkVersion('1.15.2', '1.17.6', false, log)).not.toThrow();
  });
});
