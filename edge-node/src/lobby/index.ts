// Lobby analytics on the edge: cameras → people → zones, dwell, heat maps,
// busyness. See docs/lobby.md.
export { busynessScore, DEFAULT_BUSYNESS, type BusynessParams } from './busyness.ts';
export { loadLobbyConfigFile, parseLobbyConfig, type CameraConfig, type LobbyFile } from './config.ts';
export { CENTERNET_INPUT, type Detection } from './detector/model.ts';
export { DetectorPool, type DetectorBackend, type PersonDetector } from './detector/DetectorPool.ts';
export { FrameSource, type Frame } from './FrameSource.ts';
export { HeatMap } from './heatmap.ts';
export { lobbyRouter } from './http.ts';
export { LobbyCamera, type FrameResult } from './LobbyCamera.ts';
export { localDay, machineTimeZone } from './day.ts';
export { LobbyService, type ClosedDay } from './LobbyService.ts';
export { LobbyReporter, sendDayOverLink, type AckSocket, type DaySendResult } from './reporter.ts';
export { Tracker, type Track } from './tracker.ts';
export { ZoneCounter } from './zones.ts';
