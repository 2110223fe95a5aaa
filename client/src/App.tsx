// Routes by path; each role has its own page. No router library: a handful of
// top-level paths and query parameters are all the client needs.
import { CallPage } from './pages/CallPage.tsx';
import { HomePage } from './pages/HomePage.tsx';

export function App() {
  const path = window.location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/call') return <CallPage />;
  return <HomePage />;
}
