// Who may do what in a call. One table, read by the room for every request.
import type { CallRole } from '#protocol/roles';
import type { DataChannelLabel, MediaSource } from '#protocol/signaling';

interface RolePolicy {
  /** Media sources the role may publish. */
  publish: ReadonlySet<MediaSource>;
  /** Data channels the role may send on. */
  send: ReadonlySet<DataChannelLabel>;
  /** Whether other participants see this role (the compliance officer watches unseen). */
  visible: boolean;
}

const POLICY: Record<CallRole, RolePolicy> = {
  customer: { publish: new Set(['mic', 'camera']), send: new Set(['chat']), visible: true },
  manager: {
    publish: new Set(['mic', 'camera', 'screen']),
    send: new Set(['chat', 'annotations']),
    visible: true,
  },
  expert: {
    publish: new Set(['mic', 'camera', 'screen']),
    send: new Set(['chat', 'annotations']),
    visible: true,
  },
  observer: { publish: new Set(), send: new Set(), visible: false },
};

export function mayPublish(role: CallRole, source: MediaSource): boolean {
  return POLICY[role].publish.has(source);
}

export function maySend(role: CallRole, label: DataChannelLabel): boolean {
  return POLICY[role].send.has(label);
}

export function isVisible(role: CallRole): boolean {
  return POLICY[role].visible;
}

/** Whether `viewer` receives what `publisher` sends. Everyone sees every visible participant; nobody sees observers. */
export function maySee(_viewer: CallRole, publisher: CallRole): boolean {
  return isVisible(publisher);
}

/** The source kind must agree with the track kind. */
export function sourceMatchesKind(source: MediaSource, kind: 'audio' | 'video'): boolean {
  return source === 'mic' ? kind === 'audio' : kind === 'video';
}
