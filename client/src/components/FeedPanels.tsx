// The live panels of a call: transcript with speakers, the compliance checklist
// ticking as items pass, and the list of alerts.
import { useEffect, useRef } from 'react';
import type { ChecklistItem, ComplianceAlert, TranscriptSegment } from '#protocol/events';
import { checklistProgress, clock } from '../lib/callFeed.ts';
import { useI18n } from '../i18n/I18n.tsx';

export function TranscriptPanel({
  lines,
  names,
}: {
  lines: TranscriptSegment[];
  names?: Record<string, string>;
}) {
  const { t } = useI18n();
  // Follow the newest line inside the list only (never scroll the page or the side column).
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [lines]);
  return (
    <section className="panel transcript-panel" aria-labelledby="transcript-h">
      <h2 id="transcript-h">{t('feed.transcript')}</h2>
      {lines.length === 0 ? (
        <p className="empty">{t('feed.transcriptEmpty')}</p>
      ) : (
        <ol
          ref={list}
          className="transcript-lines"
          aria-live="polite"
          aria-relevant="additions"
          tabIndex={0}
          aria-label={t('feed.transcript')}
        >
          {lines.map((s) => (
            <li key={s.utteranceId} className={s.final ? 'final' : 'partial'} data-role={s.role}>
              <span className="when">{clock(s.startMs)}</span>
              <strong className="who">{names?.[s.participantId] ?? t(`role.${s.role}`)}</strong>
              <span className="what">{s.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function ChecklistPanel({ items }: { items: ChecklistItem[] }) {
  const { t } = useI18n();
  const p = checklistProgress(items);
  return (
    <section className="panel checklist-panel" aria-labelledby="checklist-h">
      <h2 id="checklist-h">
        {t('feed.checklist')}{' '}
        <span className="count">{t('feed.progress', { done: p.done, total: p.total })}</span>
      </h2>
      {items.length === 0 ? (
        <p className="empty">{t('feed.checklistEmpty')}</p>
      ) : (
        <>
          <progress max={Math.max(1, p.total)} value={p.done} aria-label={t('feed.checklist')} />
          <ul className="checklist" tabIndex={0} aria-label={t('feed.checklist')}>
            {items.map((i) => (
              <li key={i.id} className={`check-${i.status}`} data-check={i.id}>
                <span className="mark" aria-hidden="true">
                  {i.status === 'pass'
                    ? '✔'
                    : i.status === 'fail'
                      ? '✖'
                      : i.status === 'not-applicable'
                        ? '–'
                        : '○'}
                </span>
                <span className="title">{i.title}</span>
                <span className={`sev sev-${i.severity}`}>{t(`severity.${i.severity}`)}</span>
                <span className="visually-hidden">{t(`check.${i.status}`)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function AlertsPanel({ alerts }: { alerts: ComplianceAlert[] }) {
  const { t } = useI18n();
  return (
    <section className="panel alerts-panel" aria-labelledby="alerts-h">
      <h2 id="alerts-h">
        {t('feed.alerts')} <span className="count">{alerts.length}</span>
      </h2>
      {alerts.length === 0 ? (
        <p className="empty">{t('feed.alertsEmpty')}</p>
      ) : (
        <ul className="alerts">
          {[...alerts].reverse().map((a) => (
            <li key={`${a.checkId}@${a.atMs}`} className={`alert sev-${a.severity}`}>
              <span className="when">{clock(a.atMs)}</span>{' '}
              <span className={`sev sev-${a.severity}`}>{t(`severity.${a.severity}`)}</span> {a.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * The newest unacknowledged critical/major alert, across the top of the screen:
 * an assertive live region and a button that must be pressed to dismiss it.
 */
export function AlertBanner({
  alerts,
  acknowledged,
  onAcknowledge,
}: {
  alerts: ComplianceAlert[];
  acknowledged: Set<string>;
  onAcknowledge: (key: string) => void;
}) {
  const { t } = useI18n();
  const open = alerts.filter((a) => a.severity !== 'minor' && !acknowledged.has(`${a.checkId}@${a.atMs}`));
  const top = open[open.length - 1];
  return (
    <div className="alert-banner-slot" role="alert" aria-live="assertive">
      {top && (
        <div className={`alert-banner sev-${top.severity}`}>
          <strong>{t('feed.alertTitle', { severity: t(`severity.${top.severity}`) })}</strong>
          <span className="msg">{top.message}</span>
          {open.length > 1 && (
            <span className="more">{t('feed.moreAlerts', { count: open.length - 1 })}</span>
          )}
          <button type="button" onClick={() => onAcknowledge(`${top.checkId}@${top.atMs}`)}>
            {t('feed.acknowledge')}
          </button>
        </div>
      )}
    </div>
  );
}
