import type { ViteUserConfig } from 'vitest/config';

/** The test settings every package shares; each package's vitest.config.ts spreads them. */
export const sharedTestConfig: NonNullable<ViteUserConfig['test']> = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  // Runs in the main process before workers fork: points Dawn at SwiftShader when needed.
  globalSetup: ['@octconv/test-utils/environment'],
  reporters: ['default', '@octconv/test-utils/reporter'],
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // tfjs prints an advert for tfjs-node whenever the cpu backend starts in Node.
  onConsoleLog: (log) => !log.includes('looks like you are running TensorFlow.js in Node.js'),
};
