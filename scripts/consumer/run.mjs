// Child processes for the consumer test: each command runs in its own process group with a hang
// guard, so a timeout or an error anywhere kills the whole tree (npx → npm → node …), never just
// the first process. `stopAll()` kills whatever still runs; the test calls it on every exit path.

import { spawn } from 'node:child_process';

const running = new Set();

function killGroup(child, signal = 'SIGKILL') {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs `command args` and resolves `{ ok, code, signal, stdout, stderr, seconds, timedOut }`;
 * never rejects. `timeoutS` is a hang guard: far above what the step needs on an idle machine.
 */
export function run(command, args, { cwd, env = process.env, timeoutS = 600 } = {}) {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutS * 1000);
    const finish = (code, signal, error) => {
      clearTimeout(timer);
      running.delete(child);
      // Grandchildren left behind in the group (a daemon, a stuck worker) go with it.
      killGroup(child);
      resolve({
        ok: code === 0 && !timedOut,
        code,
        signal,
        stdout,
        stderr: error ? `${stderr}${error.message}\n` : stderr,
        seconds: (Date.now() - start) / 1000,
        timedOut,
      });
    };
    child.on('error', (error) => finish(null, null, error));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** Kills every command still running (their whole process groups). */
export function stopAll() {
  for (const child of running) killGroup(child);
  running.clear();
}

/**
 * The lines of an npm install's output that must fail the test: any warning or error about peer
 * dependencies, a missing file or a `workspace:` range (third-party notices, such as a
 * deprecation or an install script awaiting approval, are returned in `other`).
 */
export function installWarnings(output) {
  const lines = output.split('\n').filter((line) => /^npm (warn|err)/i.test(line.trim()));
  const bad = lines.filter((line) =>
    /peer|ERESOLVE|workspace:|missing|ENOENT|not found|invalid|@octconv\//i.test(line),
  );
  return { bad, other: lines.filter((line) => !bad.includes(line)) };
}
