// Debian's Python with torch and torchvision, for the tests that compare the site with PyTorch.
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/**
 * Why `modules` cannot be imported (null when they can), warned about once; a failure when CI
 * requires torch (OCTCONV_REQUIRE_TORCH=1, set by .ci/run).
 */
export function pythonMissing(modules: string, packages: string, skipping: string): string | null {
  const probe = spawnSync(PYTHON, ['-c', `import ${modules}`], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  const missing = `${PYTHON} cannot import ${modules} (apt-get install -y ${packages})`;
  if (process.env.OCTCONV_REQUIRE_TORCH === '1') {
    throw new Error(`OCTCONV_REQUIRE_TORCH=1 but ${missing}`);
  }
  console.warn(`[octconv] skipping ${skipping}: ${missing}`);
  return missing;
}
