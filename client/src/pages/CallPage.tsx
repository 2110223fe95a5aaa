// The bare call screen (`/call?edge=<edge url>&token=<join token>&name=<display name>`):
// joins the edge room with a join token minted elsewhere, publishes camera and
// microphone (unless `receiveOnly=1`), and shows everyone. Used by booths, by
// support, and by the end-to-end tests, which read `window.__branchedge.room`.
import { useMemo, useState } from 'react';
import { CallLayout, stageFor } from '../components/CallLayout.tsx';
import { AlertsPanel, ChecklistPanel, TranscriptPanel } from '../components/FeedPanels.tsx';
import { RoomClient } from '../lib/RoomClient.ts';
import { EdgeSocketChannel } from '../lib/SignalChannel.ts';
import type { Target } from '../lib/annotations/model.ts';
import { useCallSession } from '../hooks/useCallSession.ts';
import { setSourceMuted, useCameraAndMic } from '../hooks/useMedia.ts';
import { useRoom } from '../hooks/useRoom.ts';
import { useI18n } from '../i18n/I18n.tsx';

export function CallPage() {
  const { t } = useI18n();
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const edge = params.get('edge') ?? window.location.origin;
  const token = params.get('token') ?? '';
  const name = params.get('name') ?? 'Guest';
  const receiveOnly = params.get('receiveOnly') === '1';
  const media = useCameraAndMic(!receiveOnly);
  const stream = receiveOnly ? undefined : (media.stream ?? (media.error ? undefined : null));
  const { room, store, error } = useCallSession(
    () =>
      new RoomClient({
        displayName: name,
        connect: () => new EdgeSocketChannel(edge, token),
        publish: !receiveOnly,
      }),
    `${edge}|${token}`,
    stream,
  );
  const view = useRoom(room);
  const [chosen, setChosen] = useState<Target>();
  const [micMuted, setMicMuted] = useState(false);
  if (!room) return <p className="centered">{t('state.connecting')}</p>;
  const first = view.peers.find((p) => p.role !== 'observer');
  const target = chosen ?? (first ? { peerId: first.peerId, source: 'camera' as const } : undefined);
  return (
    <div className="call-page">
      {(error || media.error) && (
        <p className="error" role="alert">
          {error ?? media.error}
        </p>
      )}
      <CallLayout
        room={room}
        {...view}
        reason={view.reason ?? error}
        state={error && view.state === 'connecting' ? 'failed' : view.state}
        stage={target ? stageFor(target, room, view.peers, view.tracks, name) : undefined}
        onStage={setChosen}
        store={store}
        self={receiveOnly ? undefined : { name, video: media.stream?.getVideoTracks()[0] }}
        side={
          view.feed.transcript.length + view.feed.checklist.length + view.feed.alerts.length > 0 ? (
            <>
              {view.feed.checklist.length > 0 && <ChecklistPanel items={view.feed.checklist} />}
              <TranscriptPanel lines={view.feed.transcript} />
              {view.feed.alerts.length > 0 && <AlertsPanel alerts={view.feed.alerts} />}
            </>
          ) : undefined
        }
        controls={
          <>
            {!receiveOnly && (
              <button
                type="button"
                aria-pressed={micMuted}
                onClick={() => {
                  void setSourceMuted(room, media.stream, 'mic', !micMuted);
                  setMicMuted(!micMuted);
                }}
              >
                {micMuted ? t('call.unmute') : t('call.mute')}
              </button>
            )}
            <button type="button" className="leave" onClick={() => void room.leave()}>
              {t('call.leave')}
            </button>
          </>
        }
      />
    </div>
  );
}
