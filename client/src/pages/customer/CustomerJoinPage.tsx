// The customer, from the invite link or QR code, without an account:
// redeem the invite → consent to the dual recording (before any media) →
// camera and microphone check → a big, simple call screen.
import { useEffect, useMemo, useState } from 'react';
import type { z } from 'zod';
import type { RedeemInviteResponse } from '#protocol/api';
import { ApiError, apiFetch } from '../../lib/api.ts';
import { useI18n, LanguageSwitch } from '../../i18n/I18n.tsx';
import { ConsentStep, type ConsentRecord } from './ConsentStep.tsx';
import { DeviceCheck } from './DeviceCheck.tsx';
import { CustomerCall } from './CustomerCall.tsx';
import '../../styles/customer.css';

type Redeemed = z.infer<typeof RedeemInviteResponse>;
type Step = 'redeeming' | 'consent' | 'declined' | 'check' | 'call' | 'ended' | 'error';

// One redeem per invite per page load, even if React runs the effect twice.
const redeeming = new Map<string, Promise<Redeemed>>();
function redeemOnce(invite: string): Promise<Redeemed> {
  let p = redeeming.get(invite);
  if (!p) redeeming.set(invite, (p = apiFetch<Redeemed>('/invites/redeem', { body: { token: invite } })));
  return p;
}

export function inviteTokenFromUrl(loc: Pick<Location, 'pathname' | 'search'>): string {
  const fromPath = /^\/join\/(.+)$/.exec(loc.pathname)?.[1];
  return fromPath ? decodeURIComponent(fromPath) : (new URLSearchParams(loc.search).get('invite') ?? '');
}

export function CustomerJoinPage() {
  const { t } = useI18n();
  const invite = useMemo(() => inviteTokenFromUrl(window.location), []);
  const [step, setStep] = useState<Step>('redeeming');
  const [redeemed, setRedeemed] = useState<Redeemed>();
  const [consent, setConsent] = useState<ConsentRecord>();
  const [stream, setStream] = useState<MediaStream>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    // An invite is single-use: a reload reuses what this tab already redeemed.
    const key = `branchedge.invite.${invite.slice(-24)}`;
    const cached = sessionStorage.getItem(key);
    if (cached) {
      setRedeemed(JSON.parse(cached) as Redeemed);
      setStep('consent');
      return;
    }
    if (!invite) {
      setError(t('customer.noInvite'));
      setStep('error');
      return;
    }
    redeemOnce(invite).then(
      (r) => {
        sessionStorage.setItem(key, JSON.stringify(r));
        setRedeemed(r);
        setStep('consent');
      },
      (err: Error) => {
        const reason =
          err instanceof ApiError
            ? ((err.details as { reason?: string } | undefined)?.reason ?? err.code)
            : 'network';
        setError(
          reason === 'invite_used'
            ? t('customer.inviteUsed')
            : reason === 'expired'
              ? t('customer.inviteExpired')
              : t('customer.inviteInvalid'),
        );
        setStep('error');
      },
    );
  }, [invite, t]);

  return (
    <div className="customer">
      <header className="customer-top">
        <span className="brand">{t('brand.name')}</span>
        <LanguageSwitch />
      </header>
      {step === 'redeeming' && <p className="centered big-text">{t('customer.checkingInvite')}</p>}
      {step === 'error' && (
        <main className="card centered-card">
          <h1>{t('customer.cannotJoin')}</h1>
          <p className="big-text">{error}</p>
          <p>{t('customer.askManager')}</p>
        </main>
      )}
      {step === 'consent' && redeemed && (
        <ConsentStep
          name={redeemed.displayName}
          onAccept={(record) => {
            setConsent(record);
            setStep('check');
          }}
          onDecline={() => setStep('declined')}
        />
      )}
      {step === 'declined' && (
        <main className="card centered-card">
          <h1>{t('consent.declinedTitle')}</h1>
          <p className="big-text">{t('consent.declinedText')}</p>
          <button type="button" className="big" onClick={() => setStep('consent')}>
            {t('consent.review')}
          </button>
        </main>
      )}
      {step === 'check' && (
        <DeviceCheck
          onReady={(s) => {
            setStream(s);
            setStep('call');
          }}
        />
      )}
      {step === 'call' && redeemed && consent && stream && (
        <CustomerCall
          redeemed={redeemed}
          consent={consent}
          stream={stream}
          onEnded={() => setStep('ended')}
        />
      )}
      {step === 'ended' && (
        <main className="card centered-card">
          <h1>{t('customer.thanks')}</h1>
          <p className="big-text">{t('customer.ended')}</p>
        </main>
      )}
    </div>
  );
}
