import type { OperationOutcome } from '@medplum/fhirtypes';

/**
 * The one way the client calls the server: same origin, cookies sent, the CSRF token on every
 * write, JSON in and out, and every failure turned into an ApiError whose message is a French
 * sentence a person can read (the OperationOutcome's text), never raw JSON.
 */

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A failed call: HTTP status, the French sentence to show, and the server's OperationOutcome. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly outcome?: OperationOutcome,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The FHIR path (e.g. "Patient.birthDate") the server's rule names, to show the error beside that field. */
  get expressions(): string[] {
    return (this.outcome?.issue ?? []).flatMap((i) => i.expression ?? i.location ?? []);
  }
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON (FHIR resources under /fhir as application/fhir+json). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** 401 handled by the caller (the sign-in page asking "am I signed in?"), not by a redirect. */
  allowUnauthenticated?: boolean;
}

/** Session state the wrapper needs, kept here so any module can call api() without a React hook. */
const state: {
  csrfToken?: string;
  onUnauthorized?: (error: ApiError) => void;
  activityListeners: Set<() => void>;
} = { activityListeners: new Set() };

export function setCsrfToken(token: string | undefined): void {
  state.csrfToken = token;
}

/** Called on any 401 (session expired or ended elsewhere): the app sends the user to sign in and back. */
export function onUnauthorized(handler: ((error: ApiError) => void) | undefined): void {
  state.onUnauthorized = handler;
}

/** Every answered request keeps the server session alive: the idle-timeout watcher listens. */
export function onServerActivity(listener: () => void): () => void {
  state.activityListeners.add(listener);
  return () => state.activityListeners.delete(listener);
}

export function buildUrl(path: string, query?: ApiOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return search ? `${path}${path.includes('?') ? '&' : '?'}${search}` : path;
}

/** Calls the server and returns the parsed JSON body (undefined for 204). */
export async function api<T = unknown>(path: string, options: ApiOptions = {}): Promise<T> {
  return (await apiResponse<T>(path, options)).body;
}

/** The same call, with the response's headers (a create's Location when its body is an OperationOutcome). */
export async function apiResponse<T = unknown>(path: string, options: ApiOptions = {}): Promise<{ body: T; headers: Headers }> {
  const method = options.method ?? 'GET';
  const fhir = path.startsWith('/fhir');
  const headers: Record<string, string> = { accept: fhir ? 'application/fhir+json' : 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = fhir ? 'application/fhir+json' : 'application/json';
  if (WRITE_METHODS.has(method) && state.csrfToken) headers['x-csrf-token'] = state.csrfToken;
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error)?.name === 'AbortError') throw error;
    throw new ApiError(0, 'Le serveur du DCC est injoignable : vérifiez votre connexion réseau puis réessayez.');
  }
  if (response.status !== 401) for (const listener of state.activityListeners) listener();
  if (response.ok) {
    if (response.status === 204) return { body: undefined as T, headers: response.headers };
    const text = await response.text();
    try {
      return { body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
    } catch {
      throw new ApiError(response.status, 'Réponse illisible du serveur : réessayez ou contactez le support.');
    }
  }
  const error = await errorOf(response);
  if (error.status === 401 && !options.allowUnauthenticated) state.onUnauthorized?.(error);
  throw error;
}

/** An error response → ApiError with the OperationOutcome's French text, or a sentence for the status. */
export async function errorOf(response: Response): Promise<ApiError> {
  let outcome: OperationOutcome | undefined;
  try {
    const body = JSON.parse(await response.text()) as unknown;
    if ((body as OperationOutcome)?.resourceType === 'OperationOutcome') outcome = body as OperationOutcome;
  } catch {
    // not JSON: the sentence for the status below
  }
  // A stale version (412) is said in the page's words: the server's sentence names the resource and
  // If-Match, which is for the software calling the API, not for the person who clicked.
  const sentence = response.status === 412 ? undefined : outcome && outcomeMessage(outcome);
  return new ApiError(response.status, sentence || messageOfStatus(response.status), outcome);
}

/** The sentences of an OperationOutcome's errors (details.text, else diagnostics), joined. */
export function outcomeMessage(outcome: OperationOutcome): string {
  const issues = outcome.issue ?? [];
  const serious = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  const texts = (serious.length ? serious : issues).map((i) => i.details?.text ?? i.diagnostics).filter((t): t is string => Boolean(t));
  return [...new Set(texts)].join(' ');
}

export function messageOfStatus(status: number): string {
  switch (status) {
    case 400: return 'La demande est incomplète ou mal formée.';
    case 401: return 'Votre session a expiré : reconnectez-vous.';
    case 403: return "Vous n'avez pas accès à cette information.";
    case 404: return "Cette page ou ce document n'existe pas (ou plus).";
    case 409: return "Quelqu'un d'autre a modifié ces données entre-temps : rechargez la page.";
    case 412: return 'Ces données ont changé depuis votre lecture : rechargez la page.';
    case 422: return 'Les données saisies ne respectent pas une règle du DCC.';
    case 429: return 'Trop de demandes : réessayez dans une minute.';
    case 503: return 'Le DCC est momentanément indisponible : réessayez dans quelques instants.';
    default: return status >= 500 ? "Erreur du serveur : rien n'a été modifié. Réessayez ou contactez le support." : `Erreur inattendue (${status}).`;
  }
}

/** The sentence to show for any error (ApiError or a bug). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Une erreur inattendue s'est produite dans la page. Rechargez-la ; si cela se reproduit, contactez le support.";
}
