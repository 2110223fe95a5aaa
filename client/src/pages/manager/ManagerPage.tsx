// The account manager's branch console: start a call for a product (and the
// customer's risk level when assessed), then the call itself (ManagerCall).
// Calls already running at the branch can be rejoined.
import { useEffect, useState, type FormEvent } from 'react';
import type { Call } from '#protocol/api';
import { AppShell, RequireRole } from '../../components/AppShell.tsx';
import { authedFetch } from '../../lib/auth.ts';
import {
  PRODUCTS,
  RISK_LEVELS,
  callLabel,
  riskName,
  type Product,
  type RiskLevel,
} from '../../lib/products.ts';
import { useCloud } from '../../hooks/useCloud.ts';
import { useUrlParam } from '../../hooks/useUrlParam.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { ManagerCall } from './ManagerCall.tsx';

export function ManagerPage() {
  return (
    <RequireRole role="manager">
      <ManagerConsole />
    </RequireRole>
  );
}

function ManagerConsole() {
  const [callId, go] = useUrlParam('call');
  return callId ? <ManagerCall callId={callId} onExit={() => go(null)} /> : <Lobby onJoin={go} />;
}

function Lobby({ onJoin }: { onJoin: (callId: string) => void }) {
  const { t } = useI18n();
  const { cloud, connected } = useCloud();
  const [product, setProduct] = useState<Product>('wealth-sale');
  const [risk, setRisk] = useState<RiskLevel | ''>('');
  const [ownDevice, setOwnDevice] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [calls, setCalls] = useState<Call[]>([]);

  useEffect(() => {
    if (!cloud || !connected) return;
    void cloud.request('dashboard:subscribe', { scope: 'branch' }).then(
      (snap) => setCalls(snap.calls),
      (err: Error) => setError(err.message),
    );
    return cloud.listen('call:updated', (call) =>
      setCalls((cs) => [...cs.filter((c) => c.id !== call.id), call].filter((c) => c.status === 'active')),
    );
  }, [cloud, connected]);

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const call = await authedFetch<Call>('/calls', {
        body: {
          product,
          ...(risk ? { customerRiskLevel: risk } : {}),
          allowRemoteCustomer: ownDevice,
        },
      });
      onJoin(call.id);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <AppShell title={t('manager.title')}>
      <div className="console-grid">
        <form className="panel" onSubmit={(e) => void start(e)} aria-labelledby="start-h">
          <h2 id="start-h">{t('manager.startCall')}</h2>
          <fieldset className="choices">
            <legend>{t('manager.product')}</legend>
            {PRODUCTS.map((p) => (
              <label key={p} className={`choice${product === p ? ' selected' : ''}`}>
                <input
                  type="radio"
                  name="product"
                  value={p}
                  checked={product === p}
                  onChange={() => setProduct(p)}
                />
                <strong>{t(`product.${p}`)}</strong>
                <span>{t(`product.${p}.pack`)}</span>
              </label>
            ))}
          </fieldset>
          <label>
            {t('field.risk')}
            <select
              value={risk}
              aria-describedby="risk-hint"
              onChange={(e) => setRisk(e.target.value as RiskLevel | '')}
            >
              <option value="">{t('risk.unknown')}</option>
              {RISK_LEVELS.map((r) => (
                <option key={r} value={r}>
                  {riskName(t, r)}
                </option>
              ))}
            </select>
          </label>
          <p id="risk-hint" className="muted">
            {t('manager.riskHint')}
          </p>
          <label className="check">
            <input type="checkbox" checked={ownDevice} onChange={(e) => setOwnDevice(e.target.checked)} />
            {t('manager.customerOwnDevice')}
          </label>
          <button type="submit" className="big" disabled={busy}>
            {busy ? t('common.working') : t('manager.start')}
          </button>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
        <section className="panel" aria-labelledby="active-h">
          <h2 id="active-h">{t('manager.activeCalls')}</h2>
          {calls.length === 0 ? (
            <p className="empty">{t('manager.noActiveCalls')}</p>
          ) : (
            <ul className="call-list">
              {calls.map((c) => (
                <li key={c.id}>
                  <span>
                    <strong>{callLabel(t, c)}</strong>
                    <span className="muted">
                      {' '}
                      · {riskName(t, c.customerRiskLevel)} · {new Date(c.createdAt).toLocaleTimeString()}
                    </span>
                  </span>
                  <button type="button" className="secondary" onClick={() => onJoin(c.id)}>
                    {t('manager.rejoin')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </AppShell>
  );
}
