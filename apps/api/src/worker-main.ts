#!/usr/bin/env node
// The worker process (`npm run worker`): loads the models and runs caption and evaluation jobs from the durable
// queue in PostgreSQL; it serves no HTTP. Start any number of them beside any number of API processes started with
// CAPTIONER_WORKER=off, all with the same DATABASE_URL. SIGINT/SIGTERM: running batches finish within
// CAPTIONER_SHUTDOWN_GRACE_S and the rest goes back to the queue; a second signal exits at once.
import { loadConfig } from './config.js';
import { startWorker } from './jobs/worker.js';
import { closeServices, openServices } from './service.js';
import { stopOnSignals } from './stop-on-signals.js';

const log = (message: string) => console.error(`[worker] ${message}`);

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    log('No DATABASE_URL: using the embedded PostgreSQL in CAPTIONER_DATA_DIR (only one process can).');
  }
  const services = await openServices(config, { log });
  if (services.registry.loaded().length === 0) {
    await closeServices(services);
    throw new Error(`no model could be loaded from ${config.modelsDir}; a worker without models cannot caption.`);
  }
  const worker = startWorker(services, log);

  stopOnSignals({
    log,
    doing: 'finishing running jobs and stopping',
    shutdown: () => closeServices(services, worker),
  });
}

main().catch((error: Error) => {
  console.error(`Captioner worker failed to start: ${error.message}`);
  process.exit(1);
});
