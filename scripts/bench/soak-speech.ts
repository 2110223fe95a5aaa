// The soak benchmark's conversation: domain sentences rendered once by espeak-ng
// (renderSpeech), spoken in turns by the three roles. Each role gets the whole
// timeline with the other roles' sentences muted, encoded to Opus RTP by ffmpeg,
// so every participant's microphone carries its own turns and silence between
// them, as in a real call. The generator loops these packets; the utterance
// times let the benchmark tell when each sentence ended on the wall clock.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '#common/paths';
import type { CallRole } from '#protocol/roles';
import { encodeOpusPackets } from '../../edge-node/src/transcription/eval/liveRun.ts';
import { renderSpeech, type RenderedUtterance } from '../../edge-node/src/transcription/eval/renderSpeech.ts';

const run = promisify(execFile);

export interface RoleTrack {
  role: CallRole;
  /** 20 ms Opus RTP packets of one pass of the conversation (this role's turns, silence elsewhere). */
  packets: Buffer[];
  /** One pass, ms (packets × 20). */
  loopMs: number;
  /** This role's sentences, ms from the start of a pass. */
  utterances: RenderedUtterance[];
}

export function domainSentences(): string[] {
  const file = path.join(repoRoot, 'test', 'fixtures', 'transcription', 'domain-sentences.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { sentences: string[] }).sentences;
}

/** Sentence i is spoken by roles[i mod roles.length]; returns one track per role. */
export async function renderConversation(sentences: string[], roles: CallRole[]): Promise<RoleTrack[]> {
  const speech = await renderSpeech(sentences, { gapMs: 1500, tailMs: 1500 });
  try {
    const tracks: RoleTrack[] = [];
    for (const [r, role] of roles.entries()) {
      const mine = speech.utterances.filter((_, i) => i % roles.length === r);
      const others = speech.utterances.filter((_, i) => i % roles.length !== r);
      const mute = others.map((u) => `between(t,${u.startMs / 1000},${u.endMs / 1000})`).join('+');
      const wav = path.join(path.dirname(speech.path), `${role}.wav`);
      await run('ffmpeg', ['-v', 'error', '-y', '-i', speech.path, '-af', `volume=0:enable='${mute}'`, wav]);
      const packets = await encodeOpusPackets(wav);
      tracks.push({ role, packets, loopMs: packets.length * 20, utterances: mine });
    }
    return tracks;
  } finally {
    speech.cleanup();
  }
}

/** A sentence as spoken on the wall clock: pass of the loop, index in the role's turns, end (epoch ms). */
export interface SpokenUtterance {
  key: string;
  endAt: number;
}

/**
 * The sentence of `track` (its speech clock started at `startAt`, epoch ms) that overlaps
 * [fromAt, toAt] most — what a final segment with those times transcribes — if any.
 */
export function matchUtterance(
  track: RoleTrack,
  startAt: number,
  fromAt: number,
  toAt: number,
): SpokenUtterance | undefined {
  let best: (SpokenUtterance & { overlap: number }) | undefined;
  const first = Math.max(0, Math.floor((fromAt - startAt) / track.loopMs) - 1);
  const last = Math.floor((toAt - startAt) / track.loopMs);
  for (let pass = first; pass <= last; pass++) {
    const base = startAt + pass * track.loopMs;
    for (const [index, u] of track.utterances.entries()) {
      const overlap = Math.min(toAt, base + u.endMs) - Math.max(fromAt, base + u.startMs);
      if (overlap > 0 && (!best || overlap > best.overlap))
        best = { key: `${pass}:${index}`, endAt: base + u.endMs, overlap };
    }
  }
  return best && { key: best.key, endAt: best.endAt };
}

/** How many sentences of `track` ended in (fromAt, toAt]: the finals a window should produce. */
export function utterancesEnded(track: RoleTrack, startAt: number, fromAt: number, toAt: number): number {
  let n = 0;
  for (let pass = Math.max(0, Math.floor((fromAt - startAt) / track.loopMs)); ; pass++) {
    const base = startAt + pass * track.loopMs;
    if (base > toAt) return n;
    for (const u of track.utterances) if (base + u.endMs > fromAt && base + u.endMs <= toAt) n++;
  }
}
