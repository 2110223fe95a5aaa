import type { Deployment, EdgeSummary } from '#protocol/api';
import { BarChart, toneFor } from '../../components/BarChart.tsx';
import { callLabel, skillName } from '../../lib/products.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import type { OpsData } from './OpsPage.tsx';

const startOfToday = () => new Date(new Date().toDateString()).getTime();

export function Kpis({ data }: { data: OpsData }) {
  const { t } = useI18n();
  const online = data.edges.filter((e) => e.online).length;
  const today = [...data.calls, ...data.endedToday].filter((c) => c.createdAt >= startOfToday()).length;
  const available = Object.values(data.presence).filter((p) => p.status === 'available').length;
  const tiles = [
    {
      label: t('ops.kpi.edges'),
      value: `${online}/${data.edges.length}`,
      tone: online < data.edges.length ? 'warn' : 'ok',
    },
    { label: t('ops.kpi.callsNow'), value: String(data.calls.length), tone: 'info' },
    { label: t('ops.kpi.callsToday'), value: String(today), tone: 'info' },
    {
      label: t('ops.kpi.experts'),
      value: `${available}/${data.experts.length}`,
      tone: available === 0 && data.experts.length > 0 ? 'warn' : 'ok',
    },
    {
      label: t('ops.kpi.queue'),
      value: String(data.queue.length),
      tone: data.queue.length > 0 ? 'warn' : 'ok',
    },
  ];
  return (
    <ul className="kpis" aria-label={t('ops.kpis')}>
      {tiles.map((k) => (
        <li key={k.label} className={`kpi tone-${k.tone}`}>
          <span className="kpi-value">{k.value}</span>
          <span className="kpi-label">{k.label}</span>
        </li>
      ))}
    </ul>
  );
}

/** Where an edge stands with its latest config: in sync, rolling out, or failed. */
export function rolloutStatus(
  edge: EdgeSummary,
  deployments: Deployment[],
): 'synced' | 'pending' | 'failed' | 'unknown' {
  const target = deployments
    .flatMap((d) => d.targets.filter((x) => x.edgeId === edge.edgeId))
    .sort((a, b) => b.updatedAt - a.updatedAt)[0];
  if (target?.status === 'failed') return 'failed';
  if (!edge.desired || !edge.running)
    return target ? (target.status === 'applied' ? 'synced' : 'pending') : 'unknown';
  return edge.desired.revision === edge.running.revision ? 'synced' : 'pending';
}

export function EdgesPanel({ data }: { data: OpsData }) {
  const { t } = useI18n();
  const edges = [...data.edges].sort((a, b) => a.edgeId.localeCompare(b.edgeId));
  return (
    <section className="panel wide" aria-labelledby="edges-h">
      <h2 id="edges-h">{t('ops.edges')}</h2>
      {edges.length === 0 ? (
        <p className="empty">{t('ops.noEdges')}</p>
      ) : (
        <>
          <BarChart
            title={t('ops.edgeLoad')}
            max={1}
            bars={edges.map((e) => {
              const share = e.capacity && e.load ? e.load.calls / Math.max(1, e.capacity.maxCalls) : 0;
              return {
                label: e.edgeId,
                value: share,
                tone: e.online ? toneFor(share) : 'bad',
                text: e.online
                  ? t('ops.callsOf', { n: e.load?.calls ?? 0, max: e.capacity?.maxCalls ?? '?' })
                  : t('ops.offline'),
              };
            })}
          />
          <table className="table">
            <caption className="visually-hidden">{t('ops.edges')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('field.edge')}</th>
                <th scope="col">{t('field.branch')}</th>
                <th scope="col">{t('ops.status')}</th>
                <th scope="col">{t('ops.version')}</th>
                <th scope="col">{t('ops.cpu')}</th>
                <th scope="col">{t('ops.participants')}</th>
                <th scope="col">{t('ops.rollout')}</th>
              </tr>
            </thead>
            <tbody>
              {edges.map((e) => {
                const rollout = rolloutStatus(e, data.deployments);
                return (
                  <tr key={e.edgeId} data-edge={e.edgeId}>
                    <td>{e.edgeId}</td>
                    <td>{e.branchId}</td>
                    <td>
                      <span className={e.online ? 'dot ok' : 'dot bad'} aria-hidden="true" />{' '}
                      {e.online ? t('ops.online') : t('ops.offline')}
                    </td>
                    <td>{e.version ?? '—'}</td>
                    <td>{e.load ? `${Math.round(e.load.cpuPercent)}%` : '—'}</td>
                    <td>{e.load?.participants ?? '—'}</td>
                    <td>
                      <span className={`rollout rollout-${rollout}`}>{t(`ops.rollout.${rollout}`)}</span>
                      {e.running && <span className="muted"> r{e.running.revision}</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export function BranchesPanel({ data }: { data: OpsData }) {
  const { t } = useI18n();
  const rows = data.branches.map((b) => {
    const edges = data.edges.filter((e) => e.branchId === b.id && e.online);
    const busy = edges.length ? Math.max(...edges.map((e) => e.busyness?.score ?? 0)) : null;
    const calls = data.calls.filter((c) => c.branchId === b.id).length;
    return { b, busy, calls };
  });
  return (
    <section className="panel" aria-labelledby="branches-h">
      <h2 id="branches-h">{t('ops.branches')}</h2>
      {rows.length === 0 ? (
        <p className="empty">{t('ops.noBranches')}</p>
      ) : (
        <BarChart
          title={t('ops.busyness')}
          max={1}
          bars={rows.map(({ b, busy, calls }) => ({
            label: b.name,
            value: busy ?? 0,
            tone: busy === null ? 'bad' : toneFor(busy),
            text:
              busy === null
                ? t('ops.noEdgeOnline')
                : `${Math.round(busy * 100)}% · ${t('ops.callsN', { n: calls })}`,
          }))}
        />
      )}
    </section>
  );
}

export function ExpertsPanel({ data }: { data: OpsData }) {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby="experts-h">
      <h2 id="experts-h">{t('ops.experts')}</h2>
      {data.experts.length === 0 ? (
        <p className="empty">{t('ops.noExperts')}</p>
      ) : (
        <ul className="experts">
          {data.experts.map((x) => {
            const p = data.presence[x.id];
            const status = p?.status ?? 'unknown';
            return (
              <li key={x.id} data-expert={x.id}>
                <span className={`presence presence-${status}`}>
                  {status === 'unknown' ? t('ops.presenceUnknown') : t(`presence.${status}`)}
                </span>
                <strong>{x.displayName}</strong>
                <span className="muted">{x.skills.map((s) => skillName(t, s)).join(', ')}</span>
                <meter
                  min={0}
                  max={p?.maxLoad ?? x.maxConcurrentCalls}
                  value={p?.load ?? 0}
                  aria-label={t('ops.expertLoad', { name: x.displayName })}
                />
                <span className="muted">
                  {p?.load ?? 0}/{p?.maxLoad ?? x.maxConcurrentCalls}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export function CallsPanel({ data }: { data: OpsData }) {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby="calls-h">
      <h2 id="calls-h">{t('ops.callsNow')}</h2>
      {data.calls.length === 0 ? (
        <p className="empty">{t('ops.noCalls')}</p>
      ) : (
        <ul className="call-list">
          {data.calls.map((c) => (
            <li key={c.id}>
              <span>
                <strong>{callLabel(t, c)}</strong>{' '}
                <span className="muted">
                  · {c.branchId} · {c.edgeId}
                </span>
              </span>
              <span className="muted">{new Date(c.createdAt).toLocaleTimeString()}</span>
            </li>
          ))}
        </ul>
      )}
      {data.queue.length > 0 && <p className="warning">{t('ops.queueWaiting', { n: data.queue.length })}</p>}
    </section>
  );
}
