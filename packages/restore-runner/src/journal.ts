import { readFile, rm } from 'node:fs/promises';
import { AppError, registerSecret, writeFileAtomic } from '@vault-raft-backup/common';
import { z } from 'zod';

/**
 * Where a restore stands, so that a runner restarted in the middle (container restart, OOM kill)
 * finishes the job it started instead of refusing an initialized Vault or restoring twice.
 * - `init-sent`: PUT sys/init is on its way (the answer may be lost).
 * - `initialized`: the temporary keys and token are recorded; the snapshot is not uploaded yet.
 * - `uploading`: snapshot-force is on its way (Vault may or may not have accepted it).
 * - `uploaded`: Vault answered 204; the restore applies in the background.
 * - `applied`: the snapshot's data is in place; the temporary credentials are worthless and dropped.
 */
export const PHASES = ['init-sent', 'initialized', 'uploading', 'uploaded', 'applied'] as const;
export type Phase = (typeof PHASES)[number];

const journalSchema = z.object({
  phase: z.enum(PHASES),
  sha256: z.string(),
  sealType: z.string(),
  startedAt: z.string(),
  /** Temporary credentials; only until `applied` (they protect an empty Vault until then). */
  temporary: z.object({ rootToken: z.string(), unsealKeys: z.array(z.string()) }).optional(),
  /** Seal status numbers of the temporary init. */
  init: z.object({ shares: z.number(), threshold: z.number() }).optional(),
});
export type Journal = z.infer<typeof journalSchema>;

/** Reads the journal; undefined when there is none. Its secrets are registered before it is returned. @throws AppError FILE_IO when unreadable or malformed */
export async function readJournal(path: string): Promise<Journal | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('FILE_IO', `cannot read the restore journal ${path}`, { cause: err });
  }
  let parsed: Journal;
  try {
    parsed = journalSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw new AppError('FILE_IO', `the restore journal ${path} is malformed: delete it only if no restore is in progress`, { cause });
  }
  registerSecret(parsed.temporary?.rootToken);
  for (const key of parsed.temporary?.unsealKeys ?? []) registerSecret(key);
  return parsed;
}

/** Writes the journal atomically, mode 0600 (it may hold the temporary keys). @throws AppError FILE_IO */
export async function writeJournal(path: string, journal: Journal): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(journal)}\n`, 0o600);
}

/** Removes the journal once the marker says the restore is done. */
export async function removeJournal(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** A journal that moves forward phase by phase, writing each step before the caller acts on it. */
export class JournalFile {
  constructor(
    readonly path: string,
    private current: Journal,
  ) {}

  get state(): Journal {
    return this.current;
  }

  /** Records a new phase (and fields); `applied` drops the temporary credentials. @throws AppError FILE_IO */
  async advance(phase: Phase, fields: Partial<Omit<Journal, 'phase'>> = {}): Promise<void> {
    const next: Journal = { ...this.current, ...fields, phase };
    if (phase === 'applied') delete next.temporary;
    await writeJournal(this.path, next);
    this.current = next;
  }
}
