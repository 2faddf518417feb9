import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { invalidResource, issue } from './errors.ts';

/**
 * What the R4 JSON format forbids and Medplum's validator lets through (it reads an empty value as
 * absent), checked on every written resource before anything else reads it: empty objects,
 * arrays and strings ("generalPractitioner": {} once broke the GP's pages for good), keys that
 * reach JavaScript prototypes, nulls outside primitive arrays, control characters and lone
 * surrogates, impossible dates (an identity born on 30 February), and nesting deeper than any real
 * resource (10,000 nested `contained` overflowed the stack). Iterative, so depth cannot hurt it.
 */
export const MAX_DEPTH = 64;
const MAX_ISSUES = 20;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Control characters other than tab, LF and CR (FHIR strings allow those three), and lone surrogates. */
const BAD_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** FHIR date / dateTime / instant shapes (year-month and year alone need no calendar check). */
const DATE_VALUE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
/** Element names whose values are dates in R4 (date, birthDate, effectiveDateTime, period.start…). */
const DATE_KEY = /(?:^|[a-z])(?:[Dd]ate|DateTime|Instant)$|^(?:start|end|issued|recorded|lastUpdated|authoredOn|instant|created|dateAsserted|occurrenceDateTime)$/;

export function structuralIssues(value: unknown, root = 'resource'): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const report = (path: string, text: string) => {
    if (issues.length < MAX_ISSUES) issues.push(issue('error', 'structure', text, [path]));
  };
  const stack: { value: unknown; path: string; depth: number; key?: string; siblingPrimitive?: boolean }[] = [{ value, path: root, depth: 0 }];
  while (stack.length && issues.length < MAX_ISSUES) {
    const item = stack.pop()!;
    const { path, depth } = item;
    const v = item.value;
    if (depth > MAX_DEPTH) {
      report(path, `Imbrication trop profonde (plus de ${MAX_DEPTH} niveaux)`);
      continue;
    }
    if (v === null) {
      // In R4 JSON a null only pads an array of primitives aligned with its `_element` extensions.
      if (!item.siblingPrimitive) report(path, 'Valeur null interdite en FHIR JSON (omettez l\'élément)');
      continue;
    }
    if (typeof v === 'string') {
      if (v === '' ) report(path, 'Chaîne vide interdite en FHIR JSON (omettez l\'élément)');
      else if (BAD_CHARACTERS.test(v)) report(path, 'Caractère de contrôle ou demi-paire UTF-16 (surrogate isolé) interdit');
      else if (item.key && DATE_KEY.test(item.key)) {
        const problem = dateProblem(v);
        if (problem) report(path, problem);
      }
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) report(path, 'Nombre invalide');
      continue;
    }
    if (typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      if (!v.length) report(path, 'Tableau vide interdit en FHIR JSON (omettez l\'élément)');
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}[${i}]`, depth: depth + 1, key: item.key, siblingPrimitive: item.siblingPrimitive });
      continue;
    }
    const keys = Object.keys(v);
    if (!keys.length) report(path, 'Objet vide interdit en FHIR JSON (omettez l\'élément)');
    for (const key of keys.reverse()) {
      if (FORBIDDEN_KEYS.has(key)) {
        report(`${path}.${key}`, `Clé '${key}' interdite`);
        continue;
      }
      if (BAD_CHARACTERS.test(key) || key === '') {
        report(path, 'Nom d\'élément vide ou contenant un caractère de contrôle');
        continue;
      }
      const child = (v as Record<string, unknown>)[key];
      // `given: ["A", null]` with `_given: [null, {extension}]`: nulls pad the two aligned arrays.
      const aligned = Array.isArray(child) && (key.startsWith('_') ? key.slice(1) in v : `_${key}` in v);
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1, key, siblingPrimitive: aligned });
    }
  }
  return issues;
}

/** Calendar check of a FHIR date/dateTime/instant (the format itself is the validator's job). */
export function dateProblem(value: string): string | undefined {
  const m = DATE_VALUE.exec(value);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return `Date impossible : '${value}' (mois ${m[2]})`;
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0); // day 0 of the next month: the month's last day (years 0–99 included)
  const days = last.getUTCDate();
  if (day < 1 || day > days) return `Date impossible : '${value}' (le ${m[2]}/${year} a ${days} jours)`;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return `Heure impossible : '${value}'`;
  return undefined;
}

/** Throws 400 with every structural problem found (at most a few dozen). */
export function requireSoundStructure(value: unknown, root?: string): void {
  const issues = structuralIssues(value, root);
  if (issues.length) throw invalidResource(400, issues);
}
