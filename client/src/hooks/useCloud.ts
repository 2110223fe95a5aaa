// One /client socket per staff page, authenticated with the current access
// token; token refreshes are announced to the cloud so the socket stays valid.
import { useEffect, useState } from 'react';
import { auth } from '../lib/auth.ts';
import { CloudClient } from '../lib/CloudClient.ts';

export function useCloud(): { cloud: CloudClient | undefined; connected: boolean } {
  const [cloud, setCloud] = useState<CloudClient>();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const c = new CloudClient(() => auth.token());
    const offConn = c.on('connection', (s) => setConnected(s === 'connected'));
    const offAuth = auth.on('change', (s) => {
      if (s && c.connected) void c.request('auth:refresh', { token: s.accessToken }).catch(() => undefined);
    });
    setCloud(c);
    return () => {
      offConn();
      offAuth();
      c.close();
    };
  }, []);
  return { cloud, connected };
}
