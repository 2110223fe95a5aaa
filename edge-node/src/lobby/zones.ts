// Per-zone occupancy from tracks: who is in each zone now, entries and exits,
// and how long each visit lasted. A person is in a zone when their feet (the
// bottom-centre of their box) are inside its floor polygon. A visit starts
// when a confirmed track is first seen inside (backdated to when the track was
// first detected, if it was born there) and ends when the track leaves the
// polygon or is lost; its length goes to the zone's dwell histogram.
import type { LobbyZone, ZoneDayStats, ZoneStats } from '#protocol/lobby';
import { Dwell, round1, type DwellState } from './dwell.ts';
import { footPoint, pointInPolygon } from './geometry.ts';
import type { Track, TrackerUpdate } from './tracker.ts';

export interface ZoneDayState {
  zoneId: string;
  entries: number;
  exits: number;
  dwell: DwellState;
}

interface Visit {
  enteredS: number;
  lastInS: number;
}

class ZoneState {
  readonly occupants = new Map<number, Visit>();
  entries = 0;
  exits = 0;
  dwell = new Dwell();
  constructor(readonly zone: LobbyZone) {}
}

export class ZoneCounter {
  readonly #zones: ZoneState[];
  /** Tracks already seen confirmed: a zone visit is backdated only on a track's first confirmed frame. */
  readonly #known = new Set<number>();
  #nowS = 0;

  constructor(zones: readonly LobbyZone[]) {
    this.#zones = zones.map((z) => new ZoneState(z));
  }

  update(update: TrackerUpdate, tS: number): void {
    this.#nowS = tS;
    for (const track of update.active) {
      // A briefly missed track keeps its zones (its box is only a prediction now).
      if (track.misses > 0) continue;
      const fresh = !this.#known.has(track.id);
      this.#known.add(track.id);
      const feet = footPoint(track.box);
      for (const state of this.#zones) {
        const inside = pointInPolygon(feet, state.zone.polygon);
        const visit = state.occupants.get(track.id);
        if (inside && !visit) {
          state.entries++;
          state.occupants.set(track.id, { enteredS: fresh ? track.firstSeenS : tS, lastInS: tS });
        } else if (inside && visit) {
          visit.lastInS = tS;
        } else if (!inside && visit) {
          this.#leave(state, track.id, visit);
        }
      }
    }
    for (const track of update.ended) this.end(track);
  }

  /** A track is gone: close its visits at the last time it was seen inside. */
  end(track: Track): void {
    for (const state of this.#zones) {
      const visit = state.occupants.get(track.id);
      if (visit) this.#leave(state, track.id, visit);
    }
    this.#known.delete(track.id);
  }

  #leave(state: ZoneState, id: number, visit: Visit): void {
    state.occupants.delete(id);
    state.exits++;
    state.dwell.add(visit.lastInS - visit.enteredS);
  }

  /**
   * Ends the day: returns its entries, exits and dwell, and starts the next
   * from zero. People in a zone at midnight stay in it; they count as entries
   * of the new day too (so entries − exits = people present, every day), and
   * their visit's full length goes to the day it ends in.
   */
  closeDay(): ZoneDayStats[] {
    return this.#zones.map((s) => {
      const day = {
        zoneId: s.zone.id,
        kind: s.zone.kind,
        entries: s.entries,
        exits: s.exits,
        dwell: s.dwell.toJSON(),
      };
      s.entries = s.occupants.size;
      s.exits = 0;
      s.dwell = new Dwell(s.dwell.boundsS);
      return day;
    });
  }

  /**
   * The day's counters, for the state file. Visits still open are left out of
   * `entries`: after a restart nobody is known to be inside, and whoever still
   * is counts as an entry when the restarted edge sees them, so entries − exits
   * stays the number of people present.
   */
  dayState(): ZoneDayState[] {
    return this.#zones.map((s) => ({
      zoneId: s.zone.id,
      entries: s.entries - s.occupants.size,
      exits: s.exits,
      dwell: s.dwell.toState(),
    }));
  }

  /** Carries on a saved day (before any frame): zones matched by id; a zone added since starts from zero. */
  restoreDay(saved: readonly ZoneDayState[]): void {
    for (const state of this.#zones) {
      const z = saved.find((x) => x.zoneId === state.zone.id);
      if (!z) continue;
      state.entries += z.entries;
      state.exits += z.exits;
      // Histogram buckets changed by an upgrade: the counts are kept, the day's dwell starts again.
      if (z.dwell.counts.length === state.dwell.counts.length)
        state.dwell = Dwell.fromState(state.dwell.boundsS, z.dwell);
    }
  }

  stats(): ZoneStats[] {
    return this.#zones.map((s) => {
      const waits = [...s.occupants.values()].map((v) => this.#nowS - v.enteredS);
      return {
        zoneId: s.zone.id,
        kind: s.zone.kind,
        count: s.occupants.size,
        entries: s.entries,
        exits: s.exits,
        currentWaitS: waits.length ? round1(waits.reduce((a, b) => a + b, 0) / waits.length) : null,
        maxWaitS: waits.length ? round1(Math.max(...waits)) : null,
        dwell: s.dwell.toJSON(),
      };
    });
  }
}
