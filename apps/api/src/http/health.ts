// GET /health: database reachability and model status. 200 when the database answers and at least one model
// is loaded, else 503 (so a load balancer stops sending traffic).
import type { ServerResponse } from 'node:http';
import type { Services } from '../graphql/context.js';
import { sendJson } from './respond.js';

export async function handleHealth(services: Services, res: ServerResponse, shuttingDown: boolean): Promise<void> {
  const database = await services.db.health().catch((error: Error) => ({ ok: false, error: error.message }));
  const models = [...services.registry.all.values()].map((entry) => ({
    id: entry.id,
    loaded: !!entry.model,
    variant: entry.model?.variant ?? null,
    executionProvider: entry.model?.executionProvider ?? null,
    error: entry.loadError,
  }));
  const ok = database.ok && models.some((m) => m.loaded) && !shuttingDown;
  sendJson(res, ok ? 200 : 503, {
    status: shuttingDown ? 'shutting-down' : ok ? 'ok' : 'degraded',
    database,
    models,
    captionQueue: services.captions.queue.stats(),
  });
}
