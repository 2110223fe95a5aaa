// The start page: what BranchEdge is, one entry per role, and whether the
// system behind this page is up.
import { useEffect, useState } from 'react';
import { LanguageSwitch, useI18n } from '../i18n/I18n.tsx';

type Health = { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> } | null;

const ROLES = [
  { path: '/manager', key: 'manager' },
  { path: '/expert', key: 'expert' },
  { path: '/compliance', key: 'compliance' },
  { path: '/ops', key: 'ops' },
] as const;

export function HomePage() {
  const { t } = useI18n();
  const [health, setHealth] = useState<Health>(null);
  useEffect(() => {
    fetch('/readyz')
      .then((r) => r.json())
      .then(setHealth)
      .catch(() => setHealth({ ready: false, checks: {} }));
  }, []);
  return (
    <div className="home-page">
      <header className="customer-top">
        <span className="brand">{t('brand.name')}</span>
        <LanguageSwitch />
      </header>
      <main className="home">
        <h1>{t('brand.name')}</h1>
        <p className="tagline">{t('home.tagline')}</p>
        <section aria-label={t('home.chooseRole')} className="role-grid">
          {ROLES.map((r) => (
            <a key={r.path} className="role-card" href={r.path}>
              <h2>{t(`home.role.${r.key}`)}</h2>
              <p>{t(`home.role.${r.key}.text`)}</p>
            </a>
          ))}
        </section>
        <p className="hint">{t('home.customerHint')}</p>
        <footer aria-live="polite" className={health?.ready ? 'health ok' : 'health'}>
          {health === null ? t('home.checking') : health.ready ? t('home.ready') : t('home.notReady')}
          {health &&
            Object.entries(health.checks).map(([name, c]) => (
              <span key={name} className={c.ok ? 'health-check ok' : 'health-check'}>
                {name}: {c.detail ?? (c.ok ? 'ok' : '—')}
              </span>
            ))}
        </footer>
      </main>
    </div>
  );
}
