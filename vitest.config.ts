// Three projects: `unit` (logic, fast, no processes), `integration` (real Redis,
// mediasoup worker, ffmpeg, Whisper binding…), `e2e` (real Chromium). Integration
// and e2e share one global setup that starts a throwaway redis-server.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          // Projects with different worker limits must run in separate groups (vitest 4).
          sequence: { groupOrder: 0 },
          include: [
            '{protocol,common,server,sfu,edge-node,client,scripts}/src/**/*.test.{ts,tsx}',
            'test/unit/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // 2-core machines: real workers, ffmpeg and Whisper must not all run at once.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
