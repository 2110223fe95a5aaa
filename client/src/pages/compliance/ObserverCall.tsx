// Watching a call as the invisible observer: receive-only through the cloud
// relay (the others are not told), with what is being sold to whom, the live
// checklist, alerts and transcript.
import { useState } from 'react';
import { CallHeader } from '../../components/CallHeader.tsx';
import { CallLayout, stageFor } from '../../components/CallLayout.tsx';
import { AlertBanner, AlertsPanel, ChecklistPanel, TranscriptPanel } from '../../components/FeedPanels.tsx';
import type { Target } from '../../lib/annotations/model.ts';
import { auth } from '../../lib/auth.ts';
import { deviceKind, relayRoom } from '../../lib/joinCall.ts';
import { useCallSession } from '../../hooks/useCallSession.ts';
import { useRoom } from '../../hooks/useRoom.ts';
import { useCallRecord } from '../../hooks/useStaffCall.ts';
import { useI18n } from '../../i18n/I18n.tsx';

export function ObserverCall({ callId, onLeave }: { callId: string; onLeave: () => void }) {
  const { t } = useI18n();
  const name = auth.session?.user.displayName ?? 'Compliance';
  const { room, store, error } = useCallSession(
    () => relayRoom(callId, () => auth.token(), { displayName: name, device: deviceKind(), publish: false }),
    callId,
    undefined,
  );
  const view = useRoom(room);
  const call = useCallRecord(callId);
  const [chosen, setChosen] = useState<Target>();
  const [acked, setAcked] = useState<Set<string>>(new Set());
  if (!room) return <p className="centered">{t('state.connecting')}</p>;
  const customer = view.peers.find((p) => p.role === 'customer') ?? view.peers[0];
  const target =
    chosen && view.peers.some((p) => p.peerId === chosen.peerId)
      ? chosen
      : customer
        ? { peerId: customer.peerId, source: 'camera' as const }
        : undefined;
  const names = Object.fromEntries(view.peers.map((p) => [p.peerId, p.displayName]));
  return (
    <div className="call-page observer-call">
      <CallHeader
        title={t('compliance.observing')}
        call={call}
        actions={<span className="badge">{t('compliance.invisible')}</span>}
        error={error}
      />
      <CallLayout
        room={room}
        {...view}
        stage={target ? stageFor(target, room, view.peers, view.tracks, '') : undefined}
        onStage={setChosen}
        store={store}
        banner={
          <AlertBanner
            alerts={view.feed.alerts}
            acknowledged={acked}
            onAcknowledge={(k) => setAcked((s) => new Set(s).add(k))}
          />
        }
        side={
          <>
            <ChecklistPanel items={view.feed.checklist} />
            <TranscriptPanel lines={view.feed.transcript} names={names} />
            <AlertsPanel alerts={view.feed.alerts} />
          </>
        }
        controls={
          <button type="button" className="leave" onClick={() => void room.leave().then(onLeave)}>
            {t('compliance.stopObserving')}
          </button>
        }
      />
    </div>
  );
}
