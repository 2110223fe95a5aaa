// What the manager's and the expert's call pages share: camera and mic
// published into a session, the room's state, muting, and the call's record
// (product, risk level, status) from the cloud, kept current while a cloud
// socket is there to push `call:updated`.
import { useCallback, useEffect, useState } from 'react';
import type { Call } from '#protocol/api';
import { authedFetch } from '../lib/auth.ts';
import type { CloudClient } from '../lib/CloudClient.ts';
import type { RoomClient } from '../lib/RoomClient.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { useCallSession } from './useCallSession.ts';
import { setSourceMuted, useCameraAndMic } from './useMedia.ts';
import { useRoom } from './useRoom.ts';

export function useCallRecord(callId: string, cloud?: CloudClient): Call | undefined {
  const [call, setCall] = useState<Call>();
  useEffect(() => {
    void authedFetch<Call>(`/calls/${encodeURIComponent(callId)}`).then(setCall, () => undefined);
  }, [callId]);
  useEffect(() => cloud?.listen('call:updated', (c) => c.id === callId && setCall(c)), [cloud, callId]);
  return call;
}

export function useStaffCall(callId: string, join: () => RoomClient) {
  const { t } = useI18n();
  const media = useCameraAndMic(true);
  const stream = media.stream ?? (media.error ? undefined : null);
  const { room, store, error } = useCallSession(join, callId, stream);
  const view = useRoom(room);
  const [micMuted, setMicMuted] = useState(false);
  const toggleMic = useCallback(() => {
    if (!room) return;
    void setSourceMuted(room, media.stream, 'mic', !micMuted);
    setMicMuted(!micMuted);
  }, [room, media.stream, micMuted]);
  return {
    media,
    room,
    store,
    view,
    micMuted,
    toggleMic,
    /** A join failure, else a camera/microphone failure, as a sentence. */
    error: error ?? (media.error ? t('media.error', { error: media.error }) : undefined),
  };
}
