// Every Redis key the cloud uses, in one place, under one prefix (REDIS_PREFIX).
export class Keys {
  constructor(readonly prefix: string) {}

  // identity
  staff = (id: string) => `${this.prefix}staff:${id}`;
  staffIndex = () => `${this.prefix}staff:index`;
  refresh = (token: string) => `${this.prefix}refresh:${token}`;
  invite = (id: string) => `${this.prefix}invite:${id}`;
  rate = (bucket: string, window: number) => `${this.prefix}rate:${bucket}:${window}`;

  // branches and edges
  branch = (id: string) => `${this.prefix}branch:${id}`;
  branchIndex = () => `${this.prefix}branch:index`;
  branchEdges = (id: string) => `${this.prefix}branch:${id}:edges`;
  branchCalls = (id: string) => `${this.prefix}branch:${id}:calls`;
  edge = (id: string) => `${this.prefix}edge:${id}`;
  edgeIndex = () => `${this.prefix}edge:index`;
  edgeStatus = (id: string) => `${this.prefix}edge:${id}:status`;
  edgeDesired = (id: string) => `${this.prefix}edge:${id}:desired`;
  edgeRevisions = (id: string) => `${this.prefix}edge:${id}:revisions`;
  edgeRevisionDeployments = (id: string) => `${this.prefix}edge:${id}:revision-deployments`;
  edgeCalls = (id: string) => `${this.prefix}edge:${id}:calls`;
  /** ZSET edgeId → last heartbeat (ms) of edges currently online. */
  edgesOnline = () => `${this.prefix}edges:online`;
  deployment = (id: string) => `${this.prefix}deployment:${id}`;
  deploymentTargets = (id: string) => `${this.prefix}deployment:${id}:targets`;
  deploymentIndex = () => `${this.prefix}deployment:index`;

  // calls
  call = (id: string) => `${this.prefix}call:${id}`;
  callParticipants = (id: string) => `${this.prefix}call:${id}:participants`;
  callAllowed = (id: string) => `${this.prefix}call:${id}:allowed`;
  callEvents = (id: string) => `${this.prefix}call:${id}:events`;
  callRequests = (id: string) => `${this.prefix}call:${id}:requests`;
  activeCalls = () => `${this.prefix}calls:active`;

  // dispatch and presence
  expertsOnline = () => `${this.prefix}experts:online`;
  managersOnline = () => `${this.prefix}managers:online`;
  managerAlive = (id: string) => `${this.prefix}manager:${id}:alive`;
  expertChoice = (id: string) => `${this.prefix}expert:${id}:choice`;
  expertAlive = (id: string) => `${this.prefix}expert:${id}:alive`;
  expertCalls = (id: string) => `${this.prefix}expert:${id}:calls`;
  expertOffer = (id: string) => `${this.prefix}expert:${id}:offer`;
  expertLastAssigned = () => `${this.prefix}experts:last-assigned`;
  expertAvailableSince = () => `${this.prefix}experts:available-since`;
  request = (id: string) => `${this.prefix}dispatch:req:${id}`;
  requestSkips = (id: string) => `${this.prefix}dispatch:req:${id}:skips`;
  queue = () => `${this.prefix}dispatch:queue`;
  offers = () => `${this.prefix}dispatch:offers`;
  dispatchStats = () => `${this.prefix}dispatch:stats`;

  /** socket.io redis adapter channel prefix. */
  socketIo = () => `${this.prefix}socket.io`;
}
