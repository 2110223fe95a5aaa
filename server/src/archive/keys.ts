// Redis keys of the cloud archive, under the instance's prefix.
export class ArchiveKeys {
  constructor(readonly prefix: string) {}

  item = (edgeId: string, id: string) => `${this.prefix}archive:item:${edgeId}:${id}`;
  itemParts = (edgeId: string, id: string) => `${this.prefix}archive:item:${edgeId}:${id}:parts`;
  /** Hash: edgeId, branchId, head, report/transcript file, hold, shreddedAt… */
  call = (callId: string) => `${this.prefix}archive:call:${callId}`;
  /** Hash: stored file (relative path) → JSON {kind, sha256, size, seq, meta}. */
  callFiles = (callId: string) => `${this.prefix}archive:call:${callId}:files`;
  callAlerts = (callId: string) => `${this.prefix}archive:call:${callId}:alerts`;
  /** ZSET callId → last update. */
  calls = () => `${this.prefix}archive:calls`;
  /** Stream: one entry per item the first time it is complete (exactly-once log). */
  received = () => `${this.prefix}archive:received`;
  /** Stream: the append-only audit log. */
  audit = () => `${this.prefix}archive:audit`;
  /** Hash: command id → JSON, commands waiting for an edge. */
  commands = (edgeId: string) => `${this.prefix}archive:cmds:${edgeId}`;
  /** The Ed25519 key an edge signs manifests with (pinned on first use). */
  edgeKey = (edgeId: string) => `${this.prefix}archive:edge-key:${edgeId}`;
  export = (id: string) => `${this.prefix}archive:export:${id}`;
}
