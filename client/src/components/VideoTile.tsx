// One participant tile (video or initial), playing their audio. Reports its
// rendered size so the edge sends the right simulcast layer; optionally a
// button that puts this participant on the stage.
import { useEffect, useRef } from 'react';

interface Props {
  label: string;
  video?: MediaStreamTrack;
  audio?: MediaStreamTrack;
  muted?: boolean;
  speaking?: boolean;
  mirrored?: boolean;
  onViewport?: (width: number, height: number) => void;
  onSelect?: () => void;
  selectLabel?: string;
}

export function VideoTile({
  label,
  video,
  audio,
  muted,
  speaking,
  mirrored,
  onViewport,
  onSelect,
  selectLabel,
}: Props) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);

  useEffect(() => {
    const el = videoRef.current;
    if (!el) return;
    el.srcObject = video ? new MediaStream([video]) : null;
  }, [video]);

  useEffect(() => {
    const el = audioRef.current;
    if (!el) return;
    el.srcObject = audio ? new MediaStream([audio]) : null;
    if (audio) void el.play().catch(() => undefined);
  }, [audio]);

  useEffect(() => {
    const el = videoRef.current;
    if (!el || !onViewport) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry)
        onViewport(entry.contentRect.width * devicePixelRatio, entry.contentRect.height * devicePixelRatio);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [onViewport, video]);

  return (
    <figure className={`tile${speaking ? ' speaking' : ''}`}>
      {video ? (
        <video ref={videoRef} autoPlay playsInline muted className={mirrored ? 'mirrored' : ''} />
      ) : (
        <div className="no-video" aria-hidden="true">
          {label.slice(0, 1).toUpperCase()}
        </div>
      )}
      {audio && <audio ref={audioRef} autoPlay muted={muted} />}
      <figcaption>{label}</figcaption>
      {onSelect && (
        <button type="button" className="tile-select" onClick={onSelect} aria-label={selectLabel ?? label}>
          <span aria-hidden="true">⤢</span>
        </button>
      )}
    </figure>
  );
}
