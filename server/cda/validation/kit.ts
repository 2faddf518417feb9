/**
 * The ANS CDA test kit, run in Node: the CDA XSD (ANS-extended) with libxml2 (WebAssembly), and the
 * schematrons — "structuration minimale" for every document, plus the FRCP or PPS rules — compiled
 * once by our schematron compiler + SaxonJS (xslt3) into SEF files cached under `.cache/cda-kit/`.
 * The cache key is a hash of the kit's schematron files and of the compiler, so a kit or compiler
 * change recompiles. Compiling takes tens of seconds once; a validation then takes about a second.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import { compileSchematron } from './schematron.ts';
import { currentConfig } from '../../config.ts';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

export type CdaProfile = 'FRCP' | 'PPS';

/** Where the kit lives: `CDA_KIT_DIR`, else the copy kept in the repository (`reference/ans-cda-kit`). */
export function kitDir(): string {
  return currentConfig().cda.kitDir ?? join(repoRoot, 'reference/ans-cda-kit');
}
const cacheDir = () => currentConfig().cda.kitCache ?? join(repoRoot, '.cache/cda-kit');

const SCHEMATRONS: Record<'STRUCMIN' | CdaProfile, string> = {
  STRUCMIN: 'schematrons/profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch',
  FRCP: 'schematrons/CI-SIS_CANCER-FRCP_2022.01.sch',
  PPS: 'schematrons/CI-SIS_CANCER-PPS_2022.01.sch',
};

// Kit README, point 1: the J07 document type value set is read by StrucMin from a file missing upstream.
const MISSING_J07 = 'include/voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml';
// Kit README, point 2: ART-DECOR's INT regex quantifies an anchor; Saxon-Java reads it as ^\d*$.
const INT_REGEX_FIX = { from: '^+?\\d*$', to: '^\\d*$' };

export interface KitIssue {
  source: 'xsd' | 'schematron';
  severity: 'error' | 'warning' | 'info';
  message: string;
  location?: string;
  pattern?: string;
}
export interface KitReport {
  errors: KitIssue[];
  warnings: KitIssue[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function kitHash(): string {
  const h = createHash('sha256');
  for (const f of filesUnder(join(kitDir(), 'schematrons'))) h.update(f.slice(kitDir().length)).update(readFileSync(f));
  h.update(readFileSync(join(here, 'schematron.ts'))).update(readFileSync(fileURLToPath(import.meta.url)));
  return h.digest('hex').slice(0, 16);
}

/** The SVS value set J07 rewritten in ART-DECOR's voc format, which StrucMin reads. */
function writeJ07Voc(path: string): void {
  const svs = new DOMParser().parseFromString(readFileSync(join(kitDir(), 'jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml'), 'utf8'), 'text/xml');
  const concepts = Array.from(svs.getElementsByTagNameNS('urn:ihe:iti:svs:2008', 'Concept') as unknown as ArrayLike<Element>);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const list = concepts
    .map((c) => `<concept code="${esc(c.getAttribute('code') ?? '')}" codeSystem="${esc(c.getAttribute('codeSystem') ?? '')}" displayName="${esc(c.getAttribute('displayName') ?? '')}"/>`)
    .join('\n');
  writeFileSync(
    path,
    `<?xml version="1.0" encoding="UTF-8"?>\n<valueSets xmlns="urn:hl7-org:v3"><valueSet xmlns="" id="1.2.250.1.213.1.1.5.471" name="JDV_J07_XdsTypeCode_CISIS"><conceptList>\n${list}\n</conceptList></valueSet></valueSets>\n`,
  );
}

/** Compiles (once per kit/compiler version) the schematrons to SEF; returns the SEF file paths. */
export function compiledKit(): Record<'STRUCMIN' | CdaProfile, string> {
  const dir = join(cacheDir(), kitHash());
  const sefs = Object.fromEntries(Object.keys(SCHEMATRONS).map((k) => [k, join(dir, `${k}.sef.json`)])) as Record<'STRUCMIN' | CdaProfile, string>;
  if (Object.values(sefs).every((f) => existsSync(f))) return sefs;
  mkdirSync(dir, { recursive: true });
  const j07 = join(dir, 'voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml');
  writeJ07Voc(j07);
  const xslt3 = require.resolve('xslt3/xslt3.js');
  for (const [key, rel] of Object.entries(SCHEMATRONS) as Array<['STRUCMIN' | CdaProfile, string]>) {
    if (existsSync(sefs[key])) continue;
    const xsl = compileSchematron(join(kitDir(), rel), {
      expressionFixes: [INT_REGEX_FIX, { from: `'${MISSING_J07}'`, to: `'${pathToFileURL(j07).href}'` }],
    });
    const xslPath = join(dir, `${key}.xsl`);
    writeFileSync(xslPath, xsl);
    // Written under a temporary name, then renamed: parallel test runs never read half a file.
    const tmp = `${sefs[key]}.${process.pid}.tmp`;
    execFileSync(process.execPath, [xslt3, `-xsl:${xslPath}`, `-export:${tmp}`, '-nogo'], { stdio: 'pipe' });
    renameSync(tmp, sefs[key]);
  }
  return sefs;
}

interface SaxonJs {
  transform(options: Record<string, unknown>): { principalResult: string };
}
let saxon: SaxonJs | undefined;
function saxonJs(): SaxonJs {
  saxon ??= require('saxon-js') as SaxonJs;
  return saxon;
}

// The parsed SEF (8 MB for StrucMin) is kept: reading it again costs a second per document.
const parsedSef = new Map<string, unknown>();
export function runSchematron(sefPath: string, xml: string): KitIssue[] {
  if (!parsedSef.has(sefPath)) parsedSef.set(sefPath, JSON.parse(readFileSync(sefPath, 'utf8')));
  const result = saxonJs().transform({ stylesheetInternal: parsedSef.get(sefPath), sourceText: xml, destination: 'serialized' });
  const out = new DOMParser().parseFromString(result.principalResult, 'text/xml');
  return Array.from(out.getElementsByTagName('r') as unknown as ArrayLike<Element>).map((r) => {
    const role = (r.getAttribute('role') ?? '').toLowerCase();
    return {
      source: 'schematron' as const,
      severity: role === 'warning' ? 'warning' : role === 'info' || role === 'information' ? 'info' : 'error',
      message: (r.textContent ?? '').trim(),
      location: r.getAttribute('loc') ?? undefined,
      pattern: r.getAttribute('pattern') ?? undefined,
    };
  });
}

type Libxml = typeof import('libxml2-wasm');
let libxml: Promise<Libxml> | undefined;
async function libxml2(): Promise<Libxml> {
  libxml ??= (async () => {
    const lib = await import('libxml2-wasm');
    const { xmlRegisterFsInputProviders } = await import('libxml2-wasm/lib/nodejs.mjs');
    xmlRegisterFsInputProviders();
    return lib;
  })();
  return libxml;
}

/** Validates against `infrastructure/cda/CDA_extended.xsd`, as the kit's verif.bat does. */
export async function validateXsd(xml: string): Promise<KitIssue[]> {
  const { XmlDocument, XsdValidator, XmlValidateError } = await libxml2();
  const xsdPath = join(kitDir(), 'infrastructure/cda/CDA_extended.xsd');
  const schemaDoc = XmlDocument.fromString(readFileSync(xsdPath, 'utf8'), { url: pathToFileURL(xsdPath).href });
  const validator = XsdValidator.fromDoc(schemaDoc);
  const doc = XmlDocument.fromString(xml);
  try {
    validator.validate(doc);
    return [];
  } catch (e) {
    if (e instanceof XmlValidateError) {
      return e.details.map((d) => ({ source: 'xsd' as const, severity: 'error' as const, message: d.message.trim(), location: `line ${d.line}` }));
    }
    throw e;
  } finally {
    doc.dispose();
    validator.dispose();
    schemaDoc.dispose();
  }
}

/** XSD + structuration minimale + the profile's schematron. */
export async function validateWithKit(xml: string, profile: CdaProfile): Promise<KitReport> {
  const sefs = compiledKit();
  const issues = [...(await validateXsd(xml)), ...runSchematron(sefs.STRUCMIN, xml), ...runSchematron(sefs[profile], xml)];
  return { errors: issues.filter((i) => i.severity === 'error'), warnings: issues.filter((i) => i.severity !== 'error') };
}

/** The profile a CDA document declares (by its templateIds). */
export function profileOf(xml: string): CdaProfile | undefined {
  if (xml.includes('1.2.250.1.213.1.1.1.8"')) return 'FRCP';
  if (xml.includes('1.2.250.1.213.1.1.1.26"')) return 'PPS';
  return undefined;
}

export const kitAvailable = (): boolean => existsSync(kitDir()) && statSync(kitDir()).isDirectory();
