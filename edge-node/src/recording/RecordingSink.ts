// What a recorder needs from the archive (implemented by CallArchive): keep
// tracks, their timing, segments and gaps in the call's manifest, and raise
// alerts. Separate so recorders do not depend on storage details.
import type { TrackTiming } from '#protocol/archive';
import type { CallRole } from '#protocol/roles';

export interface RecordingAlert {
  callId: string;
  type: 'recording.gap' | 'recording.failed';
  reason: string;
  track?: string;
  /** Call time, ms. */
  atMs: number;
  detail?: string;
}

export interface RecordingSink {
  addTrack(
    callId: string,
    t: {
      track: string;
      participantId: string;
      role: CallRole;
      kind: 'audio' | 'video';
      source: string;
      codec: string;
    },
  ): Promise<void>;
  addTiming(callId: string, track: string, timing: TrackTiming): Promise<void>;
  /** Encrypts and lists a finished segment; throws DiskFullError (or any write error) when it cannot. */
  addSegment(
    callId: string,
    s: { track: string; index: number; spoolFile: string; startS: number; endS: number; salvaged?: boolean },
  ): Promise<void>;
  addGap(
    callId: string,
    g: {
      track?: string;
      fromMs: number;
      toMs?: number;
      reason:
        'recorder-crashed' | 'disk-full' | 'write-failed' | 'room-rebuilt' | 'edge-restarted' | 'no-media';
      detail?: string;
    },
  ): Promise<void>;
  alert(alert: RecordingAlert): void;
}
