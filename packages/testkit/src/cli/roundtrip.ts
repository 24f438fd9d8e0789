import { roundTrip } from '../roundtrip/index';

roundTrip().catch((err: unknown) => {
  process.stdout.write(`ROUND TRIP FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
