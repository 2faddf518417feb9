import type { Request } from 'express';
import type { Principal } from '../context.ts';
import type { Store } from '../store/store.ts';
import { recordSignIn } from './sign-in.ts';

/**
 * A CPS card opens no session: each request carries it (on a new TLS connection, or through the
 * proxy's header), so its sign-in was nowhere in the trail while SAML and Pro Santé Connect ones
 * were. A card's sign-in is its first use from an address, or its first use after an idle period
 * as long as a session's: one AuditEvent (login, success, method cps), not one per request.
 * Memory per app server, like the refused sign-ins' counters.
 */
export function cardSignInTracer(store: Store, idleMs: number, onError: (error: unknown) => void = () => undefined): (req: Request, principal: Principal) => Promise<void> {
  const lastSeen = new Map<string, number>();
  return async (req, principal) => {
    const key = `${principal.idnps ?? principal.displayName}|${req.socket.remoteAddress ?? ''}`;
    const now = Date.now();
    const last = lastSeen.get(key);
    lastSeen.delete(key); // re-inserted last: the map stays ordered by last use, oldest first
    lastSeen.set(key, now);
    if (lastSeen.size > 50_000) {
      for (const [k, seen] of lastSeen) {
        if (now - seen < idleMs) break;
        lastSeen.delete(k);
      }
    }
    if (last !== undefined && now - last < idleMs) return;
    await recordSignIn(store, req, { outcome: 'success', method: principal.authMethod }, principal).catch(onError);
  };
}
