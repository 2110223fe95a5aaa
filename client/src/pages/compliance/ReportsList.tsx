// Inspection reports: filter by verdict, branch and text; open one to read it,
// with playback. Reports come from the cloud archive (audited: opening one
// records the reason given), live from the call event log (`report.ready`), or
// from a JSON file written by `npm run inspect` (played against a local file).
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ArchivedCallSummary, PlaybackResponse } from '#protocol/archive';
import type { Report, Verdict } from '#protocol/report';
import { ReportView } from '../../components/ReportView.tsx';
import { authedFetch } from '../../lib/auth.ts';
import { useI18n } from '../../i18n/I18n.tsx';

/** A report as the list knows it: the edge's `report.ready` summary, and the full report when at hand. */
export interface ReportEntry {
  callId: string;
  /** Unknown for an archived call until its report is opened. */
  verdict?: Verdict;
  score?: number;
  pack?: { id: string; version: string };
  at: number;
  branchId?: string;
  report?: Report;
  source: 'cloud' | 'archive' | 'file';
  /** The cloud archive holds the report (open it there, audited). */
  archived?: boolean;
  /** The archive also holds the composite recording (otherwise the edge uploads it on request). */
  hasRecording?: boolean;
}

export function entryOf(
  report: Report,
  at: number,
  source: ReportEntry['source'],
  branchId?: string,
): ReportEntry {
  return {
    callId: report.callId,
    verdict: report.verdict,
    score: report.score,
    pack: report.pack,
    at,
    source,
    report,
    ...(branchId ? { branchId } : {}),
  };
}

const VERDICTS: Verdict[] = ['compliant', 'needs-review', 'non-compliant'];

/** Light structural check of a report file (the edge validates the full schema when it writes one). */
export function looksLikeReport(v: unknown): v is Report {
  const r = v as Partial<Report> | null;
  return Boolean(
    r &&
    typeof r.callId === 'string' &&
    typeof r.verdict === 'string' &&
    Array.isArray(r.checks) &&
    Array.isArray(r.transcript) &&
    r.pack,
  );
}

/** Live/file entries and the archive's calls, one row per call (what is known of it merged). */
export function mergeEntries(entries: ReportEntry[], archived: ArchivedCallSummary[]): ReportEntry[] {
  const byId = new Map(entries.map((e) => [e.callId, e]));
  for (const a of archived) {
    if (!a.items.report || a.shredded) continue;
    const known = byId.get(a.callId);
    byId.set(a.callId, {
      source: 'archive',
      at: a.updatedAt,
      ...known,
      callId: a.callId,
      branchId: known?.branchId ?? a.branchId,
      archived: true,
      hasRecording: (a.items.composite ?? 0) > 0,
    });
  }
  return [...byId.values()].sort((x, y) => y.at - x.at);
}

export function ReportsList({
  reports,
  onOpened,
}: {
  reports: ReportEntry[];
  onOpened: (e: ReportEntry) => void;
}) {
  const { t } = useI18n();
  const [verdict, setVerdict] = useState<Verdict | ''>('');
  const [branch, setBranch] = useState('');
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const [archived, setArchived] = useState<ArchivedCallSummary[]>([]);
  const [open, setOpen] = useState<string>();
  const [mediaUrl, setMediaUrl] = useState<string>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => () => void (mediaUrl?.startsWith('blob:') && URL.revokeObjectURL(mediaUrl)), [mediaUrl]);

  const loadArchive = useCallback(async () => {
    try {
      setArchived(await authedFetch<ArchivedCallSummary[]>('/archive/calls'));
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);
  useEffect(() => {
    void loadArchive();
  }, [loadArchive]);

  const rows = useMemo(() => mergeEntries(reports, archived), [reports, archived]);
  const branches = useMemo(
    () => [...new Set(rows.map((r) => r.branchId).filter((b): b is string => Boolean(b)))].sort(),
    [rows],
  );
  const shown = rows.filter(
    (r) =>
      (!verdict || r.verdict === verdict) &&
      (!branch || r.branchId === branch) &&
      (!text ||
        `${r.callId} ${r.pack?.id ?? ''} ${r.report?.checks.map((c) => c.title ?? c.id).join(' ') ?? ''}`
          .toLowerCase()
          .includes(text.toLowerCase())),
  );
  const current = rows.find((r) => r.callId === open && r.report);
  const reasonOk = reason.trim().length >= 3;
  const reasonQuery = reasonOk ? `?reason=${encodeURIComponent(reason.trim())}` : '';

  const openRow = async (r: ReportEntry) => {
    setError(undefined);
    setNotice(undefined);
    setMediaUrl(undefined);
    if (r.report) return setOpen(r.callId);
    try {
      const report = await authedFetch<Report>(
        `/archive/calls/${encodeURIComponent(r.callId)}/report${reasonQuery}`,
      );
      onOpened({
        ...entryOf(report, r.at, 'archive', r.branchId),
        archived: true,
        hasRecording: r.hasRecording ?? false,
      });
      setOpen(r.callId);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const playArchived = async (callId: string) => {
    setError(undefined);
    try {
      const res = await authedFetch<PlaybackResponse>(
        `/archive/calls/${encodeURIComponent(callId)}/playback`,
        { body: reasonOk ? { reason: reason.trim() } : {} },
      );
      setMediaUrl(res.mediaUrl);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  /** Raw media stays in the branch; the full recording comes up only when someone asks (audited). */
  const requestFull = async (callId: string) => {
    setError(undefined);
    try {
      await authedFetch(`/archive/calls/${encodeURIComponent(callId)}/request-full`, {
        body: reasonOk ? { reason: reason.trim() } : {},
      });
      setNotice(t('reports.fullRequested'));
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const loadFile = async (file: File | undefined) => {
    if (!file) return;
    setError(undefined);
    try {
      const parsed = JSON.parse(await file.text()) as unknown;
      if (!looksLikeReport(parsed)) throw new Error('not a report');
      onOpened(entryOf(parsed, file.lastModified, 'file'));
      setOpen(parsed.callId);
    } catch {
      setError(t('reports.badFile'));
    }
  };

  const errorLine = error && (
    <p className="error" role="alert">
      {error}
    </p>
  );

  if (current?.report) {
    return (
      <div className="report-page">
        <div className="row">
          <button type="button" className="secondary" onClick={() => setOpen(undefined)}>
            {t('reports.back')}
          </button>
          {current.archived && current.hasRecording && (
            <button type="button" onClick={() => void playArchived(current.callId)}>
              {t('reports.play')}
            </button>
          )}
          {current.archived && !current.hasRecording && (
            <button type="button" onClick={() => void requestFull(current.callId)}>
              {t('reports.requestFull')}
            </button>
          )}
          <label className="file">
            {t('reports.recording')}
            <input
              type="file"
              accept="video/*,audio/*"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) setMediaUrl(URL.createObjectURL(f));
              }}
            />
          </label>
        </div>
        {errorLine}
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <ReportView report={current.report} mediaUrl={mediaUrl} />
      </div>
    );
  }

  return (
    <div className="reports">
      <form
        className="row filters"
        role="search"
        aria-label={t('reports.filters')}
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          {t('reports.verdict')}
          <select value={verdict} onChange={(e) => setVerdict(e.target.value as Verdict | '')}>
            <option value="">{t('reports.all')}</option>
            {VERDICTS.map((v) => (
              <option key={v} value={v}>
                {t(`verdict.${v}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('field.branch')}
          <select value={branch} onChange={(e) => setBranch(e.target.value)}>
            <option value="">{t('reports.all')}</option>
            {branches.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('reports.search')}
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label>
          {t('reports.reason')}
          <input
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
            placeholder={t('reports.reasonPlaceholder')}
          />
        </label>
        <button type="button" className="secondary" onClick={() => void loadArchive()}>
          {t('reports.refresh')}
        </button>
        <label className="file">
          {t('reports.openFile')}
          <input
            type="file"
            accept="application/json,.json"
            onChange={(e) => void loadFile(e.target.files?.[0])}
          />
        </label>
      </form>
      {errorLine}
      {shown.length === 0 ? (
        <p className="empty">{rows.length === 0 ? t('reports.none') : t('reports.noMatch')}</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">{t('compliance.tab.reports')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('reports.call')}</th>
              <th scope="col">{t('field.branch')}</th>
              <th scope="col">{t('reports.pack')}</th>
              <th scope="col">{t('reports.verdict')}</th>
              <th scope="col">{t('reports.scoreCol')}</th>
              <th scope="col">{t('feed.alerts')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.callId} data-report={r.callId}>
                <td>{r.callId}</td>
                <td>{r.branchId ?? '—'}</td>
                <td>{r.pack ? `${r.pack.id}@${r.pack.version}` : '—'}</td>
                <td>
                  {r.verdict ? (
                    <span className={`verdict-chip verdict-${r.verdict}`}>{t(`verdict.${r.verdict}`)}</span>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{r.score === undefined ? '—' : `${Math.round(r.score * 100)}%`}</td>
                <td>{r.report ? r.report.alerts.length : '—'}</td>
                <td>
                  {r.report || r.archived ? (
                    <button
                      type="button"
                      onClick={() => void openRow(r)}
                      aria-label={t('reports.openReport', { call: r.callId })}
                    >
                      {t('reports.open')}
                    </button>
                  ) : (
                    <span className="muted">{t('reports.onEdge')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
