// Consent to the dual recording, shown and accepted before any camera or
// microphone is opened. What was accepted (text version, language, time) is
// kept and sent into the call once it is joined, so the recording holds it.
import { useState } from 'react';
import { useI18n } from '../../i18n/I18n.tsx';

/** Bump when the consent wording changes: a record names the version the customer saw. */
export const CONSENT_VERSION = '2024-1';

export interface ConsentRecord {
  type: 'consent';
  /** One id per acceptance: the same record may arrive more than once. */
  id: string;
  version: string;
  lang: string;
  acceptedAt: number;
  recording: true;
}

export function ConsentStep({
  name,
  onAccept,
  onDecline,
}: {
  name: string;
  onAccept: (r: ConsentRecord) => void;
  onDecline: () => void;
}) {
  const { t, lang } = useI18n();
  const [agreed, setAgreed] = useState(false);
  return (
    <main className="card consent" aria-labelledby="consent-h">
      <h1 id="consent-h">{t('consent.title')}</h1>
      <p className="big-text">{t('consent.hello', { name })}</p>
      <ul className="consent-points">
        <li>{t('consent.point1')}</li>
        <li>{t('consent.point2')}</li>
        <li>{t('consent.point3')}</li>
        <li>{t('consent.point4')}</li>
      </ul>
      <label className="check big-check">
        <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} />
        {t('consent.agreeLabel')}
      </label>
      <div className="actions">
        <button
          type="button"
          className="big"
          disabled={!agreed}
          onClick={() =>
            onAccept({
              type: 'consent',
              id: `consent-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
              version: CONSENT_VERSION,
              lang,
              acceptedAt: Date.now(),
              recording: true,
            })
          }
        >
          {t('consent.accept')}
        </button>
        <button type="button" className="secondary big" onClick={onDecline}>
          {t('consent.decline')}
        </button>
      </div>
    </main>
  );
}
