// Routes by path; each role has its own page. No router library: a handful of
// top-level paths and query parameters are all the client needs. Pages are
// split into chunks so the customer's phone does not load the ops dashboard.
import { lazy, Suspense } from 'react';
import { HomePage } from './pages/HomePage.tsx';
import { useI18n } from './i18n/I18n.tsx';

const CallPage = lazy(() => import('./pages/CallPage.tsx').then((m) => ({ default: m.CallPage })));
const LoginPage = lazy(() => import('./pages/LoginPage.tsx').then((m) => ({ default: m.LoginPage })));
const CustomerJoinPage = lazy(() =>
  import('./pages/customer/CustomerJoinPage.tsx').then((m) => ({ default: m.CustomerJoinPage })),
);
const ManagerPage = lazy(() =>
  import('./pages/manager/ManagerPage.tsx').then((m) => ({ default: m.ManagerPage })),
);
const ExpertPage = lazy(() =>
  import('./pages/expert/ExpertPage.tsx').then((m) => ({ default: m.ExpertPage })),
);
const CompliancePage = lazy(() =>
  import('./pages/compliance/CompliancePage.tsx').then((m) => ({ default: m.CompliancePage })),
);
const OpsPage = lazy(() => import('./pages/ops/OpsPage.tsx').then((m) => ({ default: m.OpsPage })));

function Page({ path }: { path: string }) {
  if (path === '/call') return <CallPage />;
  if (path === '/login') return <LoginPage />;
  if (path === '/join' || path.startsWith('/join/')) return <CustomerJoinPage />;
  if (path === '/manager') return <ManagerPage />;
  if (path === '/expert') return <ExpertPage />;
  if (path === '/compliance') return <CompliancePage />;
  if (path === '/ops') return <OpsPage />;
  return <HomePage />;
}

export function App() {
  const { t } = useI18n();
  const path = window.location.pathname.replace(/\/+$/, '') || '/';
  return (
    <Suspense fallback={<p className="centered">{t('common.loading')}</p>}>
      <Page path={path} />
    </Suspense>
  );
}
