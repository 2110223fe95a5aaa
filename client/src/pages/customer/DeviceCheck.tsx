// Camera and microphone check: a preview and a live level meter, so the
// customer sees and hears that both work before joining.
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n/I18n.tsx';

export function DeviceCheck({ onReady }: { onReady: (stream: MediaStream) => void }) {
  const { t } = useI18n();
  const [stream, setStream] = useState<MediaStream>();
  const [error, setError] = useState<string>();
  const [level, setLevel] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const video = useRef<HTMLVideoElement>(null);
  const handedOver = useRef(false);

  useEffect(() => {
    let cancelled = false;
    let got: MediaStream | undefined;
    setError(undefined);
    navigator.mediaDevices
      .getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true },
        video: { width: 1280, height: 720 },
      })
      .then((s) => {
        got = s;
        if (cancelled) s.getTracks().forEach((tr) => tr.stop());
        else setStream(s);
      })
      .catch(
        (err: Error) =>
          !cancelled &&
          setError(
            err.name === 'NotAllowedError' ? t('check.denied') : t('media.error', { error: err.message }),
          ),
      );
    return () => {
      cancelled = true;
      if (!handedOver.current) got?.getTracks().forEach((tr) => tr.stop());
    };
  }, [attempt, t]);

  useEffect(() => {
    if (!stream) return;
    if (video.current) video.current.srcObject = stream;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const buf = new Uint8Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getByteTimeDomainData(buf);
      let peak = 0;
      for (const v of buf) peak = Math.max(peak, Math.abs(v - 128));
      setLevel(Math.min(1, peak / 64));
    }, 100);
    return () => {
      clearInterval(timer);
      void ctx.close();
    };
  }, [stream]);

  return (
    <main className="card device-check" aria-labelledby="check-h">
      <h1 id="check-h">{t('check.title')}</h1>
      {error ? (
        <>
          <p className="error big-text" role="alert">
            {error}
          </p>
          <button type="button" className="big" onClick={() => setAttempt((a) => a + 1)}>
            {t('check.retry')}
          </button>
        </>
      ) : (
        <>
          <video
            ref={video}
            autoPlay
            playsInline
            muted
            className="preview mirrored"
            aria-label={t('check.preview')}
          />
          <div className="meter-row">
            <span>{t('check.mic')}</span>
            <meter min={0} max={1} value={level} aria-label={t('check.mic')} />
          </div>
          <p>{t('check.hint')}</p>
          <button
            type="button"
            className="big"
            disabled={!stream}
            onClick={() => {
              handedOver.current = true;
              if (stream) onReady(stream);
            }}
          >
            {t('check.join')}
          </button>
        </>
      )}
    </main>
  );
}
