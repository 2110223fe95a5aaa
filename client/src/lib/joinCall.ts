// How each kind of participant reaches a call's edge. In the branch (manager,
// customer on the branch Wi-Fi) the browser talks to the edge directly with a
// join token from the cloud; remote staff (expert, compliance observer) go
// through the cloud relay. Each reconnection fetches fresh credentials.
import type { z } from 'zod';
import type { DirectJoinResponse } from '#protocol/api';
import { apiFetch, cloudBaseUrl } from './api.ts';
import { RoomClient, type RoomClientOptions } from './RoomClient.ts';
import { DeferredChannel, RelayChannel } from './RelayChannel.ts';
import { EdgeSocketChannel } from './SignalChannel.ts';

type Common = Pick<RoomClientOptions, 'displayName' | 'device' | 'publish'>;

export function directRoom(callId: string, token: () => Promise<string>, o: Common): RoomClient {
  return new RoomClient({
    ...o,
    connect: () =>
      new DeferredChannel(async () => {
        const access = await apiFetch<z.infer<typeof DirectJoinResponse>>(
          `/calls/${encodeURIComponent(callId)}/join-token`,
          { method: 'POST', token: await token() },
        );
        return new EdgeSocketChannel(access.edge.publicUrl, access.edge.joinToken, access.edge.iceServers);
      }),
  });
}

export function relayRoom(callId: string, token: () => Promise<string>, o: Common): RoomClient {
  return new RoomClient({
    ...o,
    connect: () => new DeferredChannel(async () => new RelayChannel(cloudBaseUrl(), await token(), callId)),
  });
}

/** What device this is, for the edge's participant list (and the layout it deserves). */
export function deviceKind(ar = false): NonNullable<RoomClientOptions['device']> {
  if (ar) return { kind: 'ar-glasses', name: navigator.userAgent.slice(0, 80) };
  const tablet = /iPad|Tablet|Android(?!.*Mobile)/i.test(navigator.userAgent);
  return { kind: tablet ? 'tablet' : 'browser', name: navigator.userAgent.slice(0, 80) };
}
