/**
 * A small ISO Schematron (queryBinding xslt2) compiler: .sch (with its includes, abstract patterns
 * and abstract rules) → one XSLT 3.0 stylesheet, run by SaxonJS. The ANS kit ships its rules for the
 * ISO skeleton; its engine files are not part of the kit, and no schematron compiler is published on
 * the npm registry, so the ISO semantics we need are written here (ISO/IEC 19757-3 §5–6):
 *  - in one pattern, a node is handled by the FIRST rule whose context matches it (XSLT priorities);
 *  - pattern-level `let`s are global (the FRCP rules define value-set paths in a "variables" pattern);
 *  - `is-a` patterns substitute `$param` in every expression of the abstract pattern;
 *  - `extends` copies an abstract rule's lets, asserts and reports.
 * Failed asserts and successful reports are returned with their role: no role or role="error"
 * counts as an error; "warning"/"info" do not.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';

const SCH = 'http://purl.oclc.org/dsdl/schematron';

type El = Element;

export interface SchematronCompileOptions {
  /** Text substitutions applied to every XPath expression (work-arounds for known kit defects). */
  expressionFixes?: Array<{ from: string; to: string }>;
}

function parseXmlFile(path: string): Document {
  const text = readFileSync(path, 'utf8');
  return new DOMParser().parseFromString(text, 'text/xml');
}

function schChildren(el: El | Document, name?: string): El[] {
  const out: El[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as El).namespaceURI === SCH && (!name || (n as El).localName === name)) out.push(n as El);
  }
  return out;
}

/** Replaces every sch:include by the root element of the included file (recursively). */
function expandIncludes(el: El, baseDir: string): void {
  for (let n = el.firstChild; n; ) {
    const next = n.nextSibling;
    if (n.nodeType === 1) {
      const child = n as El;
      if (child.namespaceURI === SCH && child.localName === 'include') {
        const path = resolve(baseDir, child.getAttribute('href') ?? '');
        const included = parseXmlFile(path).documentElement;
        if (!included) throw new Error(`schematron include not readable: ${path}`);
        const imported = el.ownerDocument.importNode(included, true) as El;
        expandIncludes(imported, dirname(path));
        el.replaceChild(imported, child);
      } else {
        expandIncludes(child, baseDir);
      }
    }
    n = next;
  }
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function substituteParams(el: El, params: Map<string, string>): void {
  // Longest names first so $path_jdv is not taken for $path.
  const names = [...params.keys()].sort((a, b) => b.length - a.length);
  const apply = (s: string) =>
    names.reduce((acc, name) => acc.replace(new RegExp(`\\$${name.replace(/[.\-]/g, '\\$&')}(?![\\w.\\-])`, 'g'), () => params.get(name)!), s);
  const walk = (node: El) => {
    for (const attr of Array.from(node.attributes)) {
      if (attr.value.includes('$')) node.setAttribute(attr.name, apply(attr.value));
    }
    for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) walk(c as El);
  };
  walk(el);
}

/** Compiles a schematron file to XSLT 3.0 text. `documentBase` becomes the stylesheet's static base URI. */
export function compileSchematron(schPath: string, options: SchematronCompileOptions = {}): string {
  const doc = parseXmlFile(schPath);
  const schema = doc.documentElement;
  if (!schema || schema.namespaceURI !== SCH || schema.localName !== 'schema') throw new Error(`not a schematron schema: ${schPath}`);
  expandIncludes(schema, dirname(schPath));

  const fix = (expr: string) => (options.expressionFixes ?? []).reduce((acc, f) => acc.split(f.from).join(f.to), expr);

  const namespaces = new Map<string, string>();
  const globalLets: Array<[string, string]> = [];
  const seenGlobals = new Set<string>();
  const addGlobal = (let_: El) => {
    const name = let_.getAttribute('name') ?? '';
    if (!name || seenGlobals.has(name)) return;
    seenGlobals.add(name);
    globalLets.push([name, let_.getAttribute('value') ?? `'${(let_.textContent ?? '').trim()}'`]);
  };

  const abstractPatterns = new Map<string, El>();
  const abstractRules = new Map<string, El>();
  const allElements = (root: El, local: string): El[] =>
    Array.from(root.getElementsByTagNameNS(SCH, local) as unknown as ArrayLike<El>);
  for (const ns of allElements(schema, 'ns')) namespaces.set(ns.getAttribute('prefix')!, ns.getAttribute('uri')!);
  for (const p of allElements(schema, 'pattern')) if (p.getAttribute('abstract') === 'true') abstractPatterns.set(p.getAttribute('id')!, p);
  for (const r of allElements(schema, 'rule')) if (r.getAttribute('abstract') === 'true') abstractRules.set(r.getAttribute('id')!, r);
  for (const l of schChildren(schema, 'let')) addGlobal(l);

  // Concrete patterns, in document order (includes already expanded in place).
  const patterns: El[] = [];
  for (const p of allElements(schema, 'pattern')) {
    if (p.getAttribute('abstract') === 'true') continue;
    const isA = p.getAttribute('is-a');
    if (isA) {
      const template = abstractPatterns.get(isA);
      if (!template) throw new Error(`abstract pattern not found: ${isA}`);
      const instance = template.cloneNode(true) as El;
      const params = new Map(schChildren(p, 'param').map((pp) => [pp.getAttribute('name')!, pp.getAttribute('value')!]));
      substituteParams(instance, params);
      instance.setAttribute('id', p.getAttribute('id') ?? isA);
      patterns.push(instance);
    } else {
      patterns.push(p);
    }
  }

  const message = (node: El): string => {
    let out = '';
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3 || c.nodeType === 4) out += escapeText(c.nodeValue ?? '');
      else if (c.nodeType === 1) {
        const e = c as El;
        if (e.namespaceURI === SCH && e.localName === 'value-of') out += `<xsl:value-of select="${escapeAttr(fix(e.getAttribute('select') ?? '.'))}"/>`;
        else if (e.namespaceURI === SCH && e.localName === 'name') out += `<xsl:value-of select="name(${escapeAttr(fix(e.getAttribute('path') ?? '.'))})"/>`;
        else out += message(e);
      }
    }
    return out.replace(/\s+/g, ' ');
  };

  const usedAbstractRules = new Set<string>();
  const abstractTemplateName = (id: string) => `sch-abstract-${id.replace(/[^\w.\-]/g, '_')}`;
  // patternValue: an XPath giving the pattern's id (a literal, or $sch-pattern inside an abstract rule).
  const ruleBody = (rule: El, patternValue: string): string => {
    const patternAvt = patternValue.startsWith('$') ? `{${patternValue}}` : patternValue.slice(1, -1);
    let out = '';
    for (const c of schChildren(rule)) {
      const kind = c.localName;
      if (kind === 'let') out += `<xsl:variable name="${c.getAttribute('name')}" select="${escapeAttr(fix(c.getAttribute('value') ?? "''"))}"/>\n`;
      else if (kind === 'extends') {
        // An abstract rule becomes one named template, called with the same context node: inlining
        // it at each use made the ART-DECOR rules (hundreds of extends of the datatype rules) 5 MB of XSLT.
        const id = c.getAttribute('rule') ?? '';
        if (!abstractRules.has(id)) throw new Error(`abstract rule not found: ${id}`);
        usedAbstractRules.add(id);
        out += `<xsl:call-template name="${abstractTemplateName(id)}"><xsl:with-param name="sch-pattern" select="${escapeAttr(patternValue)}"/></xsl:call-template>\n`;
      } else if (kind === 'assert' || kind === 'report') {
        const test = fix(c.getAttribute('test') ?? 'true()');
        const cond = kind === 'assert' ? `not(${test})` : `(${test})`;
        const role = c.getAttribute('role') ?? '';
        out += `<xsl:if test="${escapeAttr(cond)}"><r k="${kind}" role="${escapeAttr(role)}" pattern="${escapeAttr(patternAvt)}" loc="{path()}">${message(c)}</r></xsl:if>\n`;
      }
    }
    return out;
  };

  let body = '';
  let modes = '';
  patterns.forEach((pattern, i) => {
    for (const l of schChildren(pattern, 'let')) addGlobal(l);
    const rules = schChildren(pattern, 'rule').filter((r) => r.getAttribute('abstract') !== 'true' && r.getAttribute('context'));
    if (rules.length === 0) return;
    const mode = `p${i}`;
    const patternId = (pattern.getAttribute('id') ?? mode).replace(/['{}&<"]/g, '');
    modes += `<xsl:apply-templates select="/" mode="${mode}"/>\n`;
    rules.forEach((rule, j) => {
      body += `<xsl:template match="${escapeAttr(fix(rule.getAttribute('context')!))}" mode="${mode}" priority="${rules.length - j + 1}">\n`;
      body += ruleBody(rule, `'${patternId}'`);
      body += `<xsl:apply-templates select="@*|*" mode="${mode}"/>\n</xsl:template>\n`;
    });
    body += `<xsl:template match="/|*" mode="${mode}" priority="-10"><xsl:apply-templates select="@*|*" mode="${mode}"/></xsl:template>\n`;
    body += `<xsl:template match="@*|text()|comment()|processing-instruction()" mode="${mode}" priority="-10"/>\n`;
  });

  // Named templates for the abstract rules, including those only reached from other abstract rules.
  const emitted = new Set<string>();
  while (emitted.size < usedAbstractRules.size) {
    for (const id of [...usedAbstractRules]) {
      if (emitted.has(id)) continue;
      emitted.add(id);
      body += `<xsl:template name="${abstractTemplateName(id)}"><xsl:param name="sch-pattern"/>\n${ruleBody(abstractRules.get(id)!, '$sch-pattern')}</xsl:template>\n`;
    }
  }

  const nsDecls = [...namespaces].map(([p, u]) => ` xmlns:${p}="${escapeAttr(u)}"`).join('');
  const globals = globalLets.map(([n, v]) => `<xsl:variable name="${n}" select="${escapeAttr(fix(v))}"/>\n`).join('');
  // xml:base: relative document() calls in the rules resolve from the schema's folder, as with the kit's engine.
  return `<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"${nsDecls} exclude-result-prefixes="#all" xml:base="${escapeAttr(pathToFileURL(dirname(schPath)).href + '/')}">
<xsl:output method="xml" indent="no"/>
${globals}
<xsl:template match="/"><results>
${modes}</results></xsl:template>
${body}
</xsl:stylesheet>
`;
}
