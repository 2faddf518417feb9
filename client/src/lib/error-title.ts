/**
 * The title of an error as a person reads it, from what the server says the error is — the RCP
 * rule it names (details.coding) or the issue code — and not from the status alone: every 409 was
 * titled « Modification concurrente », a quorum refusal included. Only a stale version (412, or a
 * 409 whose issue code is `conflict`) is a concurrent modification. No relative import: the mocha
 * unit tests load this file directly.
 */
export interface OutcomeLike {
  issue?: { severity?: string; code?: string; details?: { coding?: { system?: string; code?: string }[] } }[];
}

/** The RCP rules (server/rcp/errors.ts) whose refusal has a name of its own. */
const RULE_TITLE: Record<string, string> = {
  'quorum-not-reached': 'Quorum non atteint',
  'registration-cutoff': 'Inscriptions closes',
  'session-full': 'Séance complète',
  'session-not-today': 'Séance prévue un autre jour',
  'session-not-in-progress': "Séance qui n'est pas en cours",
  'patient-already-registered': 'Patient déjà inscrit',
  'signed-immutable': 'Fiche RCP signée',
};

const RCP_RULE_SYSTEM = /\/CodeSystem\/rcp-rule$/;

export function errorTitle(status: number | undefined, outcome?: OutcomeLike): string {
  const issues = outcome?.issue ?? [];
  const issue = issues.find((i) => i.severity === 'error' || i.severity === 'fatal') ?? issues[0];
  const rule = issue?.details?.coding?.find((c) => c.system && RCP_RULE_SYSTEM.test(c.system))?.code;
  if (rule && RULE_TITLE[rule]) return RULE_TITLE[rule];
  if (status === 403) return 'Accès refusé';
  if (status === 404) return 'Introuvable';
  if (status === 412) return 'Modification concurrente';
  if (status === 409) return issue?.code === 'conflict' ? 'Modification concurrente' : 'Action impossible';
  if (status === 400 || status === 422) return 'Demande refusée';
  if (status === 0) return 'Réseau indisponible';
  return 'Erreur';
}

/** What a page shows, for the words of its load error. */
export type PageKind = 'session' | 'board' | 'sheet' | 'case' | 'patient' | 'programme';

const PAGE_NOUN: Record<PageKind, { noun: string; the: string; it: 'il' | 'elle'; where: string }> = {
  session: { noun: 'Séance', the: 'Cette séance', it: 'elle', where: 'ouvrez-la depuis le calendrier de sa RCP' },
  board: { noun: 'RCP', the: 'Cette RCP', it: 'elle', where: 'ouvrez-la depuis la liste des RCP de l’accueil' },
  sheet: { noun: 'Fiche RCP', the: 'Cette fiche RCP', it: 'elle', where: 'ouvrez-la depuis le dossier du patient' },
  case: { noun: 'Dossier RCP', the: 'Ce dossier RCP', it: 'il', where: 'ouvrez-le depuis le dossier du patient ou l’ordre du jour de sa séance' },
  patient: { noun: 'Patient', the: 'Ce patient', it: 'il', where: 'ouvrez son dossier depuis votre liste de patients' },
  programme: { noun: 'Programme', the: 'Ce programme de soins', it: 'il', where: 'ouvrez-le depuis le dossier du patient' },
};

/** A failure a second try may mend: the network, the server busy or down (never a 404 or a 403). */
export function mayRetry(status: number | undefined): boolean {
  return status === 0 || status === 408 || status === 429 || (status !== undefined && status >= 500);
}

/** A load that failed because the link leads nowhere (404, 410, or a malformed id: 400): links to the same thing lead nowhere either. */
export function leadsNowhere(status: number | undefined): boolean {
  return status === 404 || status === 410 || status === 400;
}

/**
 * The words of a page that could not load what it shows, by page kind and status — not the
 * server's sentence, which names FHIR internals for the API's clients (« Séance de RCP
 * Appointment/0000… introuvable », « Patient/… ne fait pas partie de vos patients »). A malformed
 * identifier in the link (400) is a link that leads nowhere, as a 404 is. `pageTitle` is the
 * document's title (« Séance introuvable — DCC »); `retry` only when trying again may work.
 */
export function loadErrorWords(kind: PageKind, status: number | undefined, serverText?: string): { title: string; text: string; pageTitle: string; retry: boolean } {
  const page = PAGE_NOUN[kind];
  if (leadsNowhere(status)) {
    const title = `${page.noun} introuvable`;
    return { title, pageTitle: title, retry: false, text: `${page.the} n’existe pas ou n’existe plus : vérifiez le lien, ou ${page.where}.` };
  }
  if (status === 403) {
    const text = kind === 'patient'
      ? 'Ce patient ne fait pas partie de vos patients : son dossier ne vous est pas accessible. S’il est suivi par vous, demandez à son équipe de soins de vous y ajouter.'
      : `Vous n’avez pas accès à ${page.the.charAt(0).toLowerCase()}${page.the.slice(1)} : ${page.it} ne relève pas de votre périmètre.`;
    return { title: 'Accès refusé', pageTitle: `${page.noun} inaccessible`, retry: false, text };
  }
  if (status === 0) return { title: 'Réseau indisponible', pageTitle: page.noun, retry: true, text: 'Le serveur du DCC est injoignable : vérifiez votre connexion réseau puis réessayez.' };
  if (mayRetry(status)) return { title: 'Service indisponible', pageTitle: page.noun, retry: true, text: 'Le DCC n’a pas pu répondre : rien n’a été modifié. Réessayez dans quelques instants ; si cela persiste, contactez le support.' };
  return { title: errorTitle(status), pageTitle: page.noun, retry: false, text: withoutReferences(serverText) || 'La page n’a pas pu être affichée. Rechargez-la ; si cela se reproduit, contactez le support.' };
}

/** A server sentence without the FHIR references it names (« Task/abc », « Appointment/… »). */
export function withoutReferences(text: string | undefined): string {
  return (text ?? '').replace(/\s*\b[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}\b/g, '').replace(/\s{2,}/g, ' ').trim();
}
