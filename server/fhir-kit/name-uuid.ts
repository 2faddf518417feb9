import { createHash } from 'node:crypto';

/**
 * A deterministic UUID (version 5 layout over SHA-1) for a name in a namespace: the same document
 * version always gets the same identifier, so a receiver recognises it when it comes again.
 */
export function nameUuid(namespace: string, name: string): string {
  const hex = createHash('sha1').update(`${namespace}:${name}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
