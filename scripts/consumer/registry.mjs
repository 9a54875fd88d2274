// A throwaway npm registry for the consumer test: Verdaccio (a devDependency of the repository)
// with its storage, users file and config in the folder given as argv[2]. It listens on
// 127.0.0.1 at a port the system picks, reports that port over the IPC channel, serves only what
// is published to it (no uplink: nothing is proxied), and exits as soon as the test that started
// it goes away (the IPC channel closes), even if that test was killed.

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const folder = process.argv[2];
if (!folder || !process.send) {
  console.error('usage: started by scripts/consumer-test.mjs with an IPC channel');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));

const config = join(folder, 'config.yaml');
// JSON is YAML: Verdaccio reads this as its config file.
writeFileSync(
  config,
  JSON.stringify({
    storage: join(folder, 'storage'),
    auth: { htpasswd: { file: join(folder, 'htpasswd'), max_users: 1 } },
    uplinks: {},
    packages: { '**': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' } },
    max_body_size: '200mb',
    web: { enable: false },
    log: { type: 'stdout', format: 'json', level: 'warn' },
  }),
);
const { runServer } = createRequire(import.meta.url)('verdaccio');
const server = await runServer(config);
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
