#!/usr/bin/env node
// The API process: read config, start the service, listen, shut down gracefully on SIGINT/SIGTERM.
// `--demo` (what `npm start` passes): until the demo gallery (demo/flickr8k-test, Flickr8k's 1000 test photos with
// their reference captions) is completely stored, queue its import with captions for the workers, so a fresh
// checkout serves a filled gallery.
import { loadConfig } from './config.js';
import { queueDemoGallery } from './datasets/demo-gallery.js';
import { startService } from './service.js';

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

  // One Ctrl-C under `npm start -w` arrives twice (from the terminal, and forwarded by npm): a repeat within a
  // second is the same keypress; a later one forces the exit.
  let firstSignalAt: number | null = null;
  const stop = (signal: string) => {
    if (firstSignalAt !== null && Date.now() - firstSignalAt < 1_000) return;
    if (firstSignalAt !== null) {
      log(`Second ${signal}: exiting now.`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    log(`${signal}: finishing running work and shutting down (send again to force).`);
    service.shutdown().then(
      () => process.exit(0),
      (error: Error) => {
        log(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`Captioner API failed to start: ${error.message}`);
  process.exit(1);
});
