// A TypeDoc plugin: each package's README becomes the index page of its API reference, but its
// relative links (`results/README.md`, `../../DESIGN.md`) point into the repository, which the
// site does not contain. They are pointed at the repository on GitHub instead, so the pages read
// as on GitHub and VitePress's dead-link check stays meaningful for the rest of the site. TypeDoc
// has already turned links to files it could copy (`results/README.md`) into `_media/<name>`
// links; those are pointed back at the repository too, and the site leaves _media/ out.
import { readFileSync } from 'node:fs';
import { MarkdownPageEvent } from 'typedoc-plugin-markdown';

const PACKAGE_PAGE = /^@octconv\/([^/]+)\/index\.md$/;
const RELATIVE_LINK = /\]\(((?![a-z]+:|#|\/)[^)\s#]+)/g;
const MEDIA_LINK = /\]\((?:\.\.\/)*_media\/([^)\s#]+)/g;

/** `https://github.com/<owner>/<repo>/blob/main/<directory>/` from a package's package.json. */
function repositoryBase(packageDir) {
  const manifest = JSON.parse(readFileSync(new URL('package.json', packageDir), 'utf8'));
  const url = String(manifest.repository?.url ?? '')
    .replace(/^git\+/, '')
    .replace(/\.git$/, '');
  return url ? `${url}/blob/main/${manifest.repository.directory}/` : null;
}

/** The relative link targets a package README contains. */
function readmeLinks(packageDir) {
  const readme = readFileSync(new URL('README.md', packageDir), 'utf8');
  return new Set([...readme.matchAll(RELATIVE_LINK)].map((match) => match[1]));
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.on(MarkdownPageEvent.END, (page) => {
    const name = PACKAGE_PAGE.exec(page.url)?.[1];
    if (!name || !page.contents) return;
    const packageDir = new URL(`../../../packages/${name}/`, import.meta.url);
    const base = repositoryBase(packageDir);
    if (!base) return;
    const links = readmeLinks(packageDir);
    const media = new Map([...links].map((target) => [target.split('/').pop(), target]));
    page.contents = page.contents
      .replace(MEDIA_LINK, (whole, name) =>
        media.has(name) ? `](${base}${media.get(name)}` : whole,
      )
      .replace(RELATIVE_LINK, (whole, target) =>
        links.has(target) ? `](${base}${target}` : whole,
      );
  });
}
