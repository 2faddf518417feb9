/**
 * A board's name on a chart's axis, where room is short: "RCP digestive du CHU Méditerranée" →
 * "digestive du CHU Méditerranée". A name that goes on with "d'…" or "de …" keeps its "RCP"
 * ("d'oncogériatrie du CHU Méditerranée" read as a sentence cut at its start).
 * No relative import: the mocha unit tests load this file directly.
 */
export function boardShortName(name: string): string {
  const rest = /^RCP\s+(.*)$/i.exec(name)?.[1];
  if (!rest || /^(d['’]|de\s|du\s|des\s)/i.test(rest)) return name;
  return rest;
}
