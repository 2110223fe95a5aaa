// Operations: edges (online, version, load, rollout status), branches
// (busyness), who is online (experts per skill, managers per branch), experts
// (presence, load), calls now and today — with charts where a glance says more
// than a table.
import { useEffect, useState } from 'react';
import type { Branch, Call, Deployment, DispatchStatus, EdgeSummary, StaffProfile } from '#protocol/api';
import type { ExpertPresence, PresenceSnapshot } from '#protocol/control';
import { AppShell, RequireRole } from '../../components/AppShell.tsx';
import { authedFetch } from '../../lib/auth.ts';
import { useCloud } from '../../hooks/useCloud.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { BranchesPanel, CallsPanel, EdgesPanel, ExpertsPanel, Kpis } from './OpsPanels.tsx';
import { PresencePanel } from './PresencePanel.tsx';

/** Managers have no push event: the presence snapshot is re-read this often (and on every expert change). */
const PRESENCE_REFRESH_MS = 15_000;

export interface OpsData {
  edges: EdgeSummary[];
  calls: Call[];
  /** Calls that ended while this page was open (the API lists active calls only). */
  endedToday: Call[];
  queue: DispatchStatus[];
  branches: Branch[];
  experts: StaffProfile[];
  presence: Record<string, ExpertPresence>;
  /** Who is online (GET /presence): counts per skill, managers per branch. */
  onDuty: PresenceSnapshot | undefined;
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
    onDuty: undefined,
    deployments: [],
  });
  const [presenceStale, setPresenceStale] = useState(0);
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

  // The snapshot also gives each expert's presence: it is read after every presence event, so it
  // wins over the event, and it catches what sends no event (an expert whose liveness expired).
  useEffect(() => {
    const load = () =>
      void authedFetch<PresenceSnapshot>('/presence').then(
        (onDuty) =>
          setData((d) => ({
            ...d,
            onDuty,
            presence: { ...d.presence, ...Object.fromEntries(onDuty.experts.map((p) => [p.expertId, p])) },
          })),
        () => undefined,
      );
    load();
    const timer = setInterval(load, PRESENCE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [presenceStale]);

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
      cloud.listen('presence:update', (p) => {
        setData((d) => ({ ...d, presence: { ...d.presence, [p.expertId]: p } }));
        setPresenceStale((n) => n + 1);
      }),
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
        <PresencePanel presence={data.onDuty} />
        <ExpertsPanel data={data} />
        <CallsPanel data={data} />
      </div>
    </AppShell>
  );
}
