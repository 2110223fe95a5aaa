// Head-mounted layout for the manager's AR glasses: one large stream (the
// expert, or the document the expert marks up), minimal chrome, big targets,
// voice commands, and a low-bandwidth mode (audio plus the lowest simulcast
// layer). WebXR's immersive-ar with a DOM overlay where the browser has it;
// plain full screen otherwise.
import { useEffect, useRef, useState } from 'react';
import { AnnotatedVideo } from '../../components/AnnotatedVideo.tsx';
import type { Stage } from '../../components/CallLayout.tsx';
import { NetworkIndicator } from '../../components/NetworkIndicator.tsx';
import { VideoTile } from '../../components/VideoTile.tsx';
import type { AnnotationStore } from '../../lib/annotations/AnnotationStore.ts';
import type { RoomClient } from '../../lib/RoomClient.ts';
import { listenForCommands, type VoiceCommand } from '../../lib/voice.ts';
import { audioOf, type useRoom } from '../../hooks/useRoom.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import '../../styles/ar.css';

interface XRSystemLike {
  isSessionSupported(mode: string): Promise<boolean>;
  requestSession(
    mode: string,
    init: unknown,
  ): Promise<{ end(): Promise<void>; addEventListener(e: 'end', f: () => void): void }>;
}

interface Props {
  room: RoomClient;
  view: ReturnType<typeof useRoom>;
  store?: AnnotationStore;
  expert?: Stage;
  document?: Stage;
  /** The expert is marking the document up: bring it to the front. */
  documentMarked: boolean;
  micMuted: boolean;
  onToggleMic: () => void;
  onExit: () => void;
  onLeave: () => void;
}

export function ArView({
  room,
  view,
  store,
  expert,
  document: doc,
  documentMarked,
  micMuted,
  onToggleMic,
  onExit,
  onLeave,
}: Props) {
  const { t, lang } = useI18n();
  const rootRef = useRef<HTMLDivElement>(null);
  const [show, setShow] = useState<'expert' | 'document'>(documentMarked || !expert ? 'document' : 'expert');
  const [low, setLow] = useState(room.lowBandwidth);
  const [xr, setXr] = useState<'unknown' | 'ar' | 'none'>('unknown');
  const [heard, setHeard] = useState<string>();
  const [listening, setListening] = useState(false);

  useEffect(() => {
    if (documentMarked) setShow('document');
  }, [documentMarked]);

  useEffect(() => {
    const sys = (navigator as Navigator & { xr?: XRSystemLike }).xr;
    if (!sys) return setXr('none');
    sys.isSessionSupported('immersive-ar').then(
      (ok) => setXr(ok ? 'ar' : 'none'),
      () => setXr('none'),
    );
  }, []);

  const setLowBandwidth = (on: boolean) => {
    setLow(on);
    void room.setLowBandwidth(on);
  };

  const run = (cmd: VoiceCommand) => {
    switch (cmd) {
      case 'mute':
        if (!micMuted) onToggleMic();
        break;
      case 'unmute':
        if (micMuted) onToggleMic();
        break;
      case 'expert':
        setShow('expert');
        break;
      case 'document':
        setShow('document');
        break;
      case 'lowBandwidth':
        setLowBandwidth(true);
        break;
      case 'fullBandwidth':
        setLowBandwidth(false);
        break;
      case 'leave':
        onLeave();
        break;
    }
  };
  const runRef = useRef(run);
  runRef.current = run;

  useEffect(() => {
    const stop = listenForCommands(lang, (cmd, phrase) => {
      setHeard(phrase);
      runRef.current(cmd);
    });
    setListening(Boolean(stop));
    return () => stop?.();
  }, [lang]);

  const immersive = async () => {
    const sys = (navigator as Navigator & { xr?: XRSystemLike }).xr;
    try {
      if (xr === 'ar' && sys && rootRef.current) {
        await sys.requestSession('immersive-ar', {
          optionalFeatures: ['dom-overlay'],
          domOverlay: { root: rootRef.current },
        });
      } else await rootRef.current?.requestFullscreen();
    } catch {
      /* refused by the user or the device */
    }
  };

  const stage = show === 'document' && doc ? doc : expert;
  return (
    <div ref={rootRef} className={`ar-view${low ? ' low' : ''}`}>
      <h1 className="visually-hidden">{t('ar.title')}</h1>
      <div className="ar-status">
        <span className={`badge state-${view.state}`} role="status">
          {t(`state.${view.state}`)}
        </span>
        <NetworkIndicator room={room} active={view.state === 'joined'} />
        {low && <span className="badge">{t('ar.lowOn')}</span>}
      </div>
      <main className="ar-stage">
        {stage ? (
          <AnnotatedVideo track={stage.track} target={stage.target} store={store} label={stage.label} />
        ) : (
          <p className="stage-empty">{t('ar.waitingExpert')}</p>
        )}
        {/* Everyone's audio keeps playing whatever is on the stage. */}
        <div className="visually-hidden">
          {view.peers.map((p) => {
            const audio = audioOf(view.tracks, p.peerId);
            return audio ? <VideoTile key={p.peerId} label={p.displayName} audio={audio.track} /> : null;
          })}
        </div>
      </main>
      <nav className="ar-controls" aria-label={t('call.controls')}>
        <button
          type="button"
          onClick={() => setShow(show === 'expert' ? 'document' : 'expert')}
          disabled={!doc && show === 'expert'}
        >
          {show === 'expert' ? t('ar.showDocument') : t('ar.showExpert')}
        </button>
        <button type="button" aria-pressed={micMuted} onClick={onToggleMic}>
          {micMuted ? t('call.unmute') : t('call.mute')}
        </button>
        <button type="button" aria-pressed={low} onClick={() => setLowBandwidth(!low)}>
          {t('ar.lowBandwidth')}
        </button>
        <button type="button" onClick={() => void immersive()}>
          {xr === 'ar' ? t('ar.immersive') : t('ar.fullscreen')}
        </button>
        <button type="button" className="secondary" onClick={onExit}>
          {t('ar.exit')}
        </button>
      </nav>
      <p className="ar-voice" aria-live="polite">
        {listening ? t('ar.voiceHint') : t('ar.voiceUnavailable')}
        {heard && <span className="heard"> · {t('ar.heard', { phrase: heard })}</span>}
      </p>
    </div>
  );
}
