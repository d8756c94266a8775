// The server's settings from the environment (CONTRACT §1, §5), read in one place. A setting out
// of range stops the server at start with a message naming it, rather than serving oddly (a
// RATE_LIMIT of 0.5 would lock everyone out).
import { resolve } from 'node:path';
import { DEFAULT_EVENT_RATE_LIMIT, DEFAULT_RATE_LIMIT, DEFAULT_USER_QUOTA } from './limits.ts';

export type Env = Record<string, string | undefined>;

export interface ServerConfig {
  dataDir: string;
  databaseUrl?: string;
  host: string;
  port: number;
  /** Requests per second per user. */
  rateLimit: number;
  /** Pushed events per second per user, duplicates included. */
  eventRateLimit: number;
  /** New events a user may store in all. */
  userQuota: number;
  corsOrigins: string[];
}

/** A number setting: its default when unset or empty, else a finite number in [min, max] (a whole one when asked). */
export function numberSetting(
  env: Env,
  name: string,
  fallback: number,
  { min, max = Number.MAX_VALUE, whole = false, what }: { min: number; max?: number; whole?: boolean; what: string },
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    const range = max === Number.MAX_VALUE ? `of ${min} or more` : `from ${min} to ${max}`;
    throw new Error(`${name} must be ${whole ? 'a whole number' : 'a number'} ${range} (${what}), not "${raw}".`);
  }
  return value;
}

export function readConfig(env: Env = process.env): ServerConfig {
  return {
    dataDir: resolve(env.DATA_DIR || 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    host: env.HOST || '127.0.0.1',
    port: numberSetting(env, 'PORT', 8787, { min: 0, max: 65_535, whole: true, what: 'the TCP port to listen on' }),
    rateLimit: numberSetting(env, 'RATE_LIMIT', DEFAULT_RATE_LIMIT, { min: 1, what: 'requests per second per user' }),
    eventRateLimit: numberSetting(env, 'EVENT_RATE_LIMIT', DEFAULT_EVENT_RATE_LIMIT, { min: 1, what: 'pushed events per second per user' }),
    userQuota: numberSetting(env, 'USER_QUOTA', DEFAULT_USER_QUOTA, { min: 1, whole: true, what: 'events stored per user' }),
    // An Origin header never ends in a slash; a pasted URL often does.
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((origin) => origin.trim().replace(/\/+$/, '')).filter(Boolean),
  };
}
