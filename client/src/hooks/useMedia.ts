// Camera + microphone for a call, released when the view goes away.
import { useEffect, useState } from 'react';

export function useCameraAndMic(enabled: boolean): { stream: MediaStream | null; error?: string } {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    let got: MediaStream | undefined;
    navigator.mediaDevices
      .getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true },
        video: { width: 1280, height: 720 },
      })
      .then((s) => {
        got = s;
        if (cancelled) s.getTracks().forEach((t) => t.stop());
        else setStream(s);
      })
      .catch((err: Error) => !cancelled && setError(err.message));
    return () => {
      cancelled = true;
      got?.getTracks().forEach((t) => t.stop());
      setStream(null);
    };
  }, [enabled]);
  return { stream, ...(error ? { error } : {}) };
}

/** Mute toggles that also pause the producer on the edge (no bytes sent while muted). */
export async function setSourceMuted(
  room: { setMuted(s: 'mic' | 'camera', m: boolean): Promise<void> },
  stream: MediaStream | null,
  source: 'mic' | 'camera',
  muted: boolean,
): Promise<void> {
  (source === 'mic' ? stream?.getAudioTracks() : stream?.getVideoTracks())?.forEach(
    (t) => (t.enabled = !muted),
  );
  await room.setMuted(source, muted).catch(() => undefined);
}
