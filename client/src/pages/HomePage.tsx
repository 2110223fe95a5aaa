// The start page: what BranchEdge is, one entry per role, and whether the
// system behind this page is up.
import { useEffect, useState } from 'react';

type Health = { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> } | null;

const ROLES = [
  { path: '/manager', title: 'Account manager', text: 'Start a product sale, invite the customer, call an expert, see the compliance checklist live.' },
  { path: '/expert', title: 'Remote expert', text: 'Take requests from branches and guide the sale with annotations on the video.' },
  { path: '/compliance', title: 'Compliance officer', text: 'Watch calls live, review alerts and inspection reports.' },
  { path: '/ops', title: 'Operations', text: 'Edge nodes, branches, experts and calls at a glance.' },
];

export function HomePage() {
  const [health, setHealth] = useState<Health>(null);
  useEffect(() => {
    fetch('/readyz')
      .then((r) => r.json())
      .then(setHealth)
      .catch(() => setHealth({ ready: false, checks: {} }));
  }, []);
  return (
    <main className="home">
      <header>
        <h1>BranchEdge</h1>
        <p className="tagline">Remote expert assistance for bank branches, with live dual-recording compliance checks.</p>
      </header>
      <section aria-label="Choose your role" className="role-grid">
        {ROLES.map((r) => (
          <a key={r.path} className="role-card" href={r.path}>
            <h2>{r.title}</h2>
            <p>{r.text}</p>
          </a>
        ))}
      </section>
      <p className="hint">Customers join from the invite link or QR code their account manager gives them.</p>
      <footer aria-live="polite" className={health?.ready ? 'status ok' : 'status'}>
        {health === null ? 'Checking system…' : health.ready ? 'System ready' : 'System not ready'}
        {health &&
          Object.entries(health.checks).map(([name, c]) => (
            <span key={name} className={c.ok ? 'check ok' : 'check'}>
              {name}: {c.detail}
            </span>
          ))}
      </footer>
    </main>
  );
}
