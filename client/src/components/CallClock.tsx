import { useEffect, useState } from 'react';
import { clock } from '../lib/callFeed.ts';
import { useI18n } from '../i18n/I18n.tsx';

export function CallClock({ startedAt }: { startedAt: number }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <span className="call-clock" aria-label={t('call.duration')}>
      {startedAt ? clock(now - startedAt) : '--:--'}
    </span>
  );
}
