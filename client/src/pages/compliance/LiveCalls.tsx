import type { Call } from '#protocol/api';
import { productName, riskName } from '../../lib/products.ts';
import { useI18n } from '../../i18n/I18n.tsx';

export function LiveCalls({ calls, onObserve }: { calls: Call[]; onObserve: (callId: string) => void }) {
  const { t } = useI18n();
  if (calls.length === 0) return <p className="empty">{t('compliance.noCalls')}</p>;
  return (
    <table className="table">
      <caption className="visually-hidden">{t('compliance.tab.live')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('field.branch')}</th>
          <th scope="col">{t('field.product')}</th>
          <th scope="col">{t('field.risk')}</th>
          <th scope="col">{t('field.started')}</th>
          <th scope="col">{t('field.edge')}</th>
          <th scope="col">
            <span className="visually-hidden">{t('common.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {[...calls]
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((c) => (
            <tr key={c.id} data-call={c.id}>
              <td>{c.branchId}</td>
              <td>{productName(t, c.product)}</td>
              <td>{riskName(t, c.customerRiskLevel)}</td>
              <td>{new Date(c.createdAt).toLocaleTimeString()}</td>
              <td>
                <span className={c.edgeOnline ? 'dot ok' : 'dot bad'} aria-hidden="true" />{' '}
                {c.edgeOnline ? t('ops.online') : t('ops.offline')}
              </td>
              <td>
                <button
                  type="button"
                  onClick={() => onObserve(c.id)}
                  aria-label={t('compliance.observeCall', {
                    branch: c.branchId,
                    time: new Date(c.createdAt).toLocaleTimeString(),
                  })}
                >
                  {t('compliance.observe')}
                </button>
              </td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
