// Child process of pickle-memory.test.ts, run under `node --max-old-space-size=512`: reads each
// file named on the command line with readTorchStateDict from the built package and prints one
// JSON line per file: the error's name, code and message (or that it loaded), and the time.
import { readFileSync } from 'node:fs';

const [entry, ...files] = process.argv.slice(2);
const { readTorchStateDict } = await import(entry);
for (const file of files) {
  const bytes = new Uint8Array(readFileSync(file));
  const start = performance.now();
  let outcome;
  try {
    const state = readTorchStateDict(bytes);
    outcome = { loaded: state.size };
  } catch (error) {
    outcome = { name: error.name, code: error.code, message: String(error.message) };
  }
  const ms = performance.now() - start;
  const heapMB = process.memoryUsage().heapUsed / 2 ** 20;
  process.stdout.write(`${JSON.stringify({ file, ms, heapMB, ...outcome })}\n`);
}
