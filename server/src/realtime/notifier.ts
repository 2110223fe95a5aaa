// How services push to screens and edges without knowing about sockets: one
// small interface (cf. LiveKit's MessageSink). The socket.io implementation
// emits to rooms, which the Redis adapter fans out to every instance; the null
// one serves the CLI and seeding, where nobody listens.
import type { CallEnded, CallAssigned, CloudToEdgeEvents, RelayClose } from '#protocol/edge-link';
import type { CloudToClientEvents } from '#protocol/control';

export type ClientEvent = keyof CloudToClientEvents;
export type ClientPayload<E extends ClientEvent> = Parameters<CloudToClientEvents[E]>[0];

/** Rooms on the `/client` namespace. */
export const rooms = {
  user: (userId: string) => `user:${userId}`,
  participant: (participantId: string) => `participant:${participantId}`,
  call: (callId: string) => `call:${callId}`,
  branch: (branchId: string) => `branch:${branchId}`,
  ops: () => 'ops',
  compliance: () => 'compliance',
  experts: () => 'experts',
};
/** Room on the `/edge` namespace holding an edge's live connection(s). */
export const edgeRoom = (edgeId: string) => `edge:${edgeId}`;

type EdgeNotice =
  | { event: 'call:assigned'; msg: CallAssigned }
  | { event: 'call:ended'; msg: CallEnded }
  | { event: 'relay:close'; msg: RelayClose }
  | { event: 'edge:config'; msg: Parameters<CloudToEdgeEvents['edge:config']>[0] };

export interface Notifier {
  /** Emits to the union of `roomNames` (each socket once). */
  toClients<E extends ClientEvent>(roomNames: string[], event: E, payload: ClientPayload<E>): void;
  toEdge(edgeId: string, notice: EdgeNotice): void;
  /** Drops the edge's live connections (after its key was rotated). */
  disconnectEdge(edgeId: string): void;
}

export const nullNotifier: Notifier = {
  toClients() {},
  toEdge() {},
  disconnectEdge() {},
};
