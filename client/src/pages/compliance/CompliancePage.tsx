// The compliance officer: calls running now (observe any of them unseen), the
// alerts stream, and inspection reports (from the call event log, or opened
// from a file written by `npm run inspect`), each with playback when a
// recording is at hand.
import { useCallback, useEffect, useState } from 'react';
import type { Call, CallEvent } from '#protocol/api';
import type { Report } from '#protocol/report';
import { AppShell, RequireRole } from '../../components/AppShell.tsx';
import { authedFetch } from '../../lib/auth.ts';
import { useCloud } from '../../hooks/useCloud.ts';
import { useUrlParam } from '../../hooks/useUrlParam.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { AlertStream, type StreamAlert } from './AlertStream.tsx';
import { LiveCalls } from './LiveCalls.tsx';
import { ObserverCall } from './ObserverCall.tsx';
import { ReportsList, entryOf, type ReportEntry } from './ReportsList.tsx';

type Tab = 'live' | 'alerts' | 'reports';
const TABS: Tab[] = ['live', 'alerts', 'reports'];

export function CompliancePage() {
  return (
    <RequireRole role="compliance">
      <ComplianceConsole />
    </RequireRole>
  );
}

function asReport(data: Record<string, unknown>): Report | undefined {
  const r = data.report as Report | undefined;
  return r && typeof r === 'object' && Array.isArray(r.checks) && Array.isArray(r.transcript) ? r : undefined;
}

function ComplianceConsole() {
  const { t } = useI18n();
  const { cloud, connected } = useCloud();
  const [observe, go] = useUrlParam('observe');
  const [tab, setTab] = useState<Tab>('live');
  const [calls, setCalls] = useState<Call[]>([]);
  const [alerts, setAlerts] = useState<StreamAlert[]>([]);
  const [reports, setReports] = useState<ReportEntry[]>([]);

  const onEvent = useCallback((e: CallEvent, branchId?: string) => {
    if (e.type === 'alert.raised') {
      setAlerts((a) =>
        a.some((x) => x.id === e.id)
          ? a
          : [{ id: e.id, callId: e.callId, at: e.at, branchId, data: e.data }, ...a].slice(0, 500),
      );
    }
    if (e.type !== 'report.ready') return;
    // The edge announces each report with its verdict and score; the full report, when the event carries it.
    const report = asReport(e.data);
    const d = e.data as { verdict?: ReportEntry['verdict']; score?: number; pack?: ReportEntry['pack'] };
    const entry: ReportEntry | undefined = report
      ? entryOf(report, e.at, 'cloud', branchId)
      : d.verdict && typeof d.score === 'number' && d.pack
        ? {
            callId: e.callId,
            verdict: d.verdict,
            score: d.score,
            pack: d.pack,
            at: e.at,
            source: 'cloud',
            ...(branchId ? { branchId } : {}),
          }
        : undefined;
    if (entry) setReports((rs) => [entry, ...rs.filter((r) => r.callId !== entry.callId)]);
  }, []);

  useEffect(() => {
    if (!cloud || !connected) return;
    let branchOf: Record<string, string> = {};
    void cloud.request('dashboard:subscribe', { scope: 'compliance' }).then(async (snap) => {
      setCalls(snap.calls);
      branchOf = Object.fromEntries(snap.calls.map((c) => [c.id, c.branchId]));
      // Alerts and reports raised before this page opened, for the calls still running.
      for (const c of snap.calls) {
        const events = await authedFetch<CallEvent[]>(`/calls/${encodeURIComponent(c.id)}/events`).catch(
          () => [],
        );
        events.forEach((e) => onEvent(e, c.branchId));
      }
    });
    const offs = [
      cloud.listen('call:updated', (call) => {
        branchOf[call.id] = call.branchId;
        setCalls((cs) => [...cs.filter((c) => c.id !== call.id), call].filter((c) => c.status === 'active'));
      }),
      cloud.listen('call:event', (e) => onEvent(e, branchOf[e.callId])),
    ];
    return () => offs.forEach((off) => off());
  }, [cloud, connected, onEvent]);

  if (observe) return <ObserverCall callId={observe} onLeave={() => go(null)} />;

  return (
    <AppShell
      title={t('compliance.title')}
      actions={
        alerts.length > 0 ? (
          <span className="badge sev-critical">{t('compliance.alertCount', { count: alerts.length })}</span>
        ) : undefined
      }
    >
      <div className="tabs" role="tablist" aria-label={t('compliance.title')}>
        {TABS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`tab-${k}`}
            aria-selected={tab === k}
            aria-controls={`panel-${k}`}
            className={tab === k ? 'tab active' : 'tab'}
            onClick={() => setTab(k)}
          >
            {t(`compliance.tab.${k}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
        {tab === 'live' && <LiveCalls calls={calls} onObserve={go} />}
        {tab === 'alerts' && <AlertStream alerts={alerts} />}
        {tab === 'reports' && (
          <ReportsList
            reports={reports}
            onOpened={(entry) => setReports((rs) => [entry, ...rs.filter((r) => r.callId !== entry.callId)])}
          />
        )}
      </div>
      {!connected && <p className="warning">{t('cloud.offline')}</p>}
    </AppShell>
  );
}
