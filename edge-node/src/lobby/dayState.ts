// The lobby's day so far, on the edge's disk: so that an edge restarted during
// the day carries on counting it instead of starting from zero, and a day that
// was still open when the edge went down is closed (and reported) when it
// comes back. Aggregates only — counts, dwell times, heat-map seconds — never
// frames or tracks. Written atomically; a file that does not parse, or is for
// another branch, edge or time zone, is set aside with a warning.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomically } from '#common/files';
import type { Logger } from '#common/logger';

const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative().finite();

export const LobbyDayState = z.object({
  version: z.literal(1),
  branchId: z.string(),
  edgeId: z.string(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  timeZone: z.string(),
  startedAt: z.number().int(),
  savedAt: z.number().int(),
  cameras: z.array(
    z.object({
      cameraId: z.string(),
      zones: z.array(
        z.object({
          zoneId: z.string(),
          entries: count,
          exits: count,
          dwell: z.object({
            counts: z.array(count),
            visits: count,
            sumS: seconds,
            recent: z.array(seconds),
            next: count,
          }),
        }),
      ),
      heatmap: z.object({ cols: count, rows: count, totalS: seconds, cells: z.array(seconds) }),
    }),
  ),
});
export type LobbyDayState = z.infer<typeof LobbyDayState>;

export function writeDayState(file: string, state: LobbyDayState): void {
  writeFileAtomically(file, JSON.stringify(state));
}

/**
 * The saved day, if there is one for this branch, edge and time zone. Anything
 * else is moved aside (`<file>.rejected`) and logged: it is not counted, and
 * the next save does not overwrite the evidence.
 */
export function readDayState(
  file: string,
  expect: { branchId: string; edgeId: string; timeZone: string },
  logger: Logger,
): LobbyDayState | undefined {
  if (!existsSync(file)) return undefined;
  let reason: string;
  try {
    const parsed = LobbyDayState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) reason = `not a lobby day state: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
    else if (parsed.data.branchId !== expect.branchId || parsed.data.edgeId !== expect.edgeId)
      reason = `saved by ${parsed.data.edgeId}@${parsed.data.branchId}`;
    else if (parsed.data.timeZone !== expect.timeZone)
      reason = `counted in time zone ${parsed.data.timeZone}, the branch is now in ${expect.timeZone}`;
    else return parsed.data;
  } catch (err) {
    reason = `unreadable: ${(err as Error).message}`;
  }
  setAside(file, reason, 'saved lobby day not used; counting from zero', logger);
  return undefined;
}

/**
 * A lobby file that cannot be used, renamed to `<file>.rejected` so that the
 * next write does not destroy the evidence, and logged with why. A failed
 * rename is logged too, never fatal: the edge goes on without the file.
 */
export function setAside(file: string, reason: string, what: string, logger: Logger): void {
  const aside = `${file}.rejected`;
  try {
    renameSync(file, aside);
    logger.warn({ module: 'lobby', file, movedTo: aside, reason }, what);
  } catch (err) {
    logger.error({ module: 'lobby', file, reason, err }, `${what} (and it could not be set aside)`);
  }
}
