// The dual-recording inspection report (protocol/src/report.ts): verdict and
// score, each check with its evidence, alerts, and the transcript. With a
// recording, the transcript follows playback and a line click seeks to it.
import { useEffect, useRef, useState } from 'react';
import type { Report } from '#protocol/report';
import { clock } from '../lib/callFeed.ts';
import { useI18n } from '../i18n/I18n.tsx';

export function ReportView({ report, mediaUrl }: { report: Report; mediaUrl?: string }) {
  const { t } = useI18n();
  const media = useRef<HTMLVideoElement>(null);
  const [nowMs, setNowMs] = useState(-1);
  const activeRef = useRef<HTMLLIElement>(null);
  useEffect(() => {
    const el = media.current;
    if (!el) return;
    const onTime = () => setNowMs(el.currentTime * 1000);
    el.addEventListener('timeupdate', onTime);
    return () => el.removeEventListener('timeupdate', onTime);
  }, [mediaUrl]);
  useEffect(() => {
    // Braces matter: newer Chromium's scrollIntoView returns a promise, which React would take for a cleanup.
    activeRef.current?.scrollIntoView({ block: 'nearest' });
  }, [nowMs]);
  const seek = (ms: number) => {
    if (media.current) {
      media.current.currentTime = ms / 1000;
      void media.current.play().catch(() => undefined);
    }
  };
  const active = report.transcript.findIndex((l) => nowMs >= l.startMs && nowMs < l.endMs);

  return (
    <article className="report" aria-labelledby="report-h">
      <header className={`report-head verdict-${report.verdict}`}>
        <h2 id="report-h">{t('report.title')}</h2>
        <p className="verdict">
          <strong>{t(`verdict.${report.verdict}`)}</strong> ·{' '}
          {t('report.score', { score: Math.round(report.score * 100) })}
        </p>
        <p className="muted">
          {t('report.meta', {
            call: report.callId,
            pack: `${report.pack.id}@${report.pack.version}`,
            duration: clock(report.durationMs),
          })}
        </p>
      </header>
      <div className="report-body">
        <section aria-labelledby="checks-h">
          <h3 id="checks-h">{t('report.checks')}</h3>
          <ul className="report-checks">
            {report.checks.map((c) => (
              <li key={c.id} className={`check-${c.status}`}>
                <div className="check-head">
                  <span className={`check-status status-${c.status}`}>{t(`check.${c.status}`)}</span>
                  <strong>{c.title ?? c.id}</strong>
                  <span className={`sev sev-${c.severity}`}>{t(`severity.${c.severity}`)}</span>
                </div>
                <p className="reason">{c.reason}</p>
                {c.evidence.length > 0 && (
                  <ul className="evidence">
                    {c.evidence.map((e, i) => (
                      <li key={i}>
                        <button
                          type="button"
                          className="link"
                          onClick={() => seek(e.startMs)}
                          disabled={!mediaUrl}
                        >
                          {clock(e.startMs)}
                        </button>{' '}
                        <em>
                          {e.role === 'frame' || e.role === 'call'
                            ? t(`evidence.${e.role}`)
                            : t(`role.${e.role}`)}
                        </em>{' '}
                        “{e.text}”
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
          {report.alerts.length > 0 && (
            <>
              <h3>{t('feed.alerts')}</h3>
              <ul className="alerts">
                {report.alerts.map((a, i) => (
                  <li key={i} className={`alert sev-${a.severity ?? 'major'}`}>
                    {clock(a.atMs)} {a.message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        <section aria-labelledby="rt-h" className="report-transcript">
          <h3 id="rt-h">{t('report.transcript')}</h3>
          {mediaUrl && (
            <video
              ref={media}
              src={mediaUrl}
              controls
              className="playback"
              aria-label={t('report.playback')}
            />
          )}
          {report.transcript.length === 0 && <p className="empty">{t('report.noTranscript')}</p>}
          <ol className="transcript-lines" tabIndex={0} aria-label={t('feed.transcript')}>
            {report.transcript.map((l, i) => (
              <li
                key={i}
                ref={i === active ? activeRef : undefined}
                className={i === active ? 'final current' : 'final'}
                aria-current={i === active ? 'true' : undefined}
              >
                <button
                  type="button"
                  className="link when"
                  onClick={() => seek(l.startMs)}
                  disabled={!mediaUrl}
                >
                  {clock(l.startMs)}
                </button>
                <strong className="who">{t(`role.${l.role}`)}</strong>
                <span className="what">{l.text}</span>
              </li>
            ))}
          </ol>
        </section>
      </div>
    </article>
  );
}
