// The call screen shared by every role: joins the edge room with the join token
// from the URL (`/call?edge=<edge url>&token=<join token>&name=<display name>`),
// publishes camera and microphone (unless receive-only), and shows everyone.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { RoomClient, type CallState, type RemoteTrack } from '../lib/RoomClient.ts';
import { EdgeSocketChannel } from '../lib/SignalChannel.ts';
import { VideoTile } from '../components/VideoTile.tsx';
import type { PeerInfo } from '#protocol/signaling';
import type { TranscriptSegment } from '#protocol/events';

declare global {
  interface Window {
    __branchedge?: { room: RoomClient };
  }
}

const STATE_TEXT: Record<CallState, string> = {
  idle: 'Ready',
  connecting: 'Connecting…',
  joined: 'In call',
  reconnecting: 'Reconnecting…',
  ended: 'Call ended',
  failed: 'Could not connect',
};

export function CallPage() {
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const edge = params.get('edge') ?? window.location.origin;
  const token = params.get('token') ?? '';
  const name = params.get('name') ?? 'Guest';
  const receiveOnly = params.get('receiveOnly') === '1';

  const room = useMemo(
    () => new RoomClient({ displayName: name, connect: () => new EdgeSocketChannel(edge, token), publish: !receiveOnly }),
    [edge, token, name, receiveOnly],
  );
  const [state, setState] = useState<CallState>('idle');
  const [reason, setReason] = useState<string>();
  const [peers, setPeers] = useState<PeerInfo[]>([]);
  const [tracks, setTracks] = useState<RemoteTrack[]>([]);
  const [speaker, setSpeaker] = useState<string | null>(null);
  const [transcript, setTranscript] = useState<TranscriptSegment[]>([]);
  const [localVideo, setLocalVideo] = useState<MediaStreamTrack>();
  const [micMuted, setMicMuted] = useState(false);

  useEffect(() => {
    window.__branchedge = { room };
    const offs = [
      room.on('state', (s, r) => {
        setState(s);
        setReason(r);
      }),
      room.on('peers', setPeers),
      room.on('tracks', setTracks),
      room.on('activeSpeaker', setSpeaker),
      room.on('transcript', (seg) =>
        setTranscript((prev) => [...prev.filter((p) => p.utteranceId !== seg.utteranceId), seg].slice(-200)),
      ),
    ];
    let cancelled = false;
    (async () => {
      if (!receiveOnly) {
        const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
        if (cancelled) return media.getTracks().forEach((t) => t.stop());
        const [audio] = media.getAudioTracks();
        const [video] = media.getVideoTracks();
        if (audio) await room.publish('mic', audio);
        if (video) {
          await room.publish('camera', video);
          setLocalVideo(video);
        }
      }
      await room.join();
    })().catch((err: Error) => {
      setState('failed');
      setReason(err.message);
    });
    return () => {
      cancelled = true;
      offs.forEach((off) => off());
      void room.leave();
    };
  }, [room, receiveOnly]);

  const toggleMic = useCallback(async () => {
    await room.setMuted('mic', !micMuted);
    setMicMuted(!micMuted);
  }, [room, micMuted]);

  const byPeer = new Map<string, { video?: RemoteTrack; audio?: RemoteTrack }>();
  for (const t of tracks) {
    const entry = byPeer.get(t.peerId) ?? {};
    if (t.kind === 'video' && t.source === 'camera') entry.video = t;
    if (t.kind === 'audio') entry.audio = t;
    byPeer.set(t.peerId, entry);
  }

  return (
    <main className="call">
      <header className="call-header">
        <span className={`badge state-${state}`} role="status">
          {STATE_TEXT[state]}
        </span>
        {reason && state !== 'joined' && <span className="reason">{reason}</span>}
        <span className="participants">{peers.length + 1} in call</span>
      </header>
      <section className="tiles" aria-label="Participants">
        {!receiveOnly && <VideoTile label={`${name} (you)`} video={localVideo} mirrored />}
        {peers.map((p) => {
          const t = byPeer.get(p.peerId) ?? {};
          return (
            <VideoTile
              key={p.peerId}
              label={`${p.displayName} · ${p.role}`}
              video={t.video?.track}
              audio={t.audio?.track}
              speaking={speaker === p.peerId}
              onViewport={t.video ? (w, h) => void room.setViewport(t.video!.consumerId, w, h) : undefined}
            />
          );
        })}
      </section>
      {transcript.length > 0 && (
        <aside className="transcript" aria-label="Live transcript">
          {transcript.map((s) => (
            <p key={s.utteranceId} className={s.final ? 'final' : 'partial'}>
              <strong>{s.role}</strong> {s.text}
            </p>
          ))}
        </aside>
      )}
      <nav className="controls" aria-label="Call controls">
        {!receiveOnly && (
          <button type="button" onClick={() => void toggleMic()} aria-pressed={micMuted}>
            {micMuted ? 'Unmute' : 'Mute'}
          </button>
        )}
        <button type="button" className="leave" onClick={() => void room.leave()}>
          Leave
        </button>
      </nav>
    </main>
  );
}
