// The manager in a call: three-party video (direct to the branch edge), the
// customer invite, the expert request, the live checklist/transcript/alerts,
// a head-mounted (AR) layout, and the report when the call ends.
import { useEffect, useMemo, useState } from 'react';
import type { CallEvent } from '#protocol/api';
import type { Report } from '#protocol/report';
import { CallHeader, MuteButton } from '../../components/CallHeader.tsx';
import { CallLayout, stageFor } from '../../components/CallLayout.tsx';
import { AlertBanner, AlertsPanel, ChecklistPanel, TranscriptPanel } from '../../components/FeedPanels.tsx';
import { ReportView } from '../../components/ReportView.tsx';
import { AppShell } from '../../components/AppShell.tsx';
import { targetKey, type Target } from '../../lib/annotations/model.ts';
import { auth, authedFetch } from '../../lib/auth.ts';
import { deviceKind, directRoom } from '../../lib/joinCall.ts';
import { useAnnotations } from '../../hooks/useAnnotations.ts';
import { useCloud } from '../../hooks/useCloud.ts';
import { setSourceMuted } from '../../hooks/useMedia.ts';
import { useCallRecord, useStaffCall } from '../../hooks/useStaffCall.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { ArView } from './ArView.tsx';
import { ExpertRequestPanel } from './ExpertRequestPanel.tsx';
import { InvitePanel } from './InvitePanel.tsx';
import { CallSummary } from './CallSummary.tsx';

export function ManagerCall({ callId, onExit }: { callId: string; onExit: () => void }) {
  const { t } = useI18n();
  const name = auth.session?.user.displayName ?? 'Manager';
  const [ar, setAr] = useState(() => new URLSearchParams(window.location.search).get('mode') === 'ar');
  const { media, room, store, view, micMuted, toggleMic, error } = useStaffCall(callId, () =>
    directRoom(callId, () => auth.token(), { displayName: name, device: deviceKind(ar) }),
  );
  const annotations = useAnnotations(store);
  const { cloud, connected } = useCloud();
  const call = useCallRecord(callId, cloud);
  const [report, setReport] = useState<Report>();
  const [verdict, setVerdict] = useState<{ verdict: Report['verdict']; score: number }>();
  const [chosen, setChosen] = useState<Target>();
  const [camOff, setCamOff] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [acked, setAcked] = useState<Set<string>>(new Set());

  // The call's event log: a report arrives as `report.ready` when the edge has written it.
  useEffect(() => {
    if (!cloud || !connected) return;
    const onEvent = (e: CallEvent) => {
      if (e.type !== 'report.ready') return;
      const d = e.data as { report?: Report; verdict?: Report['verdict']; score?: number };
      if (d.report && Array.isArray(d.report.checks)) setReport(d.report);
      if (d.verdict && typeof d.score === 'number') setVerdict({ verdict: d.verdict, score: d.score });
    };
    void cloud.request('dashboard:subscribe', { scope: 'call', id: callId }).then(
      (snap) => snap.events.forEach(onEvent),
      () => undefined,
    );
    return cloud.listen('call:event', (e) => e.callId === callId && onEvent(e));
  }, [cloud, connected, callId]);

  const annotated = useMemo<Target | undefined>(() => {
    if (!room?.peerId) return undefined;
    // Only marks on videos that exist now (after a reconnection everyone has a new peer id).
    const present = new Set([room.peerId, ...view.peers.map((p) => p.peerId)]);
    const keys = new Set(
      [...Object.keys(annotations.frozen), ...annotations.items.map((a) => targetKey(a.target))].filter((k) =>
        present.has(k.split('/')[0]!),
      ),
    );
    for (const source of ['screen', 'camera'] as const)
      if (keys.has(`${room.peerId}/${source}`)) return { peerId: room.peerId, source };
    const any = [...keys][0];
    if (!any) return undefined;
    const [peerId, source] = any.split('/') as [string, 'camera' | 'screen'];
    return { peerId, source };
  }, [annotations, room?.peerId, view.peers]);

  if (!room) return <p className="centered">{t('state.connecting')}</p>;

  const expert = view.peers.find((p) => p.role === 'expert');
  const customer = view.peers.find((p) => p.role === 'customer');
  const fallback: Target | undefined = expert
    ? { peerId: expert.peerId, source: 'camera' }
    : customer
      ? { peerId: customer.peerId, source: 'camera' }
      : undefined;
  // What the expert marks up comes to the front by itself; otherwise the manager's choice, then the expert.
  const target =
    annotated ?? (chosen && view.peers.some((p) => p.peerId === chosen.peerId) ? chosen : fallback);
  const stage = target ? stageFor(target, room, view.peers, view.tracks, t('call.yourCamera')) : undefined;
  const names = Object.fromEntries(view.peers.map((p) => [p.peerId, p.displayName]));
  if (room.peerId) names[room.peerId] = name;

  const toggleShare = async () => {
    if (sharing) {
      await room.unpublish('screen');
      setSharing(false);
      return;
    }
    try {
      const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
      const [track] = display.getVideoTracks();
      if (!track) return;
      track.addEventListener('ended', () => void room.unpublish('screen').then(() => setSharing(false)));
      await room.publish('screen', track);
      setSharing(true);
    } catch {
      /* the user cancelled the picker */
    }
  };
  const endCall = async () => {
    await authedFetch(`/calls/${encodeURIComponent(callId)}/end`, { method: 'POST' }).catch(() => undefined);
    await room.leave();
  };

  if (view.state === 'ended') {
    return (
      <AppShell title={t('manager.callEnded')}>
        {report ? <ReportView report={report} /> : <CallSummary feed={view.feed} verdict={verdict} />}
        <button type="button" className="big" onClick={onExit}>
          {t('manager.backToConsole')}
        </button>
      </AppShell>
    );
  }

  if (ar) {
    return (
      <ArView
        room={room}
        view={view}
        store={store}
        expert={
          expert
            ? stageFor({ peerId: expert.peerId, source: 'camera' }, room, view.peers, view.tracks, '')
            : undefined
        }
        document={stageFor(
          annotated ?? { peerId: room.peerId ?? '', source: sharing ? 'screen' : 'camera' },
          room,
          view.peers,
          view.tracks,
          t('call.yourCamera'),
        )}
        documentMarked={Boolean(annotated)}
        micMuted={micMuted}
        onToggleMic={toggleMic}
        onExit={() => setAr(false)}
        onLeave={() => void room.leave()}
      />
    );
  }

  const alertsBanner = (
    <AlertBanner
      alerts={view.feed.alerts}
      acknowledged={acked}
      onAcknowledge={(k) => setAcked((s) => new Set(s).add(k))}
    />
  );
  return (
    <div className="call-page manager-call">
      <CallHeader title={t('manager.inCall')} call={call} error={error} />
      <CallLayout
        room={room}
        {...view}
        stage={stage}
        onStage={setChosen}
        store={store}
        self={{ name, video: media.stream?.getVideoTracks()[0] }}
        banner={alertsBanner}
        side={
          <>
            <ChecklistPanel items={view.feed.checklist} />
            <TranscriptPanel lines={view.feed.transcript} names={names} />
            <AlertsPanel alerts={view.feed.alerts} />
            {!customer && call?.allowRemoteCustomer !== false && <InvitePanel callId={callId} />}
            <ExpertRequestPanel
              cloud={cloud}
              callId={callId}
              call={call}
              expertInCall={expert?.displayName}
            />
          </>
        }
        controls={
          <>
            <MuteButton muted={micMuted} onToggle={toggleMic} />
            <button
              type="button"
              className="secondary"
              aria-pressed={camOff}
              onClick={() => {
                void setSourceMuted(room, media.stream, 'camera', !camOff);
                setCamOff(!camOff);
              }}
            >
              {camOff ? t('call.cameraOn') : t('call.cameraOff')}
            </button>
            <button
              type="button"
              className="secondary"
              aria-pressed={sharing}
              onClick={() => void toggleShare()}
            >
              {sharing ? t('call.stopShare') : t('call.shareDocument')}
            </button>
            <button type="button" className="secondary" onClick={() => setAr(true)}>
              {t('ar.enter')}
            </button>
            <button type="button" className="leave" onClick={() => void endCall()}>
              {t('manager.endCall')}
            </button>
          </>
        }
      />
    </div>
  );
}
