// Inspection reports: filter by verdict, branch and text; open one to read it
// (with playback when a recording file is given). Reports come from the call
// event log (`report.ready`) or from a JSON file written by `npm run inspect`.
import { useEffect, useMemo, useState } from 'react';
import type { Report, Verdict } from '#protocol/report';
import { ReportView } from '../../components/ReportView.tsx';
import { useI18n } from '../../i18n/I18n.tsx';

/** A report as the list knows it: the edge's `report.ready` summary, and the full report when at hand. */
export interface ReportEntry {
  callId: string;
  verdict: Verdict;
  score: number;
  pack: { id: string; version: string };
  at: number;
  branchId?: string;
  report?: Report;
  source: 'cloud' | 'file';
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
  const [open, setOpen] = useState<string>();
  const [mediaUrl, setMediaUrl] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => () => void (mediaUrl && URL.revokeObjectURL(mediaUrl)), [mediaUrl]);

  const branches = useMemo(
    () => [...new Set(reports.map((r) => r.branchId).filter((b): b is string => Boolean(b)))].sort(),
    [reports],
  );
  const shown = reports.filter(
    (r) =>
      (!verdict || r.verdict === verdict) &&
      (!branch || r.branchId === branch) &&
      (!text ||
        `${r.callId} ${r.pack.id} ${r.report?.checks.map((c) => c.title ?? c.id).join(' ') ?? ''}`
          .toLowerCase()
          .includes(text.toLowerCase())),
  );
  const current = reports.find((r) => r.callId === open && r.report);

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

  if (current?.report) {
    return (
      <div className="report-page">
        <div className="row">
          <button type="button" className="secondary" onClick={() => setOpen(undefined)}>
            {t('reports.back')}
          </button>
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
        <label className="file">
          {t('reports.openFile')}
          <input
            type="file"
            accept="application/json,.json"
            onChange={(e) => void loadFile(e.target.files?.[0])}
          />
        </label>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {shown.length === 0 ? (
        <p className="empty">{reports.length === 0 ? t('reports.none') : t('reports.noMatch')}</p>
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
                <td>
                  {r.pack.id}@{r.pack.version}
                </td>
                <td>
                  <span className={`verdict-chip verdict-${r.verdict}`}>{t(`verdict.${r.verdict}`)}</span>
                </td>
                <td>{Math.round(r.score * 100)}%</td>
                <td>{r.report ? r.report.alerts.length : '—'}</td>
                <td>
                  {r.report ? (
                    <button
                      type="button"
                      onClick={() => setOpen(r.callId)}
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
