// The remote expert: presence, incoming requests with their context, accept or
// decline, then the call (through the cloud relay) with annotation tools.
import { useEffect, useState } from 'react';
import type { DispatchStatus } from '#protocol/api';
import type { DispatchOffer } from '#protocol/control';
import { AppShell, RequireRole } from '../../components/AppShell.tsx';
import { authedFetch, auth } from '../../lib/auth.ts';
import { useCloud } from '../../hooks/useCloud.ts';
import { useUrlParam } from '../../hooks/useUrlParam.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { ExpertCall } from './ExpertCall.tsx';
import { OfferCard, QueueTable } from './Requests.tsx';

type Presence = 'available' | 'away' | 'busy' | 'offline';

export function ExpertPage() {
  return (
    <RequireRole role="expert">
      <ExpertConsole />
    </RequireRole>
  );
}

function ExpertConsole() {
  const { t } = useI18n();
  const { cloud, connected } = useCloud();
  const [callId, go] = useUrlParam('call');
  const [presence, setPresence] = useState<Presence>('offline');
  const [offers, setOffers] = useState<DispatchOffer[]>([]);
  const [queue, setQueue] = useState<DispatchStatus[]>([]);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!cloud) return;
    const offs = [
      cloud.listen('dispatch:offer', (offer) =>
        setOffers((o) => [...o.filter((x) => x.requestId !== offer.requestId), offer]),
      ),
      cloud.listen('dispatch:offer-withdrawn', ({ requestId }) =>
        setOffers((o) => o.filter((x) => x.requestId !== requestId)),
      ),
      cloud.listen('presence:update', (p) => p.expertId === auth.session?.user.id && setPresence(p.status)),
    ];
    return () => offs.forEach((off) => off());
  }, [cloud]);

  // On every (re)connection: announce availability unless in a call.
  useEffect(() => {
    if (!cloud || !connected) return;
    void cloud
      .request('presence:set', { status: callId ? 'busy' : 'available' })
      .then((p) => setPresence(p.status))
      .catch((err: Error) => setError(err.message));
  }, [cloud, connected, callId]);

  useEffect(() => {
    if (callId) return;
    const load = () => void authedFetch<DispatchStatus[]>('/dispatch/queue').then(setQueue, () => undefined);
    load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [callId, offers.length]);

  const setChoice = async (status: 'available' | 'away') => {
    if (!cloud) return;
    try {
      setPresence((await cloud.request('presence:set', { status })).status);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const accept = async (offer: DispatchOffer) => {
    if (!cloud) return;
    try {
      const assignment = await cloud.request('dispatch:accept', { requestId: offer.requestId });
      setOffers((o) => o.filter((x) => x.requestId !== offer.requestId));
      go(assignment.callId);
    } catch (err) {
      setError((err as Error).message);
      setOffers((o) => o.filter((x) => x.requestId !== offer.requestId));
    }
  };

  const decline = async (offer: DispatchOffer) => {
    setOffers((o) => o.filter((x) => x.requestId !== offer.requestId));
    await cloud
      ?.request('dispatch:decline', { requestId: offer.requestId })
      .catch((err: Error) => setError(err.message));
  };

  if (callId) return <ExpertCall callId={callId} cloud={cloud} onLeave={() => go(null)} />;

  return (
    <AppShell
      title={t('expert.title')}
      actions={
        <span className={`presence presence-${presence}`} role="status">
          {t(`presence.${presence}`)}
        </span>
      }
    >
      <div className="console-grid">
        <section className="panel" aria-labelledby="presence-h">
          <h2 id="presence-h">{t('expert.presence')}</h2>
          <div className="segmented" role="group" aria-label={t('expert.presence')}>
            <button
              type="button"
              aria-pressed={presence === 'available'}
              onClick={() => void setChoice('available')}
            >
              {t('presence.available')}
            </button>
            <button
              type="button"
              className="secondary"
              aria-pressed={presence === 'away'}
              onClick={() => void setChoice('away')}
            >
              {t('presence.away')}
            </button>
          </div>
          {!connected && <p className="warning">{t('cloud.offline')}</p>}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </section>
        <section className="panel offers" aria-labelledby="offers-h">
          <h2 id="offers-h">{t('expert.incoming')}</h2>
          <div aria-live="assertive">
            {offers.length === 0 ? (
              <p className="empty">{t('expert.noOffers')}</p>
            ) : (
              offers.map((o) => (
                <OfferCard
                  key={o.requestId}
                  offer={o}
                  onAccept={() => void accept(o)}
                  onDecline={() => void decline(o)}
                />
              ))
            )}
          </div>
        </section>
        <section className="panel wide" aria-labelledby="queue-h">
          <h2 id="queue-h">{t('expert.queue')}</h2>
          <QueueTable queue={queue} />
        </section>
      </div>
    </AppShell>
  );
}
