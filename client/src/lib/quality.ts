// Network quality for the indicator, from two consecutive samples of the
// transports' stats: loss over the interval and the current round trip.
export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

export interface NetSample {
  rttMs?: number;
  packetsLost: number;
  packetsReceived: number;
}

export function assessQuality(prev: NetSample | undefined, cur: NetSample): Quality {
  const received = prev ? cur.packetsReceived - prev.packetsReceived : cur.packetsReceived;
  const lost = prev ? cur.packetsLost - prev.packetsLost : cur.packetsLost;
  if (cur.rttMs === undefined && received <= 0) return 'unknown';
  const loss = received + lost > 0 ? Math.max(0, lost) / (received + Math.max(0, lost)) : 0;
  const rtt = cur.rttMs ?? 0;
  if (loss > 0.08 || rtt > 600) return 'poor';
  if (loss > 0.02 || rtt > 250) return 'fair';
  return 'good';
}
