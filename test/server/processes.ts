// Server processes for tests and benches (fixtures/serve.ts), each on its own port.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The token key of every test server (helpers.ts mints with it too). */
export const SECRET = 'test-secret';

const fixture = fileURLToPath(new URL('./fixtures/serve.ts', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  base: string;
  /** Every line the process printed so far. */
  lines: string[];
  /** Resolves with the first line (printed from now on) that matches. */
  nextLine(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export async function startServerProcess(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, CARTLOG_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let rest = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const wait of [...waiting])
        if (wait.pattern.test(line)) {
          waiting.splice(waiting.indexOf(wait), 1);
          wait.resolve(line);
        }
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const nextLine = (pattern: RegExp) => new Promise<string>((resolve) => waiting.push({ pattern, resolve }));
  const ready = await Promise.race([nextLine(/^listening \d+$/), exited.then((code) => Promise.reject(new Error(`server exited ${code}: ${stderr}`)))]);
  const port = Number(ready.split(' ')[1]);
  return { child, port, base: `http://127.0.0.1:${port}`, lines, nextLine, exited };
}

export async function stopServerProcess(server: ServerProcess): Promise<number | null> {
  if (server.child.exitCode === null) server.child.kill('SIGTERM');
  return server.exited;
}
