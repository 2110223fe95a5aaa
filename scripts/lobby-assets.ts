// Test and benchmark footage for the lobby analytics, taken from a Debian
// package rather than committed: OpenCV's sample clip `vtest.avi` (people
// walking across a concourse, 768×576, 10 fps, 79.5 s; Apache-2.0/BSD-3-Clause,
// shipped in Debian's `opencv-doc`). Uses the installed file when the package
// is installed, else fetches the .deb with `apt-get download` and unpacks just
// that file. Idempotent; checks the SHA-256.
//
// From it, `renderScriptedLobby` renders a clip with an exact ground truth: the
// concourse emptied (per-pixel median of many frames) and real people cut from
// vtest pasted where and when SCRIPT says — someone waiting 30 s, someone at
// the counter for 40 s, a passer-by, someone standing outside every zone.
//
//   npx tsx scripts/lobby-assets.ts      → prints the paths of both clips
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { varDir } from '#common/paths';

export const VTEST_SHA256 = '45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf';
const INSTALLED = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const IN_DEB = 'usr/share/doc/opencv-doc/examples/data/vtest.avi';

export const lobbyAssetDir = path.join(varDir, 'lobby');

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Path of a verified copy of vtest.avi, fetching it once if needed. */
export function ensureVtest(): string {
  const target = path.join(lobbyAssetDir, 'vtest.avi');
  if (existsSync(target) && sha256(target) === VTEST_SHA256) return target;
  mkdirSync(lobbyAssetDir, { recursive: true });
  // Test files may ask for the clip at the same time: each writes its own copy, then renames it into place (atomic).
  const staged = `${target}.${process.pid}.tmp`;
  if (existsSync(INSTALLED) && sha256(INSTALLED) === VTEST_SHA256) {
    copyFileSync(INSTALLED, staged);
  } else {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'lobby-assets-'));
    try {
      // apt drops privileges to _apt for downloads: give it a folder it may write.
      execFileSync('chmod', ['777', tmp]);
      const download = () =>
        execFileSync('apt-get', ['download', 'opencv-doc'], {
          cwd: tmp,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      try {
        download();
      } catch {
        // A fresh machine may have no package lists yet.
        execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'pipe'] });
        download();
      }
      const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
      if (!deb) throw new Error('apt-get download opencv-doc produced no .deb');
      execFileSync('dpkg-deb', ['-x', path.join(tmp, deb), path.join(tmp, 'x')]);
      copyFileSync(path.join(tmp, 'x', IN_DEB), staged);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const got = sha256(staged);
  if (got !== VTEST_SHA256) {
    rmSync(staged, { force: true });
    throw new Error(`vtest.avi checksum mismatch: ${got}`);
  }
  renameSync(staged, target);
  return target;
}

const W = 768;
const H = 576;

/** One frame of vtest.avi at `second`, as raw RGB. */
function vtestFrame(vtest: string, second: number): Buffer {
  return execFileSync(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-ss',
      String(second),
      '-i',
      vtest,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    {
      maxBuffer: W * H * 4,
    },
  );
}

/** The concourse without people: the per-pixel median of 21 frames spread over the clip. */
function emptyConcourse(vtest: string): Buffer {
  const frames = execFileSync(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-i',
      vtest,
      '-vf',
      'fps=0.26',
      '-frames:v',
      '21',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    {
      maxBuffer: W * H * 3 * 22,
    },
  );
  const n = Math.floor(frames.length / (W * H * 3));
  const out = Buffer.alloc(W * H * 3);
  const v = new Uint8Array(n);
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < n; k++) v[k] = frames[k * out.length + i]!;
    v.sort();
    out[i] = v[n >> 1]!;
  }
  return out;
}

/** People cut from vtest: [second, left, top, width, height] in 768×576 pixels. */
const SPRITES = {
  red: [45, 526, 222, 64, 113],
  dark: [45, 315, 195, 45, 100],
  grass: [60, 290, 416, 90, 160],
} as const;

export interface ScriptedPerson {
  id: string;
  sprite: keyof typeof SPRITES;
  /** Visible during [fromS, toS). */
  fromS: number;
  toS: number;
  /** Feet position (pixels) at fromS and at toS; linear in between. */
  from: [number, number];
  to: [number, number];
}

/**
 * The scripted lobby (zones as in test/fixtures/lobby/vtest.json):
 * `waiter` stands in the waiting zone 2–32 s, `clerk` at the counter 10–50 s,
 * `passer` walks through the waiting zone 20–28 s, `outsider` stands on the
 * grass, in no zone, for the whole minute.
 */
export const SCRIPT: ScriptedPerson[] = [
  { id: 'waiter', sprite: 'red', fromS: 2, toS: 32, from: [200, 262], to: [204, 262] },
  { id: 'clerk', sprite: 'dark', fromS: 10, toS: 50, from: [600, 300], to: [597, 301] },
  { id: 'passer', sprite: 'dark', fromS: 20, toS: 28, from: [250, 200], to: [380, 290] },
  { id: 'outsider', sprite: 'grass', fromS: 0, toS: 60, from: [150, 500], to: [153, 500] },
];
export const SCRIPT_DURATION_S = 60;
const SCRIPT_FPS = 5;

/** Renders (once) var/lobby/scripted.mp4 from SCRIPT; returns its path. */
export async function renderScriptedLobby(): Promise<string> {
  const target = path.join(lobbyAssetDir, 'scripted.mp4');
  if (existsSync(target)) return target;
  const vtest = ensureVtest();
  const background = emptyConcourse(vtest);
  const sprites = new Map<string, { png: Buffer; w: number; h: number }>();
  for (const [name, [second, left, top, width, height]] of Object.entries(SPRITES)) {
    const frame = vtestFrame(vtest, second);
    const png = await sharp(frame, { raw: { width: W, height: H, channels: 3 } })
      .extract({ left, top, width, height })
      .png()
      .toBuffer();
    sprites.set(name, { png, w: width, h: height });
  }
  const tmp = `${target}.${process.pid}.tmp.mp4`;
  const ff = spawn(
    'ffmpeg',
    [
      '-y',
      '-loglevel',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${W}x${H}`,
      '-r',
      String(SCRIPT_FPS),
      '-i',
      'pipe:0',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '18',
      '-pix_fmt',
      'yuv420p',
      tmp,
    ],
    {
      stdio: ['pipe', 'ignore', 'inherit'],
    },
  );
  const closed = new Promise<number | null>((resolve) => ff.once('close', resolve));
  for (let i = 0; i < SCRIPT_DURATION_S * SCRIPT_FPS; i++) {
    const t = i / SCRIPT_FPS;
    // Nearer people (feet lower in the image) are drawn last, over farther ones.
    const layers = SCRIPT.filter((p) => t >= p.fromS && t < p.toS)
      .sort((a, b) => a.from[1] - b.from[1])
      .map((p) => {
        const f = (t - p.fromS) / (p.toS - p.fromS);
        const sprite = sprites.get(p.sprite)!;
        const fx = p.from[0] + f * (p.to[0] - p.from[0]);
        const fy = p.from[1] + f * (p.to[1] - p.from[1]);
        return { input: sprite.png, left: Math.round(fx - sprite.w / 2), top: Math.round(fy - sprite.h) };
      });
    const frame = await sharp(background, { raw: { width: W, height: H, channels: 3 } })
      .composite(layers)
      .removeAlpha()
      .raw()
      .toBuffer();
    if (!ff.stdin.write(frame)) await new Promise((r) => ff.stdin.once('drain', r));
  }
  ff.stdin.end();
  if ((await closed) !== 0) throw new Error('ffmpeg failed to encode the scripted lobby');
  renameSync(tmp, target);
  return target;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureVtest());
  console.log(await renderScriptedLobby());
}
