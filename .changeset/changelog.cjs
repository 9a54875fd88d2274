// How `changeset version` writes the CHANGELOGs: each changeset's summary as written, as one
// bullet, without commit hashes. No "Updated dependencies" lines: the public packages are one
// fixed group, so every release moves all of them to the same version, and a package's notes
// list only its own changes (a version with no notes changed only the other packages).

function getReleaseLine(changeset) {
  const [first, ...rest] = changeset.summary.trim().split('\n');
  return [`- ${first}`, ...rest.map((line) => (line.trim() ? `  ${line.trimEnd()}` : ''))].join(
    '\n',
  );
}

module.exports = {
  getReleaseLine: async (changeset) => getReleaseLine(changeset),
  getDependencyReleaseLine: async () => '',
};
