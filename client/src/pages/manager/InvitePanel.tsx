// A single-use invite for the customer's own device: QR code to scan, link to send.
import { useState } from 'react';
import type { z } from 'zod';
import type { InviteResponse } from '#protocol/api';
import { QrCode } from '../../components/QrCode.tsx';
import { authedFetch } from '../../lib/auth.ts';
import { useI18n } from '../../i18n/I18n.tsx';

export function InvitePanel({ callId }: { callId: string }) {
  const { t } = useI18n();
  const [invite, setInvite] = useState<z.infer<typeof InviteResponse>>();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const create = async () => {
    setError(undefined);
    try {
      setInvite(
        await authedFetch(`/calls/${encodeURIComponent(callId)}/invites`, {
          body: { ttlS: 900, ...(name.trim() ? { displayName: name.trim() } : {}) },
        }),
      );
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section className="panel invite-panel" aria-labelledby="invite-h">
      <h2 id="invite-h">{t('invite.title')}</h2>
      {invite ? (
        <div className="invite">
          <QrCode value={invite.url} label={t('invite.qrLabel')} size={176} />
          <div>
            <p>{t('invite.scan')}</p>
            <a className="invite-link" href={invite.url} target="_blank" rel="noreferrer">
              {invite.url}
            </a>
            <p className="muted">
              {t('invite.expires', { time: new Date(invite.expiresAt).toLocaleTimeString() })}
            </p>
            <button
              type="button"
              className="secondary"
              onClick={() => void navigator.clipboard?.writeText(invite.url)}
            >
              {t('invite.copy')}
            </button>{' '}
            <button type="button" className="secondary" onClick={() => setInvite(undefined)}>
              {t('invite.new')}
            </button>
          </div>
        </div>
      ) : (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <label>
            {t('invite.customerName')}
            <input
              value={name}
              maxLength={120}
              onChange={(e) => setName(e.target.value)}
              placeholder={t('invite.customerPlaceholder')}
            />
          </label>
          <button type="submit">{t('invite.create')}</button>
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
