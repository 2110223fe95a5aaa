// What the manager sees when a call ends before the edge's report has arrived:
// the checklist as it stood, the alerts raised and the transcript.
import type { Verdict } from '#protocol/report';
import type { CallFeed } from '../../lib/callFeed.ts';
import { AlertsPanel, ChecklistPanel, TranscriptPanel } from '../../components/FeedPanels.tsx';
import { useI18n } from '../../i18n/I18n.tsx';

export function CallSummary({
  feed,
  verdict,
}: {
  feed: CallFeed;
  verdict?: { verdict: Verdict; score: number };
}) {
  const { t } = useI18n();
  return (
    <div className="summary">
      <p className={verdict ? `notice verdict-${verdict.verdict}` : 'notice'} role="status">
        {verdict
          ? t('manager.reportReady', {
              verdict: t(`verdict.${verdict.verdict}`),
              score: Math.round(verdict.score * 100),
            })
          : t('manager.reportPending')}
      </p>
      <div className="console-grid">
        <ChecklistPanel items={feed.checklist} />
        <AlertsPanel alerts={feed.alerts} />
        <TranscriptPanel lines={feed.transcript} />
      </div>
    </div>
  );
}
