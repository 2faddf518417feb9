/** Search form of a string: lower case without accents, so 'hélène' and 'HELENE' match 'Hélène'. */
export function normalizeString(value: string): string {
  return value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}
