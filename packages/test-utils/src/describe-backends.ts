import { beforeAll, describe } from 'vitest';
import { type BackendCase, setupBackend, testBackends } from './backends';

/**
 * One suite, every backend: declares `${title} [cpu]`, `[wasm]`, `[webgpu]`, each activating its
 * backend first. Unavailable backends are declared skipped (never silently dropped), so the run's
 * summary counts them; the `[name]` suffix is what the backend summary reporter groups by.
 * Top-level await it: `await describeEachBackend('octaveConv2d', (backend) => { … })`.
 */
export async function describeEachBackend(
  title: string,
  body: (backend: BackendCase) => void,
): Promise<void> {
  for (const backend of await testBackends()) {
    describe.skipIf(!backend.available)(`${title} [${backend.name}]`, () => {
      beforeAll(() => setupBackend(backend.name));
      body(backend);
    });
  }
}
