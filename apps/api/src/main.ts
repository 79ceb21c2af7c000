#!/usr/bin/env node
// The API process: read config, start the service, listen, shut down gracefully on SIGINT/SIGTERM.
// `--demo` (what `npm start` passes): until the demo gallery (demo/flickr8k-test, Flickr8k's 1000 test photos with
// their reference captions) is completely stored, queue its import with captions for the workers, so a fresh
// checkout serves a filled gallery.
import { loadConfig } from './config.js';
import { queueDemoGallery } from './datasets/demo-gallery.js';
import { startService } from './service.js';
import { stopOnSignals } from './stop-on-signals.js';

const log = (message: string) => console.error(`[api] ${message}`);

async function main(): Promise<void> {
  const config = loadConfig();
  const service = await startService(config, { log });
  const url = await service.server.listen(config.port, config.host);
  const models = service.services.registry.loaded().map((m) => m.id);
  console.log(`Captioner API listening on ${url}/graphql (models: ${models.join(', ') || 'none'})`);
  if (!config.adminToken)
    log('No CAPTIONER_ADMIN_TOKEN: admin operations (importDataset, startEvaluationRun) answer FORBIDDEN.');

  if (process.argv.includes('--demo')) {
    queueDemoGallery(service.services, log).catch((error: Error) =>
      log(`Could not queue the demo gallery import: ${error.message}`),
    );
  }

  stopOnSignals({ log, doing: 'finishing running work and shutting down', shutdown: service.shutdown });
}

main().catch((error: Error) => {
  console.error(`Captioner API failed to start: ${error.message}`);
  process.exit(1);
});
