type Listener = (...args: unknown[]) => void;

/**
 * runMain writes process.exitCode and adds SIGTERM/SIGINT listeners: registers jest hooks that put
 * both back after each test of the calling file.
 */
export function restoreProcessStateAfterEach(): void {
  let savedExitCode: typeof process.exitCode;
  let listenersBefore: Map<NodeJS.Signals, Listener[]>;

  beforeEach(() => {
    savedExitCode = process.exitCode;
    listenersBefore = new Map((['SIGTERM', 'SIGINT'] as const).map((s) => [s, process.listeners(s) as Listener[]]));
  });

  afterEach(() => {
    process.exitCode = savedExitCode;
    for (const [signal, before] of listenersBefore) {
      for (const l of process.listeners(signal) as Listener[]) if (!before.includes(l)) process.removeListener(signal, l);
    }
  });
}
