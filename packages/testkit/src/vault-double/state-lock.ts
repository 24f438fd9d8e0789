/** Releases a held lock; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  exclusive: boolean;
  grant: () => void;
}

/**
 * A node's `stateLock` (internal/vault/core.go: a sync.RWMutex): request handling shares it, unseal/init/seal and the
 * apply of a restore hold it alone. As with Go's RWMutex, once a writer waits, new readers queue behind it.
 */
export class StateLock {
  private readers = 0;
  private writer = false;
  private readonly queue: Waiter[] = [];

  /** Waits for a shared hold. */
  read(): Promise<Release> {
    return this.acquire(false);
  }

  /** Waits for the exclusive hold. */
  write(): Promise<Release> {
    return this.acquire(true);
  }

  /** `write` when held exclusively, `read` when shared, undefined when free. */
  get held(): 'write' | 'read' | undefined {
    if (this.writer) return 'write';
    return this.readers > 0 ? 'read' : undefined;
  }

  /** How many callers wait for the lock. */
  get waiting(): number {
    return this.queue.length;
  }

  private acquire(exclusive: boolean): Promise<Release> {
    return new Promise((resolve) => {
      const grant = () => resolve(this.releaser(exclusive));
      if (this.queue.length === 0 && this.canGrant(exclusive)) {
        this.take(exclusive);
        grant();
      } else this.queue.push({ exclusive, grant });
    });
  }

  private canGrant(exclusive: boolean): boolean {
    return exclusive ? !this.writer && this.readers === 0 : !this.writer;
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.writer = true;
    else this.readers += 1;
  }

  private releaser(exclusive: boolean): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (exclusive) this.writer = false;
      else this.readers -= 1;
      this.drain();
    };
  }

  private drain(): void {
    for (let next = this.queue[0]; next && this.canGrant(next.exclusive); next = this.queue[0]) {
      this.queue.shift();
      this.take(next.exclusive);
      next.grant();
      if (next.exclusive) return;
    }
  }
}
