// What every recording test file sets up the same way: a temporary directory,
// the file's recording settings in process.env (the test edge helpers pass them on),
// and one afterAll that closes the participants' signaling, stops what the
// tests pushed to `stops` (edges, in order), runs `cleanup`, restores the
// environment and removes the directory. Kept apart from recording-support.ts,
// which benchmarks import outside vitest.
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tempDir, withEnv, type MediaParticipant } from './recording-support.ts';

export interface RecordingTestBed {
  dir: string;
  participants: MediaParticipant[];
  stops: (() => Promise<void>)[];
}

/** Call in a describe block: the afterAll it registers runs when that block ends. */
export function recordingTestBed(
  tag: string,
  env: Record<string, string>,
  cleanup?: () => void,
): RecordingTestBed {
  const bed: RecordingTestBed = { dir: tempDir(tag), participants: [], stops: [] };
  const restoreEnv = withEnv(env);
  afterAll(async () => {
    for (const p of bed.participants) p.client.close();
    for (const stop of bed.stops) await stop();
    cleanup?.();
    restoreEnv();
    rmSync(bed.dir, { recursive: true, force: true });
  });
  return bed;
}
