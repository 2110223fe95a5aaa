// Owns a RoomClient for the lifetime of a call view: publishes the given media,
// joins, exposes the room for tests, leaves when the view goes away. Also the
// call's annotation store. Created inside the effect so React's development
// double-mount gets two clean sessions rather than a half-left one.
import { useEffect, useRef, useState } from 'react';
import { AnnotationStore } from '../lib/annotations/AnnotationStore.ts';
import { expose } from '../lib/debug.ts';
import type { RoomClient } from '../lib/RoomClient.ts';

export interface CallSession {
  room: RoomClient;
  store: AnnotationStore;
}

/**
 * `key`: null = not yet (e.g. no call chosen); a change starts a new session.
 * `stream`: null = media not ready yet (wait); undefined = receive-only.
 */
export function useCallSession(
  make: () => RoomClient,
  key: string | null,
  stream: MediaStream | null | undefined,
) {
  const makeRef = useRef(make);
  makeRef.current = make;
  const [session, setSession] = useState<CallSession>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (key === null || stream === null) return;
    const room = makeRef.current();
    const store = new AnnotationStore(room);
    setSession({ room, store });
    setError(undefined);
    expose(room, store);
    let left = false;
    void (async () => {
      if (stream) {
        const [audio] = stream.getAudioTracks();
        const [video] = stream.getVideoTracks();
        if (audio) await room.publish('mic', audio);
        if (video) await room.publish('camera', video);
      }
      await room.join();
    })().catch((err: Error) => !left && setError(err.message));
    return () => {
      left = true;
      store.dispose();
      void room.leave();
    };
  }, [key, stream]);
  return { ...session, error };
}
