// The expert in a call: joins through the cloud relay, sees the branch and what
// is being sold to whom (product, customer's risk level), and draws on whichever
// video is on the stage (by default the manager's camera, usually pointed at the
// document being discussed).
import { useMemo, useRef, useState } from 'react';
import { AnnotationToolbar } from '../../components/AnnotationToolbar.tsx';
import { CallHeader, MuteButton } from '../../components/CallHeader.tsx';
import { CallLayout, stageFor } from '../../components/CallLayout.tsx';
import { ChecklistPanel, TranscriptPanel } from '../../components/FeedPanels.tsx';
import { PALETTE, type Target, type Tool } from '../../lib/annotations/model.ts';
import { auth } from '../../lib/auth.ts';
import type { CloudClient } from '../../lib/CloudClient.ts';
import { deviceKind, relayRoom } from '../../lib/joinCall.ts';
import { useCallRecord, useStaffCall } from '../../hooks/useStaffCall.ts';
import { useI18n } from '../../i18n/I18n.tsx';

export function ExpertCall({
  callId,
  cloud,
  onLeave,
}: {
  callId: string;
  cloud: CloudClient | undefined;
  onLeave: () => void;
}) {
  const { t } = useI18n();
  const name = auth.session?.user.displayName ?? 'Expert';
  const { media, room, store, view, micMuted, toggleMic, error } = useStaffCall(callId, () =>
    relayRoom(callId, () => auth.token(), { displayName: name, device: deviceKind() }),
  );
  const call = useCallRecord(callId, cloud);
  const [chosen, setChosen] = useState<Target>();
  const [tool, setTool] = useState<Tool | null>('arrow');
  const [color, setColor] = useState<string>(PALETTE[0]);
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
      <CallHeader title={t('expert.inCall')} call={call} error={error} />
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
            <MuteButton muted={micMuted} onToggle={toggleMic} />
            <button type="button" className="leave" onClick={() => void room.leave().then(onLeave)}>
              {t('call.leave')}
            </button>
          </>
        }
      />
    </div>
  );
}
