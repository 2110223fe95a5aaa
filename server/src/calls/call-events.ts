// One way to record a call event: append to the call's Redis stream, then push
// it to everyone watching (the call's room, its branch dashboard, compliance
// and ops) — through the adapter, on every instance.
import type { Call, CallEvent, CallEventType } from '#protocol/api';
import { rooms, type Notifier } from '../realtime/notifier.ts';
import type { CallStore } from './call-store.ts';

export class CallEvents {
  constructor(
    private readonly store: CallStore,
    private readonly notifier: Notifier,
  ) {}

  async record(
    call: Pick<Call, 'id' | 'branchId'>,
    type: CallEventType,
    data: Record<string, unknown> = {},
  ): Promise<CallEvent> {
    const event = await this.store.appendEvent(call.id, type, data);
    this.notifier.toClients(
      [rooms.call(call.id), rooms.branch(call.branchId), rooms.compliance(), rooms.ops()],
      'call:event',
      event,
    );
    return event;
  }

  /** Pushes the call's current record (status, edge online flag) to its watchers. */
  async pushCall(callId: string): Promise<void> {
    const call = await this.store.get(callId);
    if (call)
      this.notifier.toClients(
        [rooms.call(call.id), rooms.branch(call.branchId), rooms.compliance(), rooms.ops()],
        'call:updated',
        call,
      );
  }
}
