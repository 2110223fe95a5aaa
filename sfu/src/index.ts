// Public surface of the SFU library used by the edge node.
export { WorkerPool, type WorkerPoolOptions, type PooledWorker } from './WorkerPool.ts';
export { Room, type RoomOptions } from './Room.ts';
export { Peer, type PeerChannel, type PeerIdentity } from './Peer.ts';
export { handleRequest, applyLayer, type TransportSettings } from './RoomRequests.ts';
export { AudioTrack, type AudioTrackListener, type AudioCodecInfo } from './AudioTaps.ts';
export { resolveWorkerBin, WorkerBinaryMissingError } from './workerBin.ts';
export { chooseSpatialLayer } from './layers.ts';
export * as permissions from './permissions.ts';
export { DataTaps, type DataMessageListener } from './DataTaps.ts';
