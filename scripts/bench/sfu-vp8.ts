// Real VP8 for the synthetic publishers, where the receiving side decodes: the
// soak benchmark's edge records the cameras and samples frames for analysis
// (ffmpeg decoding), which filler bytes would only make fail. Each simulcast
// layer of PROFILE is encoded once by ffmpeg (libvpx, a moving test pattern,
// key frames on PROFILE's interval) into IVF, cached in var/test-media, and
// read back as frames; the generator packetizes them (StreamBuilder) and
// loops them, so the loop must be a whole number of key-frame intervals.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { varDir } from '#common/paths';
import { PROFILE } from './sfu-media.ts';

/** Target bitrate per layer (kbit/s): about PROFILE's 1.2 Mbit/s in all. */
const LAYER_KBPS = [150, 400, 650];

/** The frames of an IVF file (32-byte file header, then a 12-byte header before each frame). */
export function ivfFrames(ivf: Buffer): Buffer[] {
  if (ivf.toString('latin1', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const frames: Buffer[] = [];
  for (let at = ivf.readUInt16LE(6); at + 12 <= ivf.length;) {
    const size = ivf.readUInt32LE(at);
    frames.push(ivf.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

/** `seconds` (a multiple of the key-frame interval) of VP8 per simulcast layer, lowest first. */
export function vp8SimulcastFrames(seconds = 10): Buffer[][] {
  const { fps, keyFrameIntervalS, layers } = PROFILE.video;
  if (seconds % keyFrameIntervalS) throw new Error(`loop of ${seconds} s is not whole key-frame intervals`);
  const dir = path.join(varDir, 'test-media');
  mkdirSync(dir, { recursive: true });
  return layers.map((layer, i) => {
    const file = path.join(dir, `bench-vp8-${layer.width}x${layer.height}-${fps}fps-${seconds}s.ivf`);
    if (!existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      // prettier-ignore
      execFileSync('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-y',
        '-f', 'lavfi', '-i', `testsrc2=size=${layer.width}x${layer.height}:rate=${fps}`, '-t', String(seconds),
        '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', `${LAYER_KBPS[i]}k`,
        '-g', String(fps * keyFrameIntervalS), '-keyint_min', String(fps * keyFrameIntervalS), '-auto-alt-ref', '0',
        '-f', 'ivf', tmp,
      ]);
      renameSync(tmp, file);
    }
    const frames = ivfFrames(readFileSync(file));
    if (frames.length !== seconds * fps)
      throw new Error(`${file}: ${frames.length} frames, expected ${seconds * fps}`);
    return frames;
  });
}
