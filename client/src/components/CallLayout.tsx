// The call screen every role shares: status line, a large stage (one video with
// its annotations), a strip of everyone, a side column for the role's panels
// and the controls. Roles differ only in what they pass in.
import type { ReactNode, RefObject } from 'react';
import type { PeerInfo } from '#protocol/signaling';
import type { AnnotationStore } from '../lib/annotations/AnnotationStore.ts';
import { sameTarget, type Target, type Tool } from '../lib/annotations/model.ts';
import type { CallState, RemoteTrack, RoomClient } from '../lib/RoomClient.ts';
import { audioOf, videoOf } from '../hooks/useRoom.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { AnnotatedVideo } from './AnnotatedVideo.tsx';
import { CallClock } from './CallClock.tsx';
import { NetworkIndicator } from './NetworkIndicator.tsx';
import { VideoTile } from './VideoTile.tsx';
import '../styles/call.css';

export interface Stage {
  target: Target;
  track?: MediaStreamTrack;
  label: string;
}

/** Resolves a target to the track that shows it: one's own camera is the local track. */
export function stageFor(
  target: Target,
  room: RoomClient,
  peers: PeerInfo[],
  tracks: RemoteTrack[],
  you: string,
): Stage {
  if (target.peerId === room.peerId) return { target, track: room.local.get(target.source), label: you };
  const peer = peers.find((p) => p.peerId === target.peerId);
  return {
    target,
    track: videoOf(tracks, target.peerId, target.source)?.track,
    label: peer?.displayName ?? '',
  };
}

interface Props {
  room: RoomClient;
  state: CallState;
  reason?: string;
  peers: PeerInfo[];
  tracks: RemoteTrack[];
  speaker: string | null;
  stage?: Stage;
  onStage?: (target: Target) => void;
  store?: AnnotationStore;
  tool?: Tool | null;
  color?: string;
  author?: string;
  stageVideoRef?: RefObject<HTMLVideoElement | null>;
  self?: { name: string; video?: MediaStreamTrack };
  toolbar?: ReactNode;
  banner?: ReactNode;
  side?: ReactNode;
  controls: ReactNode;
  className?: string;
}

export function CallLayout(p: Props) {
  const { t } = useI18n();
  const visible = p.peers.filter((peer) => peer.role !== 'observer');
  return (
    <div className={`call-layout ${p.className ?? ''}`}>
      <div className="call-status">
        <span className={`badge state-${p.state}`} role="status">
          {t(`state.${p.state}`)}
        </span>
        {p.reason && p.state !== 'joined' && <span className="reason">{p.reason}</span>}
        {p.state === 'joined' && <CallClock startedAt={p.room.callStartedAt} />}
        <span className="participants">{t('call.inCall', { count: visible.length + (p.self ? 1 : 0) })}</span>
        <NetworkIndicator room={p.room} active={p.state === 'joined'} />
      </div>
      {p.banner}
      <div className="call-body">
        <div className="stage-column">
          {p.toolbar}
          <section className="stage" aria-label={t('call.stage')}>
            {p.stage ? (
              <AnnotatedVideo
                track={p.stage.track}
                target={p.stage.target}
                store={p.store}
                tool={p.tool ?? null}
                color={p.color}
                author={p.author}
                label={p.stage.label}
                videoRef={p.stageVideoRef}
                onViewport={(w, h) => {
                  const consumer = videoOf(p.tracks, p.stage?.target.peerId, p.stage?.target.source);
                  if (consumer) void p.room.setViewport(consumer.consumerId, w, h);
                }}
              />
            ) : (
              <div className="stage-empty">
                {p.state === 'joined' ? t('call.waitingOthers') : t(`state.${p.state}`)}
              </div>
            )}
            {p.stage && <span className="stage-label">{p.stage.label}</span>}
          </section>
          <section className="strip" aria-label={t('call.participants')}>
            {p.self && (
              <VideoTile label={t('call.you', { name: p.self.name })} video={p.self.video} mirrored />
            )}
            {visible.map((peer) => {
              const video = videoOf(p.tracks, peer.peerId);
              const target: Target = { peerId: peer.peerId, source: 'camera' };
              const onStage = p.stage && sameTarget(p.stage.target, target);
              return (
                <VideoTile
                  key={peer.peerId}
                  label={`${peer.displayName} · ${t(`role.${peer.role}`)}`}
                  video={video?.track}
                  audio={audioOf(p.tracks, peer.peerId)?.track}
                  speaking={p.speaker === peer.peerId}
                  onViewport={
                    video && !onStage ? (w, h) => void p.room.setViewport(video.consumerId, w, h) : undefined
                  }
                  onSelect={p.onStage && !onStage ? () => p.onStage!(target) : undefined}
                  selectLabel={t('call.showOnStage', { name: peer.displayName })}
                />
              );
            })}
          </section>
        </div>
        {/* Scrollable, so keyboard users must be able to focus it. */}
        {p.side && (
          <aside className="call-side" tabIndex={0} aria-label={t('call.sidePanels')}>
            {p.side}
          </aside>
        )}
      </div>
      <nav className="controls" aria-label={t('call.controls')}>
        {p.controls}
      </nav>
    </div>
  );
}
