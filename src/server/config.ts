// The server's settings from the environment (CONTRACT §1, §5), read in one place.
import { resolve } from 'node:path';
import { DEFAULT_RATE_LIMIT } from './limits.ts';

export type Env = Record<string, string | undefined>;

export interface ServerConfig {
  dataDir: string;
  databaseUrl?: string;
  /** Requests per second per user. */
  rateLimit: number;
  corsOrigins: string[];
}

export function readConfig(env: Env = process.env): ServerConfig {
  const rateLimit = env.RATE_LIMIT ? Number(env.RATE_LIMIT) : DEFAULT_RATE_LIMIT;
  if (!(rateLimit > 0) || !Number.isFinite(rateLimit)) throw new Error(`RATE_LIMIT must be a positive number of requests per second, not "${env.RATE_LIMIT}".`);
  return {
    dataDir: resolve(env.DATA_DIR || 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    rateLimit,
    // An Origin header never ends in a slash; a pasted URL often does.
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((origin) => origin.trim().replace(/\/+$/, '')).filter(Boolean),
  };
}
