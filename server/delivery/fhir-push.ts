/**
 * Push of DCC documents (signed RCP reports, PPS / PPAC) to an external FHIR server (a DMP-like or
 * regional repository) with fhir-kit-client. The outbox worker calls `pushDocument` and asks
 * `classifyPushError` whether a failure is worth a retry.
 *
 * Idempotent by construction: the document Bundle is created conditionally on its identifier
 * (`If-None-Exist: identifier=<system>|<value>`), and that identifier is stable per version of the
 * source (RCP sheet version, CarePlan version). A retry after a push whose answer was lost finds
 * the copy the server already holds instead of creating a second one.
 */
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import type { PushConfig } from '../config.ts';
import { FHIR_ID_PATTERN } from '../fhir-kit/ids.ts';

export const DEFAULT_PUSH_TIMEOUT_MS = 15_000;

/** A document that cannot be pushed as it is (no retry will change that). */
export class UnpushableDocumentError extends Error {
  override readonly name = 'UnpushableDocumentError';
}

export interface PushResult {
  /** Id of the Bundle on the receiving server. */
  id: string;
  /** False when the server already held this document (a retry, or a second push of the same version). */
  created: boolean;
}

export class FhirPushClient {
  private readonly client: Client;
  private readonly timeoutMs: number;

  constructor(readonly config: PushConfig) {
    this.client = new Client({ baseUrl: config.baseUrl, ...(config.bearerToken ? { bearerToken: config.bearerToken } : {}) });
    this.timeoutMs = config.timeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS;
  }

  /** Creates the document Bundle on the server unless a Bundle with its identifier is already there. */
  async pushDocument(bundle: Bundle): Promise<PushResult> {
    const { system, value } = documentIdentifier(bundle);
    // The server assigns its own id and version; ours mean nothing there.
    const { id: _id, meta: _meta, ...body } = bundle;
    const ifNoneExist = new URLSearchParams({ identifier: `${system}|${value}` }).toString();
    const result = await this.client.create({
      resourceType: 'Bundle',
      body,
      options: { headers: { 'if-none-exist': ifNoneExist }, signal: AbortSignal.timeout(this.timeoutMs) },
    });
    const response = Client.httpFor(result).response;
    const id = (typeof result.id === 'string' && result.id) || idFromLocation(response?.headers.get('location'));
    if (!id) throw new Error(`Le serveur FHIR destinataire a répondu ${response?.status ?? '?'} sans identifiant de ressource (ni corps ni Location)`);
    // 201: created now; 200: conditional create matched an existing Bundle.
    return { id, created: response?.status === 201 };
  }
}

function documentIdentifier(bundle: Bundle): { system: string; value: string } {
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'document') {
    throw new UnpushableDocumentError('Seul un Bundle de type « document » peut être envoyé au serveur FHIR destinataire');
  }
  const { system, value } = bundle.identifier ?? {};
  if (!system || !value) {
    throw new UnpushableDocumentError('Le document n’a pas d’identifiant (Bundle.identifier system et value) : il ne peut pas être envoyé sans risque de doublon');
  }
  if (bundle.entry?.[0]?.resource?.resourceType !== 'Composition') {
    throw new UnpushableDocumentError('Le document doit commencer par sa Composition');
  }
  return { system, value };
}

/** The stored Bundle's id in the Location the server answers (absolute, maybe versioned, maybe with a trailing slash). */
const BUNDLE_LOCATION = new RegExp(`/Bundle/(${FHIR_ID_PATTERN})(?:/_history/[^/]+)?/?$`);

function idFromLocation(location: string | null | undefined): string | undefined {
  const m = location ? BUNDLE_LOCATION.exec(location) : null;
  return m?.[1];
}

export interface PushErrorClass {
  /** True: retrying will not help (a human must act); false: retry later. */
  permanent: boolean;
  /** French, for the 3C's delivery status and the audit trail. */
  message: string;
  /** HTTP status when the server answered. */
  status?: number;
  kind: 'rejected' | 'auth' | 'unavailable' | 'timeout' | 'network' | 'invalid-document' | 'unknown';
}

/** Statuses a later retry may get past. */
const TEMPORARY_STATUSES = new Set([408, 425, 429]);
/** Network failures that can heal (server restarting, route flapping, DNS hiccup). */
const TEMPORARY_NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Whether a push failure is worth a retry.
 * - 408, 425, 429, 5xx, network errors, timeouts: temporary (the server or the path will come back).
 * - 401 / 403: permanent. The token is static configuration: a revoked or expired token, or a
 *   right the remote no longer grants, is not fixed by waiting; retrying only burns the attempts
 *   and hammers the server. The message says a human must act (new token, remote rights); once
 *   fixed, dead-lettered items are re-queued.
 * - Other 4xx (400, 404, 405, 409, 410, 412 several matches, 413, 415, 422…): permanent, with the
 *   server's OperationOutcome diagnostics.
 * - A document the DCC itself cannot push (not a document Bundle, no identifier): permanent.
 * - Anything else: temporary (an unknown failure must not lose a document; the outbox's attempt
 *   limit still ends in the dead-letter state).
 */
export function classifyPushError(err: unknown): PushErrorClass {
  if (err instanceof UnpushableDocumentError) return { permanent: true, kind: 'invalid-document', message: `Document non transmissible : ${err.message}` };
  const status = httpStatusOf(err);
  if (status !== undefined) {
    const detail = diagnosticsOf(responseDataOf(err));
    const suffix = detail ? ` : ${detail}` : '';
    if (status === 401 || status === 403) {
      return {
        permanent: true, status, kind: 'auth',
        message: `Le serveur FHIR destinataire refuse l'accès (HTTP ${status}${status === 401 ? ', jeton absent, expiré ou révoqué' : ', droits insuffisants'})${suffix}. Une intervention est nécessaire (jeton DCC_PUSH_FHIR_TOKEN, droits sur le serveur) avant de relancer l'envoi.`,
      };
    }
    if (TEMPORARY_STATUSES.has(status) || status >= 500) {
      return { permanent: false, status, kind: 'unavailable', message: `Le serveur FHIR destinataire est momentanément indisponible (HTTP ${status})${suffix} : nouvel essai plus tard` };
    }
    if (status >= 400) {
      return { permanent: true, status, kind: 'rejected', message: `Le serveur FHIR destinataire a refusé le document (HTTP ${status})${suffix}` };
    }
  }
  if (isTimeout(err)) return { permanent: false, kind: 'timeout', message: 'Le serveur FHIR destinataire n’a pas répondu dans le délai imparti : nouvel essai plus tard' };
  const code = networkCodeOf(err);
  if (code) {
    return {
      permanent: false, kind: 'network',
      message: `Le serveur FHIR destinataire est injoignable (${code}) : nouvel essai plus tard`,
    };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { permanent: false, kind: 'unknown', message: `Échec de l'envoi au serveur FHIR destinataire (${text}) : nouvel essai plus tard` };
}

/** fhir-kit-client errors carry `response: { status, data }`. */
function httpStatusOf(err: unknown): number | undefined {
  const status = (err as { response?: { status?: unknown } } | null)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

function responseDataOf(err: unknown): unknown {
  return (err as { response?: { data?: unknown } } | null)?.response?.data;
}

/** The server's own words: OperationOutcome diagnostics / details, or a short text body. */
function diagnosticsOf(data: unknown): string | undefined {
  if (data && typeof data === 'object' && (data as OperationOutcome).resourceType === 'OperationOutcome') {
    const texts = ((data as OperationOutcome).issue ?? [])
      .map((issue) => [issue.diagnostics ?? issue.details?.text, issue.expression?.length ? `(${issue.expression.join(', ')})` : ''].filter(Boolean).join(' '))
      .filter(Boolean);
    return texts.length ? [...new Set(texts)].join(' ; ').slice(0, 1000) : undefined;
  }
  if (typeof data === 'string' && data.trim()) return data.trim().replace(/\s+/g, ' ').slice(0, 300);
  return undefined;
}

function isTimeout(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
  }
  return false;
}

/** fetch (undici) wraps socket errors: `TypeError: fetch failed` with `cause.code`. */
function networkCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TEMPORARY_NETWORK_CODES.has(code) || code.startsWith('UND_ERR_'))) return code;
  }
  if (err instanceof TypeError && err.message === 'fetch failed') return 'fetch failed';
  return undefined;
}
