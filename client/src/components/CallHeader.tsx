// The top of every staff call page: brand, title, what is being sold and the
// customer's risk level (the context the expert was called for), the language
// switch; any error right under it. Plus the mute button every publisher has.
import type { ReactNode } from 'react';
import type { Call } from '#protocol/api';
import { productName, riskName } from '../lib/products.ts';
import { LanguageSwitch, useI18n } from '../i18n/I18n.tsx';

export function CallHeader({
  title,
  call,
  actions,
  error,
}: {
  title: string;
  /** The call's record from the cloud, once loaded. */
  call?: Call | undefined;
  actions?: ReactNode;
  error?: string | undefined;
}) {
  const { t } = useI18n();
  return (
    <>
      <header className="topbar compact">
        <span className="brand">{t('brand.name')}</span>
        <h1>{title}</h1>
        {call && (
          <dl className="call-context" aria-label={t('call.context')}>
            <dt>{t('field.product')}</dt>
            <dd>{productName(t, call.product)}</dd>
            <dt>{t('field.risk')}</dt>
            <dd className={call.customerRiskLevel ? `risk risk-${call.customerRiskLevel}` : 'risk'}>
              {riskName(t, call.customerRiskLevel)}
            </dd>
          </dl>
        )}
        <div className="topbar-actions">
          {actions}
          <LanguageSwitch />
        </div>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

export function MuteButton({ muted, onToggle }: { muted: boolean; onToggle: () => void }) {
  const { t } = useI18n();
  return (
    <button type="button" className="secondary" aria-pressed={muted} onClick={onToggle}>
      {muted ? t('call.unmute') : t('call.mute')}
    </button>
  );
}
