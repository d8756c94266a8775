// The key that signs sync tokens. Tokens outlive a restart only if the key does, so a generated
// key is written once into the data folder and read back ever after.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

export function loadSecret(dataDir: string, env: Env = process.env): string {
  if (env.CARTLOG_SECRET) return env.CARTLOG_SECRET;
  // Several processes on one PostgreSQL must sign alike; a per-machine file can't promise that.
  if (env.DATABASE_URL) throw new Error('CARTLOG_SECRET must be set when DATABASE_URL is set, so every server signs tokens alike.');

  const path = join(dataDir, 'secret');
  mkdirSync(dataDir, { recursive: true });
  try {
    return readSecretFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Write aside, then link into place: link fails if another process got there first, so two
  // servers starting together still end up with one secret, and nobody reads a half-written file.
  const draft = `${path}.${process.pid}.tmp`;
  writeFileSync(draft, randomBytes(32).toString('hex'), { mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  return readSecretFile(path);
}

function readSecretFile(path: string): string {
  const secret = readFileSync(path, 'utf8').trim();
  if (!secret) throw new Error(`${path} is empty: delete it to generate a new secret, or set CARTLOG_SECRET.`);
  return secret;
}
