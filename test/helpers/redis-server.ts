// The harness and `npm start` share one launcher (scripts/lib).
export * from '../../scripts/lib/redis-server.ts';
