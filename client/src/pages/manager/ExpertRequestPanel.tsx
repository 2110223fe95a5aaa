// Asking for an expert: skill (the product's by default), urgency and a note —
// the cloud adds the call's product and the customer's risk level for the
// expert; then the live state of the request: place in the queue, ETA, who accepted.
import { useEffect, useState } from 'react';
import type { Call, DispatchStatus, Urgency } from '#protocol/api';
import type { CloudClient } from '../../lib/CloudClient.ts';
import { PRODUCT_SKILL, SKILLS } from '../../lib/products.ts';
import { useI18n } from '../../i18n/I18n.tsx';

const URGENCIES: Urgency[] = ['low', 'normal', 'high', 'critical'];

export function ExpertRequestPanel({
  cloud,
  callId,
  call,
  expertInCall,
}: {
  cloud: CloudClient | undefined;
  callId: string;
  /** The call's record once loaded: its product picks the default skill. */
  call: Call | undefined;
  expertInCall?: string;
}) {
  const { t } = useI18n();
  const productSkill = call?.product ? PRODUCT_SKILL[call.product] : undefined;
  const [skill, setSkill] = useState<string>(productSkill ?? 'wealth');
  const [urgency, setUrgency] = useState<Urgency>('normal');
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<DispatchStatus>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (productSkill) setSkill(productSkill);
  }, [productSkill]);

  useEffect(() => {
    if (!cloud) return;
    return cloud.listen('dispatch:update', (s) => {
      if (s.callId === callId) setStatus((cur) => (!cur || cur.requestId === s.requestId ? s : cur));
    });
  }, [cloud, callId]);

  const request = async () => {
    if (!cloud) return;
    setError(undefined);
    try {
      setStatus(
        await cloud.request('dispatch:request', {
          callId,
          skill,
          urgency,
          ...(note.trim() ? { note: note.trim() } : {}),
        }),
      );
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const cancel = async () => {
    if (!cloud || !status) return;
    await cloud
      .request('dispatch:cancel', { requestId: status.requestId })
      .then(setStatus, (err: Error) => setError(err.message));
  };

  const live = status && status.status !== 'cancelled';
  return (
    <section className="panel expert-panel" aria-labelledby="expert-h">
      <h2 id="expert-h">{t('dispatch.title')}</h2>
      {live ? (
        <div className={`dispatch-status st-${status.status}`} role="status" aria-live="polite">
          <strong>
            {status.status === 'assigned' && expertInCall
              ? t('dispatch.inCall', { name: expertInCall })
              : t(`dispatch.${status.status}`)}
          </strong>
          {status.status === 'queued' && (
            <>
              {status.position !== undefined && (
                <p className="queue-pos">{t('dispatch.position', { n: status.position })}</p>
              )}
              <p className="eta">
                {status.etaS === null || status.etaS === undefined
                  ? t('dispatch.noEta')
                  : t('dispatch.eta', { m: Math.max(1, Math.round(status.etaS / 60)) })}
              </p>
            </>
          )}
          {status.status === 'assigned' && !expertInCall && (
            <p>{t('dispatch.assignedTo', { name: status.expertName ?? status.expertId ?? '' })}</p>
          )}
          {status.status !== 'assigned' && (
            <button type="button" className="secondary" onClick={() => void cancel()}>
              {t('dispatch.cancel')}
            </button>
          )}
        </div>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void request();
          }}
        >
          <div className="row">
            <label>
              {t('field.skill')}
              <select value={skill} onChange={(e) => setSkill(e.target.value)}>
                {SKILLS.map((s) => (
                  <option key={s} value={s}>
                    {t(`skill.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('field.urgency')}
              <select value={urgency} onChange={(e) => setUrgency(e.target.value as Urgency)}>
                {URGENCIES.map((u) => (
                  <option key={u} value={u}>
                    {t(`urgency.${u}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <label>
            {t('dispatch.note')}
            <input value={note} maxLength={300} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="submit" disabled={!cloud}>
            {t('dispatch.request')}
          </button>
          {status?.status === 'cancelled' && <p className="muted">{t('dispatch.cancelled')}</p>}
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
