// React view of a RoomClient: state, peers, remote tracks, active speaker and
// the edge's live feed (transcript, alerts, checklist). The room is created
// by the page; this hook only listens.
import { useEffect, useReducer, useState } from 'react';
import type { PeerInfo } from '#protocol/signaling';
import { EMPTY_FEED, feedReducer } from '../lib/callFeed.ts';
import type { CallState, RemoteTrack, RoomClient } from '../lib/RoomClient.ts';

export function useRoom(room: RoomClient | undefined) {
  const [state, setState] = useState<CallState>(room?.state ?? 'idle');
  const [reason, setReason] = useState<string>();
  const [peers, setPeers] = useState<PeerInfo[]>([]);
  const [tracks, setTracks] = useState<RemoteTrack[]>([]);
  const [speaker, setSpeaker] = useState<string | null>(null);
  const [feed, dispatch] = useReducer(feedReducer, EMPTY_FEED);

  useEffect(() => {
    if (!room) return;
    const offs = [
      room.on('state', (s, r) => {
        setState(s);
        setReason(r);
      }),
      room.on('peers', setPeers),
      room.on('tracks', setTracks),
      room.on('activeSpeaker', setSpeaker),
      room.on('transcript', (segment) => dispatch({ type: 'transcript', segment })),
      room.on('alert', (alert) => dispatch({ type: 'alert', alert })),
      room.on('checklist', (items) => dispatch({ type: 'checklist', items })),
    ];
    return () => offs.forEach((off) => off());
  }, [room]);

  return { state, reason, peers, tracks, speaker, feed };
}

/** The remote video track of a participant's camera or screen, if it is flowing. */
export function videoOf(
  tracks: RemoteTrack[],
  peerId: string | undefined,
  source: 'camera' | 'screen' = 'camera',
): RemoteTrack | undefined {
  return tracks.find((t) => t.peerId === peerId && t.kind === 'video' && t.source === source);
}

export function audioOf(tracks: RemoteTrack[], peerId: string): RemoteTrack | undefined {
  return tracks.find((t) => t.peerId === peerId && t.kind === 'audio');
}
