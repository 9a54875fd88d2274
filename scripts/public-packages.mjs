// The published packages, read from the workspace rather than listed by hand: every package
// under packages/ whose manifest is not `private`, in dependency order (a package comes after the
// workspace packages it depends on). A new public package joins every script that reads this.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `{ name: '@octconv/core', short: 'core', dir, manifest }` for every public package of the
 * workspace checkout at `root`, dependencies first.
 */
export function publicPackages(root = ROOT) {
  const found = readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, 'packages', entry.name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => {
      const short = manifest.name.replace(/^@octconv\//, '');
      if (short === manifest.name || join(root, 'packages', short) !== dir)
        throw new Error(`${dir}: a public package must be @octconv/<its folder name>`);
      return { name: manifest.name, short, dir, manifest };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const names = new Set(found.map((p) => p.name));
  const ordered = [];
  const visit = (pkg, path = []) => {
    if (ordered.includes(pkg)) return;
    if (path.includes(pkg.name))
      throw new Error(`dependency cycle: ${[...path, pkg.name].join(' → ')}`);
    const { dependencies = {}, peerDependencies = {} } = pkg.manifest;
    for (const dep of Object.keys({ ...dependencies, ...peerDependencies }).sort())
      if (names.has(dep))
        visit(
          found.find((p) => p.name === dep),
          [...path, pkg.name],
        );
    ordered.push(pkg);
  };
  for (const pkg of found) visit(pkg);
  return ordered;
}

/** The folder names of the public packages (`core`, `models`, …), dependencies first. */
export const PUBLIC_PACKAGES = publicPackages().map((p) => p.short);
