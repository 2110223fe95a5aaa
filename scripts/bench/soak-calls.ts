// The soak benchmark's calls, through a real edge's own front door: each
// participant joins with a join token over the edge's socket.io signaling and
// publishes with `produce`, so the edge's CallRegistry, audio taps,
// transcription, compliance and recording all see an ordinary call. Only the
// transports are the SFU benchmark's (sfu-ours.ts): SRTP PlainTransports to the
// synthetic generator (simulcast VP8 + this role's spoken turns as Opus) and to
// receivers on the client worker, which count what arrives and what is lost.
import type { types } from 'mediasoup';
import type { CallRole } from '#protocol/roles';
import { SFU_NOTIFY_EVENT, type SignalNotification } from '#protocol/signaling';
import type { TestEdge } from '../../test/helpers/edge.ts';
import { SignalClient } from '../../test/helpers/signal-client.ts';
import type { ClientWorker } from './sfu-client.ts';
import type { Generator } from './sfu-generator.ts';
import { producerRtpParameters } from './sfu-media.ts';
import { connectReceiver, connectSender, receiverCapabilities, type OurSfuOptions } from './sfu-ours.ts';
import type { SrtpSuite } from './sfu-srtp.ts';
import type { RoleTrack } from './soak-speech.ts';

export interface SoakParticipant {
  callId: string;
  peerId: string;
  role: CallRole;
  track: RoleTrack;
  /** How far into its loop this participant's speech starts at the generator's clock 0, ms. */
  skipMs: number;
  signal: SignalClient;
}

export interface SoakCallOptions {
  edge: TestEdge;
  callId: string;
  generator: Generator;
  client: ClientWorker;
  listenIp: string;
  input: NonNullable<OurSfuOptions['input']>;
  outputSuite: SrtpSuite;
  /** One per role, in join order. */
  tracks: RoleTrack[];
  skipMs: number;
  /** First SSRC of this call's microphones (one per participant). */
  ssrcBase: number;
}

/** Joins one three-party call; its media flows once the generator starts. */
export async function addSoakCall(o: SoakCallOptions): Promise<SoakParticipant[]> {
  const { edge, callId, generator, client, listenIp } = o;
  const sockets = await generator.open(o.tracks.length, listenIp);
  const pending: Promise<unknown>[] = [];
  const participants: SoakParticipant[] = [];
  const targets: Array<{ index: number; host: string; port: number }> = [];
  const params = producerRtpParameters();
  for (const [i, track] of o.tracks.entries()) {
    const peerId = `${callId}-${track.role}`;
    const token = edge.keys.mint(edge.edge.config.edgeId, {
      sub: peerId,
      callId,
      role: track.role,
      branchId: edge.edge.config.branchId,
      name: track.role,
    });
    const signal = await SignalClient.connect(edge.url, token);
    await signal.request('getRouterRtpCapabilities'); // answered once the edge has placed the peer
    const peer = edge.edge.calls.get(callId)?.room?.peers.get(peerId);
    if (!peer) throw new Error(`${peerId} was not placed in ${callId}`);
    const receiver = await connectReceiver(peer, client, listenIp, o.outputSuite);
    signal.socket.on(SFU_NOTIFY_EVENT, (n: SignalNotification) => {
      signal.notifications.length = 0; // a 30-minute run must not keep every notification
      if (n.type !== 'newConsumer') return;
      pending.push(
        client
          .receive(receiver, n.kind, n.rtpParameters as types.RtpParameters)
          .then(() => signal.request('resumeConsumer', { consumerId: n.consumerId })),
      );
    });
    const send = await connectSender(peer, sockets[i]!.port, listenIp, o.input);
    await signal.request('join', {
      displayName: track.role,
      rtpCapabilities: receiverCapabilities(peer.router),
    });
    const ssrc = o.ssrcBase + i;
    await signal.request('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: { ...params.audio, encodings: [{ ssrc }] },
    });
    await signal.request('produce', {
      transportId: send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: params.video,
    });
    await generator.speech(sockets[i]!.index, {
      ssrc,
      packets: track.packets.map((p) => p.toString('base64')),
      skipMs: o.skipMs,
    });
    targets.push({ index: sockets[i]!.index, host: listenIp, port: send.tuple.localPort });
    participants.push({ callId, peerId, role: track.role, track, skipMs: o.skipMs, signal });
  }
  await generator.connect(targets);
  // Every participant receives the others' mic and camera; the last notifications may trail the last ack.
  const expected = o.tracks.length * (o.tracks.length - 1) * 2;
  const deadline = Date.now() + 10_000;
  while (pending.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (pending.length < expected)
    throw new Error(`${callId}: ${pending.length}/${expected} consumers offered`);
  await Promise.all(pending);
  return participants;
}
