// The benchmark in Chromium (Debian's, through playwright-core): runBenchmark in a
// cross-origin-isolated page on the browser backends, WebGL included (which Node does not have),
// the table and the backends' facts printed as the CLI prints them. Without a GPU, WebGL renders
// in software (ANGLE on SwiftShader) and WebGPU runs on SwiftShader's Vulkan: right, but far too
// slow to judge speed by (the backend lines say so). --gpu leaves Chromium to find a GPU.
// Usage: node packages/bench/scripts/browser-bench.mjs [--backends webgpu,webgl,wasm]
//   [--cases layer-c64] [--suite default] [--runs 10] [--warmup 3] [--threads N] [--json FILE]
//   [--gpu]   (build the packages first). Speed numbers want a quiet machine: check `uptime`.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle, launchChromium, openPage, serve } from '@octconv/test-utils/chromium';
import { BROWSER_BACKENDS, formatBackends, formatResults } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: BROWSER_BACKENDS.join(',') },
    suite: { type: 'string', default: 'default' },
    cases: { type: 'string', default: '' },
    runs: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    threads: { type: 'string' },
    json: { type: 'string' },
    gpu: { type: 'boolean', default: false },
  },
});
const { page: script } = await bundle({
  page: join(import.meta.dirname, '..', 'test', 'browser', 'bench-page.ts'),
});
const require = createRequire(import.meta.url);
const server = await serve({
  files: { '/page.js': script },
  folders: {
    '/wasm/': join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'),
  },
});
const browser = await launchChromium({
  webgpu: true,
  ...(!values.gpu && { webgl: 'swiftshader' }),
});
try {
  const { page, problems } = await openPage(browser, `${server.origin}/`);
  const result = await page.evaluate((options) => window.octconvBench(options), {
    backends: values.backends.split(',').filter(Boolean),
    suite: values.suite,
    cases: values.cases.split(',').filter(Boolean),
    runs: Number(values.runs),
    warmup: Number(values.warmup),
    ...(values.threads !== undefined && { threads: Number(values.threads) }),
  });
  console.log(`Chromium ${browser.version()}\n${formatBackends(result)}\n`);
  console.log(formatResults(result, true));
  for (const failure of result.failures)
    console.error(`${failure.caseId} on ${failure.backend} failed: ${failure.error}`);
  if (problems.length > 0) console.error(`the page reported:\n${problems.join('\n')}`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
  await server.close();
}
