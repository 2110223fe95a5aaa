// The customer's call screen: large video (the expert, or whatever the expert
// is marking up), big buttons, network quality, and a clear message while the
// connection is being restored. The accepted consent is sent into the call.
import { useEffect, useMemo, useState } from 'react';
import type { z } from 'zod';
import type { RedeemInviteResponse } from '#protocol/api';
import { CallLayout, stageFor } from '../../components/CallLayout.tsx';
import { targetKey, type Target } from '../../lib/annotations/model.ts';
import { deviceKind, directRoom } from '../../lib/joinCall.ts';
import { useCallSession } from '../../hooks/useCallSession.ts';
import { useAnnotations } from '../../hooks/useAnnotations.ts';
import { setSourceMuted } from '../../hooks/useMedia.ts';
import { useRoom } from '../../hooks/useRoom.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import type { ConsentRecord } from './ConsentStep.tsx';

const CONSENT_RESEND_MS = [1500, 5000];

export function CustomerCall({
  redeemed,
  consent,
  stream,
  onEnded,
}: {
  redeemed: z.infer<typeof RedeemInviteResponse>;
  consent: ConsentRecord;
  stream: MediaStream;
  onEnded: () => void;
}) {
  const { t } = useI18n();
  const { room, store, error } = useCallSession(
    () =>
      directRoom(redeemed.callId, async () => redeemed.token, {
        displayName: redeemed.displayName,
        device: deviceKind(),
      }),
    redeemed.callId,
    stream,
  );
  const view = useRoom(room);
  const annotations = useAnnotations(store);
  const [micMuted, setMicMuted] = useState(false);
  const [camOff, setCamOff] = useState(false);

  // The consent goes into the call (chat channel → the call's recording) on every (re)join. A data
  // channel reaches a receiver only once its SCTP association is up, which its first data consumer
  // starts, so the record is sent twice after opening the channel (receivers keep one per id).
  useEffect(() => {
    if (!room || view.state !== 'joined') return;
    const timers: Array<ReturnType<typeof setTimeout>> = [];
    void room.openData('chat').then(
      () =>
        CONSENT_RESEND_MS.forEach((ms) =>
          timers.push(setTimeout(() => void room.sendData('chat', consent).catch(() => undefined), ms)),
        ),
      () => undefined,
    );
    return () => timers.forEach(clearTimeout);
  }, [room, view.state, consent]);

  useEffect(() => {
    if (view.state === 'ended') onEnded();
  }, [view.state, onEnded]);

  const marked = useMemo<Target | undefined>(() => {
    // Only marks on videos that exist now (after a reconnection everyone has a new peer id).
    const present = new Set([room?.peerId, ...view.peers.map((p) => p.peerId)]);
    const keys = [
      ...Object.keys(annotations.frozen),
      ...annotations.items.map((a) => targetKey(a.target)).reverse(),
    ].filter((k) => present.has(k.split('/')[0]));
    const key = keys[0];
    if (!key) return undefined;
    const [peerId, source] = key.split('/') as [string, 'camera' | 'screen'];
    return { peerId, source };
  }, [annotations, room?.peerId, view.peers]);

  if (!room) return <p className="centered big-text">{t('state.connecting')}</p>;
  const expert = view.peers.find((p) => p.role === 'expert');
  const manager = view.peers.find((p) => p.role === 'manager');
  const main =
    marked ??
    (expert
      ? { peerId: expert.peerId, source: 'camera' as const }
      : manager
        ? { peerId: manager.peerId, source: 'camera' as const }
        : undefined);
  const stage = main ? stageFor(main, room, view.peers, view.tracks, t('call.yourCamera')) : undefined;

  return (
    <div className="call-page customer-call">
      {error && (
        <p className="error big-text" role="alert">
          {t('customer.connectError')}
        </p>
      )}
      <CallLayout
        className="simple"
        room={room}
        {...view}
        stage={stage}
        store={store}
        self={{ name: redeemed.displayName, video: stream.getVideoTracks()[0] }}
        banner={
          view.state === 'reconnecting' ? (
            <p className="reconnect-banner" role="alert">
              {t('customer.reconnecting')}
            </p>
          ) : undefined
        }
        controls={
          <>
            <button
              type="button"
              className="big secondary"
              aria-pressed={micMuted}
              onClick={() => {
                void setSourceMuted(room, stream, 'mic', !micMuted);
                setMicMuted(!micMuted);
              }}
            >
              {micMuted ? t('call.unmute') : t('call.mute')}
            </button>
            <button
              type="button"
              className="big secondary"
              aria-pressed={camOff}
              onClick={() => {
                void setSourceMuted(room, stream, 'camera', !camOff);
                setCamOff(!camOff);
              }}
            >
              {camOff ? t('call.cameraOn') : t('call.cameraOff')}
            </button>
            <button type="button" className="big leave" onClick={() => void room.leave()}>
              {t('call.leave')}
            </button>
          </>
        }
      />
    </div>
  );
}
