/**
 * The summary as a page to read or print (French HTML, PDF), with the same renderers as the
 * printed PPS / PPAC (server/care-plan/render.ts): one model, two renderings that never disagree.
 */
import { patientFields, type PrintableDocument, type PrintableSection, renderCarePlanHtml, renderCarePlanPdf } from '../care-plan/index.ts';
import type { Summary } from './build.ts';
import { printedPatientIdentity } from '../identity/index.ts';
import { AUDIENCE_LABEL } from './codes.ts';
import { longDay, printedTime } from '../fhir-kit/french-dates.ts';

/** A printable summary: the PPS / PPAC page layout (title, identity box, sections). */
export type PrintableSummary = Omit<PrintableDocument, 'kind'> & { audience: Summary['audience'] };

export function printableSummary(summary: Summary): PrintableSummary {
  const sections: PrintableSection[] = summary.sections.map((s) => ({ title: s.title, blocks: s.blocks }));
  sections.push({
    title: 'À propos de cette synthèse',
    blocks: [{
      kind: 'paragraph',
      text: "Synthèse établie à partir du Dossier Communicant de Cancérologie, selon ce que votre profession peut consulter et les choix du patient. Elle ne remplace pas les comptes rendus : en cas de doute, contactez l'équipe référente.",
    }],
  });
  return {
    audience: summary.audience,
    title: summary.title,
    subtitle: summary.subtitle,
    patient: patientFields(summary.patient),
    patientIdentity: printedPatientIdentity(summary.patient),
    about: [
      ['Destinataire', AUDIENCE_LABEL[summary.audience].reader],
      ['Établie le', `${longDay(summary.today)} à ${printedTime(summary.generatedAt)}`],
      ...(summary.establishment?.name ? [['Établissement de référence', summary.establishment.name] as [string, string]] : []),
    ],
    sections,
  };
}


// The care-plan renderers read the title, identity box and sections, not the programme kind.
const asPage = (doc: PrintableSummary): PrintableDocument => ({ ...doc, kind: 'pps' });

export function renderSummaryHtml(doc: PrintableSummary): string {
  return renderCarePlanHtml(asPage(doc));
}

export function renderSummaryPdf(doc: PrintableSummary, options: { created?: Date } = {}): Promise<Buffer> {
  return renderCarePlanPdf(asPage(doc), options);
}
