// SIGINT/SIGTERM for the API and worker processes: the first signal shuts down gracefully, a later one exits at
// once. One Ctrl-C can arrive twice (the terminal's process group, and a forwarding parent such as npm): a repeat
// within a second is the same keypress.
const SAME_KEYPRESS_MS = 1_000;

export function stopOnSignals(options: {
  log: (message: string) => void;
  /** What the first signal starts, e.g. "finishing running work and shutting down". */
  doing: string;
  shutdown: () => Promise<void>;
}): void {
  let firstSignalAt: number | null = null;
  const stop = (signal: string) => {
    if (firstSignalAt !== null && Date.now() - firstSignalAt < SAME_KEYPRESS_MS) return;
    if (firstSignalAt !== null) {
      options.log(`Second ${signal}: exiting now.`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    options.log(`${signal}: ${options.doing} (send again to force).`);
    options.shutdown().then(
      () => process.exit(0),
      (error: Error) => {
        options.log(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
