// Signal bars from the transports' loss and round-trip time, every 2 s.
import { useEffect, useState } from 'react';
import { assessQuality, type NetSample, type Quality } from '../lib/quality.ts';
import type { RoomClient } from '../lib/RoomClient.ts';
import { useI18n } from '../i18n/I18n.tsx';

export function NetworkIndicator({ room, active }: { room: RoomClient; active: boolean }) {
  const { t } = useI18n();
  const [quality, setQuality] = useState<Quality>('unknown');
  useEffect(() => {
    if (!active) return setQuality('unknown');
    let prev: NetSample | undefined;
    const timer = setInterval(() => {
      void room.networkSample().then((s) => {
        setQuality(assessQuality(prev, s));
        prev = s;
      });
    }, 2000);
    return () => clearInterval(timer);
  }, [room, active]);
  const bars = quality === 'good' ? 3 : quality === 'fair' ? 2 : quality === 'poor' ? 1 : 0;
  return (
    <span
      className={`network q-${quality}`}
      role="img"
      aria-label={t('net.label', { quality: t(`net.${quality}`) })}
      data-quality={quality}
    >
      {[1, 2, 3].map((b) => (
        <span key={b} className={b <= bars ? 'bar on' : 'bar'} style={{ height: `${b * 5 + 3}px` }} />
      ))}
      <span className="net-text">{t(`net.${quality}`)}</span>
    </span>
  );
}
