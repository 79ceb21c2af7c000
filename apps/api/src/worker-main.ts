#!/usr/bin/env node
// The worker process (`npm run worker`): loads the models and runs caption and evaluation jobs from the durable
// queue in PostgreSQL; it serves no HTTP. Start any number of them beside any number of API processes started with
// CAPTIONER_WORKER=off, all with the same DATABASE_URL. SIGINT/SIGTERM: running batches finish within
// CAPTIONER_SHUTDOWN_GRACE_S and the rest goes back to the queue; a second signal exits at once.
import { loadConfig } from './config.js';
import { startWorker } from './jobs/worker.js';
import { closeServices, openServices } from './service.js';

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

  let firstSignalAt: number | null = null;
  const stop = (signal: string) => {
    // One Ctrl-C can arrive twice (the terminal's process group, and a forwarding parent): same keypress.
    if (firstSignalAt !== null && Date.now() - firstSignalAt < 1_000) return;
    if (firstSignalAt !== null) {
      log(`Second ${signal}: exiting now (running jobs are retried after they expire).`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    log(`${signal}: finishing running jobs and stopping (send again to force).`);
    closeServices(services, worker).then(
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
  console.error(`Captioner worker failed to start: ${error.message}`);
  process.exit(1);
});
