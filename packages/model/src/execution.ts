// Which ONNX Runtime execution provider and thread counts to use (explicit options: the application's
// configuration reads the environment, never this package), and session creation with the CUDA -> CPU fallback.
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
          'To use the GPU install the CUDA build of ONNX Runtime (ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install) on a machine with CUDA 12 and cuDNN 9.',
      );
    }
  }
  return { session: await ort.InferenceSession.create(file, sessionOptions(options, 'cpu')), provider: 'cpu' };
}
