import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints how many tests ran, passed, failed and were skipped per backend (suites named
 * `… [cpu]`, `… [wasm]`, `… [webgpu]`), so a CI log shows that WebGPU really ran.
 */
export default class BackendSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = new Map<string, Record<string, number>>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const backend = /\[(cpu|wasm|webgpu)\]/.exec(test.fullName)?.[1] ?? 'backend-free';
        const state = test.result().state;
        const row = counts.get(backend) ?? { passed: 0, failed: 0, skipped: 0, pending: 0 };
        row[state] = (row[state] ?? 0) + 1;
        counts.set(backend, row);
      }
    }
    const lines = [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([backend, row]) =>
          `  ${backend.padEnd(13)} ${row.passed} passed, ${row.failed} failed, ${row.skipped} skipped`,
      );
    console.log(`\n[octconv] tests per backend:\n${lines.join('\n')}\n`);
  }
}
