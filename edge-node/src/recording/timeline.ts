// Where each recorded track sits on the call's timeline. A track file's time 0
// is its first RTP packet. The sender's RTCP SR maps its RTP clock to its own
// wall clock (NTP), the same for its audio and video, so a participant's tracks
// are aligned through the sender's clock exactly as a WebRTC receiver lip-syncs;
// the offset between that clock and the edge's comes from arrival times,
// averaged over the participant's tracks. Tracks without an SR fall back to the
// arrival time of their first packet.
import type { TrackTiming } from '#protocol/archive';

export interface TimedTrack {
  track: string;
  participantId: string;
  timing?: TrackTiming;
}

/** Sender wall clock (epoch ms) of the track's first packet, from the SR. */
export function senderTimeOfFirst(t: TrackTiming): number | undefined {
  if (!t.sr) return undefined;
  const delta = (t.firstRtpTs - t.sr.rtpTs) | 0; // 32-bit RTP wrap-around
  return t.sr.ntpMs + (delta * 1000) / t.clockRate;
}

/** Call-time (ms from `callStartedAt`) of each track's time 0; undefined for tracks that never got a packet. */
export function trackStarts(tracks: TimedTrack[], callStartedAt: number): Map<string, number | undefined> {
  // Group each participant's SR-timed tracks by sender clock (a rejoin from another device has another clock).
  const clocks = new Map<string, { offsets: number[]; mean: number }[]>();
  const clockOf = new Map<string, { offsets: number[]; mean: number }>();
  for (const t of tracks) {
    const sender = t.timing && senderTimeOfFirst(t.timing);
    if (sender === undefined || !t.timing) continue;
    const offset = t.timing.firstArrivalMs - sender;
    const groups = clocks.get(t.participantId) ?? [];
    let group = groups.find((g) => Math.abs(g.mean - offset) < 1000);
    if (!group) {
      group = { offsets: [], mean: offset };
      groups.push(group);
    }
    group.offsets.push(offset);
    group.mean = group.offsets.reduce((a, b) => a + b, 0) / group.offsets.length;
    clocks.set(t.participantId, groups);
    clockOf.set(t.track, group);
  }
  const starts = new Map<string, number | undefined>();
  for (const t of tracks) {
    if (!t.timing) {
      starts.set(t.track, undefined);
      continue;
    }
    const sender = senderTimeOfFirst(t.timing);
    const group = clockOf.get(t.track);
    const wall = sender !== undefined && group ? sender + group.mean : t.timing.firstArrivalMs;
    starts.set(t.track, wall - callStartedAt);
  }
  return starts;
}

/** NTP timestamp (RTCP SR) → epoch ms. */
export function ntpToEpochMs(ntpSec: number, ntpFrac: number): number {
  return (ntpSec - 2_208_988_800) * 1000 + (ntpFrac / 2 ** 32) * 1000;
}
