// Staff sign-in. After login each role lands on its own page (or on `next`).
import { useState, type FormEvent } from 'react';
import type { StaffRole } from '#protocol/roles';
import { ApiError } from '../lib/api.ts';
import { auth } from '../lib/auth.ts';
import { LanguageSwitch, useI18n } from '../i18n/I18n.tsx';

const HOME: Record<StaffRole, string> = {
  manager: '/manager',
  expert: '/expert',
  compliance: '/compliance',
  ops: '/ops',
};

/** Only same-site paths: `next` comes from the URL and must not send anyone elsewhere. */
export function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

export function LoginPage() {
  const { t } = useI18n();
  const params = new URLSearchParams(window.location.search);
  const wanted = params.get('role') as StaffRole | null;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const s = await auth.login(username.trim(), password);
      const next = safeNext(params.get('next'));
      window.location.assign(next && (!wanted || wanted === s.user.role) ? next : HOME[s.user.role]);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'rate_limited') setError(t('auth.rateLimited'));
      else if (err instanceof ApiError && err.status === 401) setError(t('auth.bad'));
      else setError(t('auth.failed'));
    }
  };

  return (
    <div className="login-page">
      <header className="customer-top">
        <a className="brand" href="/">
          {t('brand.name')}
        </a>
        <LanguageSwitch />
      </header>
      <main className="card login-card">
        <h1>{t('auth.title')}</h1>
        {wanted && HOME[wanted] && (
          <p className="muted">{t('auth.needRole', { role: t(`role.${wanted}`) })}</p>
        )}
        <form onSubmit={(e) => void submit(e)} className="stack">
          <label>
            {t('auth.username')}
            <input
              name="username"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              required
              autoFocus
            />
          </label>
          <label>
            {t('auth.password')}
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </label>
          <button type="submit" className="big" disabled={busy}>
            {busy ? t('common.working') : t('auth.submit')}
          </button>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      </main>
    </div>
  );
}
