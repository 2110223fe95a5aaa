// What a page exposes on `window.__branchedge` for the end-to-end tests and for
// support staff in the browser console: the live call objects, nothing secret.
import type { AnnotationStore } from './annotations/AnnotationStore.ts';
import type { RoomClient } from './RoomClient.ts';

declare global {
  interface Window {
    __branchedge?: { room: RoomClient; annotations?: AnnotationStore };
  }
}

export function expose(room: RoomClient, annotations?: AnnotationStore): void {
  window.__branchedge = { room, ...(annotations ? { annotations } : {}) };
}
