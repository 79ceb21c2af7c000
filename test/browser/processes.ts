// Starting and stopping the real servers the browser tests drive (API and Next.js), on free loopback ports.
import { spawn, type ChildProcess } from 'node:child_process';
import getPort from 'get-port';

/** An unused loopback port (get-port; it also avoids handing out the same port twice in a row). */
export function freePort(): Promise<number> {
  return getPort({ host: '127.0.0.1' });
}

export interface Server {
  name: string;
  child: ChildProcess;
  /** The last lines it printed, for error messages when it fails. */
  log: () => string;
  stop: () => Promise<void>;
}

export function startServer(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Server {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    log: () => lines.slice(-40).join('\n'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until `ready(response)` holds; fails early when the server process exits. */
export async function waitFor(
  server: Server,
  url: string,
  ready: (response: Response) => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) {
      throw new Error(`${server.name} exited with code ${server.child.exitCode} before it was ready:\n${server.log()}`);
    }
    try {
      const response = await fetch(url);
      if (await ready(response)) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${server.name} was not ready at ${url} within ${timeoutMs} ms (last: ${last}):\n${server.log()}`);
}
