// Keeps an identity on each person across frames, so a person standing in the
// waiting area for ten minutes is one visit of ten minutes and not six hundred
// detections. At 1–2 analysed frames per second people move up to a body
// width between frames, so IoU alone loses walkers: matching uses IoU and,
// failing that, the distance between the predicted and the detected centre
// measured in body heights. Greedy assignment by cost is enough for the
// handful of people a lobby camera sees.
import { centre, iou, type Box } from './geometry.ts';
import type { Detection } from './detector/model.ts';

export interface TrackerOptions {
  /** Detections needed before a track counts as a person (filters one-frame false positives). */
  minHits: number;
  /** Frames a track survives without a detection (people are missed for a frame now and then). */
  maxMisses: number;
  /** Largest centre jump between frames, in body heights, still taken as the same person. */
  maxJumpHeights: number;
}

export const DEFAULT_TRACKER: TrackerOptions = { minHits: 2, maxMisses: 2, maxJumpHeights: 1.2 };

export interface Track {
  id: number;
  box: Box;
  score: number;
  /** Centre velocity per second (normalised units), smoothed. */
  velocity: [number, number];
  hits: number;
  misses: number;
  confirmed: boolean;
  firstSeenS: number;
  lastSeenS: number;
}

export interface TrackerUpdate {
  /** Confirmed tracks seen in this frame or briefly missed. */
  active: Track[];
  /** Confirmed tracks that ended in this update (their person left or was lost). */
  ended: Track[];
}

export class Tracker {
  readonly #tracks: Track[] = [];
  #nextId = 1;
  #lastS: number | undefined;

  constructor(readonly options: TrackerOptions = DEFAULT_TRACKER) {}

  get tracks(): readonly Track[] {
    return this.#tracks;
  }

  update(detections: readonly Detection[], tS: number): TrackerUpdate {
    const dt = this.#lastS === undefined ? 0 : Math.max(0, tS - this.#lastS);
    this.#lastS = tS;
    const pairs: { t: number; d: number; cost: number }[] = [];
    this.#tracks.forEach((track, t) => {
      const predicted = predict(track, dt);
      const [px, py] = centre(predicted);
      const trackH = track.box[3] - track.box[1];
      detections.forEach((det, d) => {
        const overlap = iou(predicted, det.box);
        const [dx, dy] = centre(det.box);
        const height = Math.max(trackH, det.box[3] - det.box[1], 1e-3);
        const jump = Math.hypot(dx - px, dy - py) / height;
        // Very different sizes are different people (one near the camera, one far).
        const sizeRatio =
          Math.max(trackH, det.box[3] - det.box[1]) /
          Math.max(1e-3, Math.min(trackH, det.box[3] - det.box[1]));
        if (sizeRatio > 2) return;
        if (overlap >= 0.2) pairs.push({ t, d, cost: 1 - overlap });
        else if (jump <= this.options.maxJumpHeights) pairs.push({ t, d, cost: 1 + jump });
      });
    });
    pairs.sort((a, b) => a.cost - b.cost);
    const usedT = new Set<number>();
    const usedD = new Set<number>();
    for (const { t, d } of pairs) {
      if (usedT.has(t) || usedD.has(d)) continue;
      usedT.add(t);
      usedD.add(d);
      const track = this.#tracks[t]!;
      const det = detections[d]!;
      if (dt > 0) {
        const [ox, oy] = centre(track.box);
        const [nx, ny] = centre(det.box);
        const v: [number, number] = [(nx - ox) / dt, (ny - oy) / dt];
        track.velocity =
          track.hits === 1 ? v : [0.5 * track.velocity[0] + 0.5 * v[0], 0.5 * track.velocity[1] + 0.5 * v[1]];
      }
      track.box = det.box;
      track.score = det.score;
      track.hits++;
      track.misses = 0;
      track.lastSeenS = tS;
      if (track.hits >= this.options.minHits) track.confirmed = true;
    }
    const ended: Track[] = [];
    for (let t = this.#tracks.length - 1; t >= 0; t--) {
      if (usedT.has(t)) continue;
      const track = this.#tracks[t]!;
      track.misses++;
      track.box = predict(track, dt);
      const [cx, cy] = centre(track.box);
      const gone = cx < 0 || cx > 1 || cy < 0 || cy > 1; // walked out of the picture
      if (track.misses > this.options.maxMisses || !track.confirmed || gone) {
        this.#tracks.splice(t, 1);
        if (track.confirmed) ended.push(track);
      }
    }
    detections.forEach((det, d) => {
      if (usedD.has(d)) return;
      this.#tracks.push({
        id: this.#nextId++,
        box: det.box,
        score: det.score,
        velocity: [0, 0],
        hits: 1,
        misses: 0,
        confirmed: this.options.minHits <= 1,
        firstSeenS: tS,
        lastSeenS: tS,
      });
    });
    return { active: this.#tracks.filter((t) => t.confirmed), ended };
  }

  /** Ends every track (camera stopped): returns the confirmed ones. */
  flush(): Track[] {
    const ended = this.#tracks.filter((t) => t.confirmed);
    this.#tracks.length = 0;
    return ended;
  }
}

function predict(track: Track, dt: number): Box {
  // Dampened: a walker who stops should not be extrapolated out of the frame.
  const vx = track.velocity[0] * dt * 0.7;
  const vy = track.velocity[1] * dt * 0.7;
  const b = track.box;
  return [b[0] + vx, b[1] + vy, b[2] + vx, b[3] + vy];
}
