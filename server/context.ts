/**
 * Who is calling and on whose behalf: threaded from the HTTP edge through domain modules into
 * the store, so authorisation and the audit trail need no handler rewrite.
 */
export interface Principal {
  /** Practitioner resource id in the directory, when known. */
  practitionerId?: string;
  /** IDNPS (national professional identifier). */
  idnps?: string;
  displayName: string;
  /** Names as the identity provider or the card gave them (used to create a directory entry). */
  family?: string;
  given?: string;
  /** DCC roles: physician (hospital), gp, nurse, pharmacist, coordinator (3C), admin, system. */
  roles: string[];
  /** How the caller authenticated: 'system' for the service itself (seed, workers). */
  authMethod: 'system' | 'cps' | 'saml' | 'psc' | 'demo' | 'session' | 'anonymous';
  /** FINESS of the establishment the professional acts for, when the card says so. */
  finess?: string;
}

export interface RequestContext {
  requestId: string;
  principal: Principal;
  /** Absolute FHIR base URL for links and Location headers, without trailing slash. */
  baseUrl: string;
  /** Caller's network address, for the audit trail. */
  remoteAddress?: string;
  /**
   * The domain API the write comes through, when a resource may only be changed that way (an RCP
   * board's charter and member list: through /api/rcp/boards, which checks the board's 3C first).
   */
  channel?: 'rcp-board';
}

export const SYSTEM_PRINCIPAL: Principal = { displayName: 'DCC (système)', roles: ['system'], authMethod: 'system' };

export function systemContext(baseUrl = 'urn:dcc:system'): RequestContext {
  return { requestId: 'system', principal: SYSTEM_PRINCIPAL, baseUrl };
}
