// Header shared by the staff pages: brand, page title, who is signed in, the
// language switch and sign-out. Pages for one role send others to /login.
import { useEffect, type ReactNode } from 'react';
import type { StaffRole } from '#protocol/roles';
import { auth } from '../lib/auth.ts';
import { useSession } from '../hooks/useSession.ts';
import { LanguageSwitch, useI18n } from '../i18n/I18n.tsx';
import '../styles/console.css';

export function AppShell({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  const { t } = useI18n();
  const session = useSession();
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="/">
          {t('brand.name')}
        </a>
        <h1>{title}</h1>
        <div className="topbar-actions">
          {actions}
          {session && (
            <span className="who">
              {session.user.displayName} · {t(`role.${session.user.role}`)}
            </span>
          )}
          <LanguageSwitch />
          {session && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                void auth.logout().then(() => window.location.assign('/'));
              }}
            >
              {t('auth.logout')}
            </button>
          )}
        </div>
      </header>
      <main id="main" className="shell-main">
        {children}
      </main>
    </div>
  );
}

/** Renders `children` for a signed-in member of `role`; otherwise sends the browser to the login page. */
export function RequireRole({ role, children }: { role: StaffRole; children: ReactNode }) {
  const { t } = useI18n();
  const session = useSession();
  const allowed = session?.user.role === role;
  useEffect(() => {
    if (allowed) return;
    const next = window.location.pathname + window.location.search;
    window.location.replace(`/login?role=${role}&next=${encodeURIComponent(next)}`);
  }, [allowed, role]);
  return allowed ? <>{children}</> : <p className="centered">{t('auth.redirecting')}</p>;
}
