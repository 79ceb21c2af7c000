// The models this process can caption with: every directory under the models dir, loaded once at start-up.
// A model that fails to load stays listed (with its error) so /health and the `models` query can say why.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listModels, loadModel, type CaptionModel } from '@captioner/model';
import type { Database } from '@captioner/db';

export interface RegisteredModel {
  id: string;
  /** null when loading failed */
  model: CaptionModel | null;
  loadError: string | null;
}

export interface ModelRegistry {
  /** Loaded and failed models, by id. */
  readonly all: ReadonlyMap<string, RegisteredModel>;
  /** Loaded models only, ordered by id. */
  loaded(): CaptionModel[];
  get(id: string): RegisteredModel | undefined;
  dispose(): Promise<void>;
}

export interface LoadRegistryOptions {
  modelsDir: string;
  executionProvider: 'cpu' | 'cuda';
  cudaDeviceId: number;
  /** 0 = ONNX Runtime's default */
  threads: number;
  maxPixels: number;
  maxBytes: number;
  log: (message: string) => void;
}

/** Loads every model directory and records each manifest in the database (so captions can reference it). */
export async function loadModelRegistry(db: Database, options: LoadRegistryOptions): Promise<ModelRegistry> {
  const ids = await listModels(options.modelsDir).catch((error: Error) => {
    options.log(`No models loaded: cannot list ${options.modelsDir} (${error.message}). Set CAPTIONER_MODELS_DIR.`);
    return [] as string[];
  });
  if (ids.length === 0) {
    options.log(
      `No models in ${options.modelsDir} (no sub-directory with a manifest.json): captioning is unavailable. Set CAPTIONER_MODELS_DIR or restore models/.`,
    );
  }
  const all = new Map<string, RegisteredModel>();
  for (const id of [...ids].sort()) {
    try {
      const model = await loadModel(path.join(options.modelsDir, id), {
        executionProvider: options.executionProvider,
        cudaDeviceId: options.cudaDeviceId,
        ...(options.threads > 0 ? { intraOpNumThreads: options.threads } : {}),
        imageLimits: { maxPixels: options.maxPixels, maxBytes: options.maxBytes },
        logger: { warn: options.log },
      });
      await db.models.upsertFromManifest(model.manifest as unknown as Record<string, never>);
      all.set(model.id, { id: model.id, model, loadError: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.log(`Model ${id} not loaded: ${message}`);
      // Keep it visible in the models query when at least its manifest is readable.
      const manifest = await readFile(path.join(options.modelsDir, id, 'manifest.json'), 'utf8')
        .then((text) => JSON.parse(text) as Record<string, never>)
        .catch(() => null);
      if (manifest) await db.models.upsertFromManifest(manifest).catch(() => undefined);
      all.set(id, { id, model: null, loadError: message });
    }
  }
  return {
    all,
    loaded: () => [...all.values()].flatMap((r) => (r.model ? [r.model] : [])),
    get: (id) => all.get(id),
    async dispose() {
      await Promise.all([...all.values()].map((r) => r.model?.dispose()));
    },
  };
}
