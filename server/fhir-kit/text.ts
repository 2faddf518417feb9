/** Text helpers shared by every layer. */

/** The addr-spec of `Name <a@b>` or `a@b`; undefined for anything else (lists, spaces, no domain). */
export function bareAddress(value: string): string | undefined {
  const trimmed = value.trim();
  const inner = /<([^<>]+)>$/.exec(trimmed)?.[1] ?? trimmed;
  return /^[^\s@<>,;:"()[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(inner) ? inner : undefined;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML and XHTML (narratives, printed pages, mail bodies): the apostrophe too,
 * since French text is full of them and an attribute may be single-quoted.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * The text without its diacritics (é → e, ç → c, ï → i): canonical decomposition, then every
 * combining mark dropped. Case is kept. The one accent folding of the service.
 */
export function foldAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '');
}

/** Accent- and case-insensitive form, to compare or match French words ('Hélène' ~ 'HELENE'). */
export function foldForComparison(text: string): string {
  return foldAccents(text).toLowerCase();
}
