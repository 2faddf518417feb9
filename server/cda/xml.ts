/** A tiny XML writer for the CDA documents: elements as strings, every text and attribute escaped. */

export type Attrs = Record<string, string | number | boolean | undefined>;
/** A child: an element already written, or nothing (false/undefined/'' are skipped). */
export type Child = string | false | undefined | null;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Text content: escaped, control characters (forbidden in XML 1.0) dropped. */
export function text(value: string | number): string {
  // eslint-disable-next-line no-control-regex
  return escapeXml(String(value).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, ''));
}

export function el(name: string, attrs: Attrs = {}, ...children: Child[]): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${text(String(v))}"`)
    .join('');
  const body = children.filter((c): c is string => typeof c === 'string' && c !== '').join('');
  return body ? `<${name}${a}>${body}</${name}>` : `<${name}${a}/>`;
}

/** FHIR date/dateTime → HL7 V3 TS (`20251002140000+0200`, or `20250912` for a date). */
export function ts(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, zone] = m;
  let out = `${y}${mo ?? ''}${d ?? ''}`;
  if (h) out += `${h}${mi}${s ?? '00'}${zone === 'Z' || !zone ? '+0000' : zone.replace(':', '')}`;
  return out;
}
