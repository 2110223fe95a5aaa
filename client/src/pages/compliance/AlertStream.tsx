import { clock } from '../../lib/callFeed.ts';
import { useI18n } from '../../i18n/I18n.tsx';

export interface StreamAlert {
  id: string;
  callId: string;
  branchId?: string;
  at: number;
  data: Record<string, unknown>;
}

export function AlertStream({ alerts }: { alerts: StreamAlert[] }) {
  const { t } = useI18n();
  if (alerts.length === 0) return <p className="empty">{t('feed.alertsEmpty')}</p>;
  return (
    <ol className="alerts stream" aria-live="polite">
      {alerts.map((a) => {
        const severity =
          typeof a.data.severity === 'string' && ['critical', 'major', 'minor'].includes(a.data.severity)
            ? (a.data.severity as 'critical' | 'major' | 'minor')
            : 'major';
        return (
          <li key={a.id} className={`alert sev-${severity}`}>
            <span className={`sev sev-${severity}`}>{t(`severity.${severity}`)}</span>{' '}
            <strong>{String(a.data.message ?? a.data.checkId ?? '')}</strong>
            <span className="muted">
              {' '}
              · {a.branchId ?? '—'} · {new Date(a.at).toLocaleTimeString()}
              {typeof a.data.atMs === 'number'
                ? ` · ${t('compliance.inCallAt', { t: clock(a.data.atMs) })}`
                : ''}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
