// GET /health: database reachability and model status. 200 when the database answers and at least one model
// is loaded, else 503 (so a load balancer stops sending traffic).
import type { FastifyReply } from 'fastify';
import type { Services } from '../graphql/context.js';

export async function handleHealth(services: Services, reply: FastifyReply, shuttingDown: boolean) {
  const database = await services.db.health().catch((error: Error) => ({ ok: false, error: error.message }));
  const models = [...services.registry.all.values()].map((entry) => ({
    id: entry.id,
    loaded: !!entry.model,
    variant: entry.model?.variant ?? null,
    executionProvider: entry.model?.executionProvider ?? null,
    error: entry.loadError,
  }));
  const ok = database.ok && models.some((m) => m.loaded) && !shuttingDown;
  return reply
    .code(ok ? 200 : 503)
    .header('cache-control', 'no-store')
    .send({
      status: shuttingDown ? 'shutting-down' : ok ? 'ok' : 'degraded',
      database,
      models,
      jobQueues: await services.jobs.counts().catch((error: Error) => ({ error: error.message })),
    });
}
