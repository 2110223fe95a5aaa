// The ffmpeg command for a composite rendition of a window of a call: every
// participant's video side by side on a black canvas (a tile per participant
// and source, labelled with the role — never a name), every audio track mixed,
// and a bar with the call id and the UTC time of the frame burned in. Each
// track's segments are joined with the concat demuxer, each segment placed by
// its recorded media time (the `duration` of segment i is start(i+1) − start(i)),
// so nothing accumulates over a long call; the track is then shifted to its
// place on the call's timeline (timeline.ts). Pure: builds files and arguments.
import path from 'node:path';
import type { CallRole } from '#protocol/roles';

export interface CompositeSegment {
  /** Plaintext segment in the spool. */
  path: string;
  startS: number;
  endS: number;
}

export interface CompositeTrack {
  track: string;
  participantId: string;
  role: CallRole;
  kind: 'audio' | 'video';
  source: string;
  /** Call time (s) of the track file's time 0. */
  startS: number;
  segments: CompositeSegment[];
}

export interface CompositeSpec {
  callId: string;
  /** Epoch ms of call time 0. */
  callStartedAt: number;
  /** Call-time window to render, seconds. */
  fromS: number;
  toS: number;
  tile: { width: number; height: number };
  fps: number;
  preset: string;
  fontFile?: string;
  output: string;
  /** Directory for the concat lists and text files. */
  workDir: string;
}

export interface CompositePlan {
  args: string[];
  files: { path: string; content: string }[];
  slots: { participantId: string; role: CallRole; source: string }[];
}

const BAR = 28;
const ROLE_ORDER: CallRole[] = ['customer', 'manager', 'expert', 'observer'];

function quote(p: string): string {
  return `'${p.replace(/'/g, "'\\''")}'`;
}

/** Escapes a value for use inside a filtergraph option. */
function filterPath(p: string): string {
  return p.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/'/g, "\\'").replace(/,/g, '\\,');
}

function concatList(segments: CompositeSegment[]): string {
  const lines = ['ffconcat version 1.0'];
  segments.forEach((s, i) => {
    lines.push(`file ${quote(s.path)}`);
    const next = segments[i + 1];
    // Place the next file exactly where its media time says; the last one runs to its end.
    if (next) lines.push(`duration ${(next.startS - s.startS).toFixed(6)}`);
  });
  return `${lines.join('\n')}\n`;
}

function font(spec: CompositeSpec): string {
  return spec.fontFile ? `fontfile=${filterPath(spec.fontFile)}` : 'font=Sans';
}

export function buildComposite(spec: CompositeSpec, allTracks: CompositeTrack[]): CompositePlan {
  const dur = Math.max(0.1, spec.toS - spec.fromS);
  const tracks = allTracks
    .map((t) => ({
      ...t,
      segments: t.segments.filter((s) => t.startS + s.endS > spec.fromS && t.startS + s.startS < spec.toS),
    }))
    .filter((t) => t.segments.length > 0);

  // Tiles: one per participant and video source, customers first.
  const slots: CompositePlan['slots'] = [];
  for (const t of tracks.filter((x) => x.kind === 'video')) {
    if (!slots.some((s) => s.participantId === t.participantId && s.source === t.source))
      slots.push({ participantId: t.participantId, role: t.role, source: t.source });
  }
  slots.sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
  const n = Math.max(1, slots.length);
  const cols = Math.min(n, 3);
  const rows = Math.ceil(n / cols);
  const { width: tw, height: th } = spec.tile;
  const W = cols * tw;
  const H = rows * th + BAR;

  const files: CompositePlan['files'] = [];
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  const graph: string[] = [];
  graph.push(`color=c=black:s=${W}x${H}:r=${spec.fps}:d=${dur.toFixed(3)}[base0]`);
  let base = 'base0';
  const audioLabels: string[] = [];

  tracks.forEach((t, k) => {
    const list = path.join(spec.workDir, `input-${k}.ffconcat`);
    files.push({ path: list, content: concatList(t.segments) });
    args.push('-f', 'concat', '-safe', '0', '-i', list);
    // Concat output time 0 = the first listed segment's start; where that lands in the window:
    const at = t.startS + t.segments[0]!.startS - spec.fromS;
    if (t.kind === 'video') {
      const slot = slots.findIndex((s) => s.participantId === t.participantId && s.source === t.source);
      const x = (slot % cols) * tw;
      const y = Math.floor(slot / cols) * th;
      const place =
        at >= 0
          ? `setpts=PTS-STARTPTS+${at.toFixed(6)}/TB`
          : `trim=start=${(-at).toFixed(6)},setpts=PTS-STARTPTS`;
      graph.push(
        `[${k}:v]${place},scale=${tw}:${th}:force_original_aspect_ratio=decrease,pad=${tw}:${th}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[v${k}]`,
      );
      graph.push(`[${base}][v${k}]overlay=x=${x}:y=${y}:eof_action=pass[base${k + 1}]`);
      base = `base${k + 1}`;
    } else {
      const place =
        at >= 0
          ? `asetpts=PTS-STARTPTS,aresample=48000:async=1,adelay=${Math.round(at * 1000)}:all=1`
          : `atrim=start=${(-at).toFixed(6)},asetpts=PTS-STARTPTS,aresample=48000:async=1`;
      graph.push(`[${k}:a]${place},aformat=sample_rates=48000:channel_layouts=stereo[a${k}]`);
      audioLabels.push(`[a${k}]`);
    }
  });

  // Role labels per tile, then the call id and the frame's UTC time.
  const labels = slots.map((s, i) => {
    const file = path.join(spec.workDir, `label-${i}.txt`);
    files.push({ path: file, content: s.source === 'camera' ? s.role : `${s.role} (${s.source})` });
    return `drawtext=${font(spec)}:textfile=${filterPath(file)}:x=${(i % cols) * tw + 6}:y=${Math.floor(i / cols) * th + 6}:fontsize=16:fontcolor=white:box=1:boxcolor=black@0.5`;
  });
  const stampFile = path.join(spec.workDir, 'stamp.txt');
  const epoch = (spec.callStartedAt / 1000 + spec.fromS).toFixed(3);
  // %{pts:gmtime:…} prints the wall time of the frame (epoch + pts); colons in the format are escaped for drawtext.
  files.push({
    path: stampFile,
    content: `call ${spec.callId}   %{pts:gmtime:${epoch}:%Y-%m-%d %H\\:%M\\:%S} UTC`,
  });
  graph.push(
    `[${base}]${[...labels, `drawtext=${font(spec)}:textfile=${filterPath(stampFile)}:x=8:y=${H - BAR + 6}:fontsize=16:fontcolor=white`].join(',')},format=yuv420p[vout]`,
  );
  if (audioLabels.length > 0) {
    graph.push(
      `${audioLabels.join('')}amix=inputs=${audioLabels.length}:duration=longest:normalize=0,apad,atrim=0:${dur.toFixed(3)}[aout]`,
    );
  } else {
    graph.push(`anullsrc=r=48000:cl=stereo,atrim=0:${dur.toFixed(3)}[aout]`);
  }
  args.push(
    '-filter_complex',
    graph.join(';'),
    '-map',
    '[vout]',
    '-map',
    '[aout]',
    '-c:v',
    'libx264',
    '-preset',
    spec.preset,
    '-crf',
    '30',
    '-g',
    String(spec.fps * 2),
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    '-t',
    dur.toFixed(3),
    '-movflags',
    '+faststart',
    spec.output,
  );
  return { args, files, slots };
}
