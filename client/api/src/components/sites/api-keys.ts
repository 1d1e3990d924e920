import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SITE_API_KEY_FORMAT } from '@meterit/shared';

// Key format: mk_<prefix>_<secret>. The prefix (16 hex chars, stored in clear, unique) finds the row;
// the whole key is compared by SHA-256. 32 random bytes of secret make brute force hopeless,
// so a plain hash is enough and keeps every request cheap.

export interface NewApiKey {
  key: string;
  prefix: string;
  hash: Buffer;
}

export function generateApiKey(): NewApiKey {
  const prefix = randomBytes(8).toString('hex');
  const key = `mk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The lookup prefix of a well-formed key, or undefined. */
export function apiKeyPrefix(key: string): string | undefined {
  return SITE_API_KEY_FORMAT.exec(key)?.[1];
}

export function apiKeyMatches(key: string, storedHash: Buffer): boolean {
  const computed = hashApiKey(key);
  return computed.length === storedHash.length && timingSafeEqual(computed, storedHash);
}
