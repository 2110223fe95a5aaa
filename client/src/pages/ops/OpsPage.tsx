// Operations: edges (online, version, load, rollout status), branches
// (busyness), experts (presence, load), calls now and today — with charts
// where a glance says more than a table.
import { useEffect, useState } from 'react';
import type { Branch, Call, Deployment, DispatchStatus, EdgeSummary, StaffProfile } from '#protocol/api';
import type { ExpertPresence } from '#protocol/control';
import { AppShell, RequireRole } from '../../components/AppShell.tsx';
import { authedFetch } from '../../lib/auth.ts';
import { useCloud } from '../../hooks/useCloud.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { BranchesPanel, CallsPanel, EdgesPanel, ExpertsPanel, Kpis } from './OpsPanels.tsx';

export interface OpsData {
  edges: EdgeSummary[];
  calls: Call[];
  /** Calls that ended while this page was open (the API lists active calls only). */
  endedToday: Call[];
  queue: DispatchStatus[];
  branches: Branch[];
  experts: StaffProfile[];
  presence: Record<string, ExpertPresence>;
  deployments: Deployment[];
}

const upsert = <T,>(list: T[], item: T, same: (a: T) => boolean) => [...list.filter((x) => !same(x)), item];

export function OpsPage() {
  return (
    <RequireRole role="ops">
      <OpsDashboard />
    </RequireRole>
  );
}

function OpsDashboard() {
  const { t } = useI18n();
  const { cloud, connected } = useCloud();
  const [data, setData] = useState<OpsData>({
    edges: [],
    calls: [],
    endedToday: [],
    queue: [],
    branches: [],
    experts: [],
    presence: {},
    deployments: [],
  });
  const [error, setError] = useState<string>();

  useEffect(() => {
    void Promise.all([
      authedFetch<Branch[]>('/branches'),
      authedFetch<StaffProfile[]>('/staff'),
      authedFetch<Deployment[]>('/deployments?limit=20'),
    ]).then(
      ([branches, staff, deployments]) =>
        setData((d) => ({ ...d, branches, experts: staff.filter((s) => s.role === 'expert'), deployments })),
      (err: Error) => setError(err.message),
    );
  }, []);

  useEffect(() => {
    if (!cloud || !connected) return;
    void cloud.request('dashboard:subscribe', { scope: 'ops' }).then(
      (snap) => setData((d) => ({ ...d, edges: snap.edges, calls: snap.calls, queue: snap.queue })),
      (err: Error) => setError(err.message),
    );
    const offs = [
      cloud.listen('edge:status', (e) =>
        setData((d) => ({ ...d, edges: upsert(d.edges, e, (x) => x.edgeId === e.edgeId) })),
      ),
      cloud.listen('call:updated', (c) =>
        setData((d) => ({
          ...d,
          calls:
            c.status === 'active'
              ? upsert(d.calls, c, (x) => x.id === c.id)
              : d.calls.filter((x) => x.id !== c.id),
          endedToday: c.status === 'ended' ? upsert(d.endedToday, c, (x) => x.id === c.id) : d.endedToday,
        })),
      ),
      cloud.listen('presence:update', (p) =>
        setData((d) => ({ ...d, presence: { ...d.presence, [p.expertId]: p } })),
      ),
      cloud.listen('deployment:update', (dep) =>
        setData((d) => ({ ...d, deployments: [dep, ...d.deployments.filter((x) => x.id !== dep.id)] })),
      ),
    ];
    return () => offs.forEach((off) => off());
  }, [cloud, connected]);

  return (
    <AppShell title={t('ops.title')}>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!connected && <p className="warning">{t('cloud.offline')}</p>}
      <Kpis data={data} />
      <div className="console-grid">
        <EdgesPanel data={data} />
        <BranchesPanel data={data} />
        <ExpertsPanel data={data} />
        <CallsPanel data={data} />
      </div>
    </AppShell>
  );
}
