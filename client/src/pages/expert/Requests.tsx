// A request offered to this expert (with a countdown to when it moves on) and
// the waiting queue, each with its context: branch, product, customer's risk level.
import { useEffect, useState } from 'react';
import type { DispatchStatus } from '#protocol/api';
import type { DispatchOffer } from '#protocol/control';
import { productName, riskName, skillName } from '../../lib/products.ts';
import { useI18n } from '../../i18n/I18n.tsx';

export function OfferCard({
  offer,
  onAccept,
  onDecline,
}: {
  offer: DispatchOffer;
  onAccept: () => void;
  onDecline: () => void;
}) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.ceil((offer.expiresAt - now) / 1000));
  return (
    <article
      className={`offer urgency-${offer.urgency}`}
      aria-label={t('expert.offerFrom', { branch: offer.branchName ?? offer.branchId })}
    >
      <header>
        <span className={`urgency urgency-${offer.urgency}`}>{t(`urgency.${offer.urgency}`)}</span>
        <span className="countdown">{t('expert.expiresIn', { s: left })}</span>
      </header>
      <dl className="facts">
        <dt>{t('field.branch')}</dt>
        <dd>{offer.branchName ?? offer.branchId}</dd>
        <dt>{t('field.product')}</dt>
        <dd>{productName(t, offer.product)}</dd>
        <dt>{t('field.risk')}</dt>
        <dd>{riskName(t, offer.customerRiskLevel)}</dd>
        <dt>{t('field.skill')}</dt>
        <dd>{skillName(t, offer.skill)}</dd>
        {offer.language && (
          <>
            <dt>{t('field.language')}</dt>
            <dd>{offer.language}</dd>
          </>
        )}
      </dl>
      {offer.note && <p className="note">{offer.note}</p>}
      <div className="actions">
        <button type="button" className="big" onClick={onAccept}>
          {t('expert.accept')}
        </button>
        <button type="button" className="secondary big" onClick={onDecline}>
          {t('expert.decline')}
        </button>
      </div>
    </article>
  );
}

export function QueueTable({ queue }: { queue: DispatchStatus[] }) {
  const { t } = useI18n();
  if (queue.length === 0) return <p className="empty">{t('expert.queueEmpty')}</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">{t('field.branch')}</th>
          <th scope="col">{t('field.product')}</th>
          <th scope="col">{t('field.risk')}</th>
          <th scope="col">{t('field.skill')}</th>
          <th scope="col">{t('field.urgency')}</th>
          <th scope="col">{t('field.waiting')}</th>
          <th scope="col">{t('field.note')}</th>
        </tr>
      </thead>
      <tbody>
        {queue.map((q, i) => (
          <tr key={q.requestId} data-request={q.requestId}>
            <td>{q.position ?? i + 1}</td>
            <td>{q.branchName ?? q.branchId}</td>
            <td>{productName(t, q.product)}</td>
            <td>{riskName(t, q.customerRiskLevel)}</td>
            <td>{skillName(t, q.skill)}</td>
            <td>
              <span className={`urgency urgency-${q.urgency}`}>{t(`urgency.${q.urgency}`)}</span>
            </td>
            <td>{t('field.minutes', { m: Math.max(0, Math.round((Date.now() - q.createdAt) / 60_000)) })}</td>
            <td className="note-cell">{q.note ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
