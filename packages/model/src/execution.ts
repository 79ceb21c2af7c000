// Which ONNX Runtime execution provider and thread counts to use, from options or the environment,
// and session creation with the CUDA -> CPU fallback.
import ort from 'onnxruntime-node';

export type ExecutionProviderName = 'cpu' | 'cuda';

export interface ExecutionOptions {
  executionProvider?: ExecutionProviderName;
  cudaDeviceId?: number;
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
}

export interface Logger {
  warn(message: string): void;
}

/** Reads CAPTIONER_EXECUTION_PROVIDER, CAPTIONER_CUDA_DEVICE_ID, CAPTIONER_INTRA_OP_THREADS, CAPTIONER_INTER_OP_THREADS. */
export function executionOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutionOptions {
  const options: ExecutionOptions = {};
  const provider = env.CAPTIONER_EXECUTION_PROVIDER?.trim().toLowerCase();
  if (provider) {
    if (provider !== 'cpu' && provider !== 'cuda') {
      throw new Error(
        `CAPTIONER_EXECUTION_PROVIDER must be "cpu" or "cuda", got "${env.CAPTIONER_EXECUTION_PROVIDER}".`,
      );
    }
    options.executionProvider = provider;
  }
  const integer = (name: string, min: number): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}".`);
    return value;
  };
  const deviceId = integer('CAPTIONER_CUDA_DEVICE_ID', 0);
  if (deviceId !== undefined) options.cudaDeviceId = deviceId;
  const intra = integer('CAPTIONER_INTRA_OP_THREADS', 1);
  if (intra !== undefined) options.intraOpNumThreads = intra;
  const inter = integer('CAPTIONER_INTER_OP_THREADS', 1);
  if (inter !== undefined) options.interOpNumThreads = inter;
  return options;
}

export function sessionOptions(
  options: ExecutionOptions,
  provider: ExecutionProviderName,
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === 'cuda' ? [{ name: 'cuda', deviceId: options.cudaDeviceId ?? 0 }] : ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // Idle threads sleep instead of spinning: these graphs are small and the service shares its
    // cores (API, database, other models), where spinning workers only steal time.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    ...(options.interOpNumThreads !== undefined ? { interOpNumThreads: options.interOpNumThreads } : {}),
  };
}

/**
 * Decides the provider for a model by creating its first session: CUDA when asked for and it works,
 * otherwise CPU with a warning that says why and how to get CUDA.
 */
export async function createFirstSession(
  file: string,
  options: ExecutionOptions,
  logger: Logger,
): Promise<{ session: ort.InferenceSession; provider: ExecutionProviderName }> {
  if (options.executionProvider === 'cuda') {
    try {
      return { session: await ort.InferenceSession.create(file, sessionOptions(options, 'cuda')), provider: 'cuda' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(
        `CUDA was requested but is not usable (${reason}); running on the CPU instead. ` +
          'To use the GPU install the CUDA build of ONNX Runtime (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node) on a machine with CUDA 12 and cuDNN 9.',
      );
    }
  }
  return { session: await ort.InferenceSession.create(file, sessionOptions(options, 'cpu')), provider: 'cpu' };
}
