// The expert in a call: joins through the cloud relay, sees the branch, and
// draws on whichever video is on the stage (by default the manager's camera,
// usually pointed at the document being discussed).
import { useMemo, useRef, useState } from 'react';
import { AnnotationToolbar } from '../../components/AnnotationToolbar.tsx';
import { CallLayout, stageFor } from '../../components/CallLayout.tsx';
import { ChecklistPanel, TranscriptPanel } from '../../components/FeedPanels.tsx';
import { PALETTE, type Target, type Tool } from '../../lib/annotations/model.ts';
import { auth } from '../../lib/auth.ts';
import { deviceKind, relayRoom } from '../../lib/joinCall.ts';
import { useCallSession } from '../../hooks/useCallSession.ts';
import { setSourceMuted, useCameraAndMic } from '../../hooks/useMedia.ts';
import { useRoom } from '../../hooks/useRoom.ts';
import { LanguageSwitch, useI18n } from '../../i18n/I18n.tsx';

export function ExpertCall({ callId, onLeave }: { callId: string; onLeave: () => void }) {
  const { t } = useI18n();
  const name = auth.session?.user.displayName ?? 'Expert';
  const media = useCameraAndMic(true);
  const stream = media.stream ?? (media.error ? undefined : null);
  const { room, store, error } = useCallSession(
    () => relayRoom(callId, () => auth.token(), { displayName: name, device: deviceKind() }),
    callId,
    stream,
  );
  const view = useRoom(room);
  const [chosen, setChosen] = useState<Target>();
  const [tool, setTool] = useState<Tool | null>('arrow');
  const [color, setColor] = useState<string>(PALETTE[0]);
  const [micMuted, setMicMuted] = useState(false);
  const videoRef = useRef<HTMLVideoElement>(null);

  // The manager's camera unless the expert picked another video.
  const target = useMemo<Target | undefined>(() => {
    if (chosen && view.peers.some((p) => p.peerId === chosen.peerId)) return chosen;
    const manager =
      view.peers.find((p) => p.role === 'manager') ?? view.peers.find((p) => p.role !== 'observer');
    return manager ? { peerId: manager.peerId, source: 'camera' } : undefined;
  }, [chosen, view.peers]);
  if (!room) return <p className="centered">{t('state.connecting')}</p>;
  const stage = target ? stageFor(target, room, view.peers, view.tracks, name) : undefined;
  const names = Object.fromEntries(view.peers.map((p) => [p.peerId, p.displayName]));

  return (
    <div className="call-page expert-call">
      <header className="topbar compact">
        <span className="brand">{t('brand.name')}</span>
        <h1>{t('expert.inCall')}</h1>
        <div className="topbar-actions">
          <LanguageSwitch />
        </div>
      </header>
      {(error || media.error) && (
        <p className="error" role="alert">
          {error ?? t('media.error', { error: media.error ?? '' })}
        </p>
      )}
      <CallLayout
        room={room}
        {...view}
        stage={stage}
        onStage={setChosen}
        store={store}
        tool={tool}
        color={color}
        author={name}
        stageVideoRef={videoRef}
        self={{ name, video: media.stream?.getVideoTracks()[0] }}
        toolbar={
          store &&
          target && (
            <AnnotationToolbar
              store={store}
              target={target}
              tool={tool}
              onTool={setTool}
              color={color}
              onColor={setColor}
              videoRef={videoRef}
            />
          )
        }
        side={
          <>
            <ChecklistPanel items={view.feed.checklist} />
            <TranscriptPanel lines={view.feed.transcript} names={names} />
          </>
        }
        controls={
          <>
            <button
              type="button"
              className="secondary"
              aria-pressed={micMuted}
              onClick={() => {
                void setSourceMuted(room, media.stream, 'mic', !micMuted);
                setMicMuted(!micMuted);
              }}
            >
              {micMuted ? t('call.unmute') : t('call.mute')}
            </button>
            <button type="button" className="leave" onClick={() => void room.leave().then(onLeave)}>
              {t('call.leave')}
            </button>
          </>
        }
      />
    </div>
  );
}
