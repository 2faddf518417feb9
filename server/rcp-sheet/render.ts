/**
 * The RCP sheet on paper, in French, for a GP: an HTML page with print CSS, and a PDF (pdfkit).
 * Both come from the same printable model (print.ts), itself read from the stored resources.
 */
import PDFDocument from 'pdfkit';
import { pdfBuffer, winAnsi } from '../print/index.ts';
import { printableSheet, type Block, type PrintableSheet, type PrintSection } from './print.ts';
import { escapeHtml } from '../fhir-kit/text.ts';
import type { RcpSheetContent } from './read.ts';

const CSS = `
  @page { size: A4; margin: 16mm 14mm 18mm 14mm; }
  * { box-sizing: border-box; }
  body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 10.5pt; line-height: 1.4; color: #111; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
  header.sheet { border-bottom: 2px solid #1f3b63; margin-bottom: 4mm; padding-bottom: 2mm; }
  h1 { font-size: 16pt; margin: 0; color: #1f3b63; }
  .subtitle { font-size: 11pt; margin: 1mm 0 0; }
  .banner { border: 2px solid #a00; color: #a00; font-weight: bold; text-align: center; padding: 2mm; margin: 3mm 0; letter-spacing: .05em; }
  h2 { font-size: 12pt; color: #1f3b63; border-bottom: 1px solid #9fb3cf; margin: 5mm 0 2mm; padding-bottom: .5mm; break-after: avoid; }
  h3 { font-size: 11pt; margin: 3mm 0 1mm; break-after: avoid; }
  section { break-inside: avoid-page; }
  table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; break-inside: auto; }
  tr { break-inside: avoid; }
  th, td { text-align: left; vertical-align: top; padding: 1mm 1.5mm; border: 1px solid #c8d3e3; }
  table.fields th { width: 38%; background: #f2f5fa; font-weight: 600; }
  thead th { background: #e4ebf5; }
  p { margin: 1mm 0; white-space: pre-wrap; }
  .label { font-weight: 600; margin-top: 2mm; }
  footer.signature { margin-top: 6mm; padding-top: 2mm; border-top: 2px solid #1f3b63; font-weight: 600; }
  .note { color: #555; font-size: 9pt; margin-top: 2mm; }
  @media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
`;

function blockHtml(b: Block): string {
  const text = (s: string) => escapeHtml(s);
  if (b.kind === 'fields') return `<table class="fields"><tbody>${b.rows.map(([k, v]) => `<tr><th scope="row">${text(k)}</th><td>${text(v)}</td></tr>`).join('')}</tbody></table>`;
  if (b.kind === 'table') {
    return `<table><thead><tr>${b.head.map((h) => `<th scope="col">${text(h)}</th>`).join('')}</tr></thead><tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${text(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  }
  return `${b.label ? `<p class="label">${text(b.label)}</p>` : ''}<p>${text(b.text)}</p>`;
}

function sectionHtml(s: PrintSection, level = 2): string {
  const heading = level === 2 ? 'h2' : 'h3';
  return `<section><${heading}>${escapeHtml(s.title)}</${heading}>${s.blocks.map(blockHtml).join('')}${(s.subsections ?? []).map((sub) => sectionHtml(sub, 3)).join('')}</section>`;
}

/** A complete, self-contained HTML page (every value escaped, print stylesheet inline). */
export function renderRcpSheetHtml(content: RcpSheetContent): string {
  const sheet = printableSheet(content);
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${sheet.title} — ${sheet.patientName}`)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="sheet">
<h1>${escapeHtml(sheet.title)}</h1>
<p class="subtitle">${escapeHtml(sheet.subtitle)}</p>
</header>
${sheet.banner ? `<div class="banner" role="note">${escapeHtml(sheet.banner)}</div>` : ''}
<main>
${sheet.header.map((s) => sectionHtml(s)).join('\n')}
${sheet.sections.map((s) => sectionHtml(s)).join('\n')}
</main>
<footer class="signature">${escapeHtml(sheet.signature)}</footer>
<p class="note">Document issu du Dossier Communicant de Cancérologie. Données de santé à caractère personnel : secret médical.</p>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

/**
 * The standard PDF fonts only cover WinAnsi: characters outside it (≤, ≥, →, Œ is fine…) are
 * replaced by readable equivalents rather than printed as garbage.
 */

const BLUE = '#1f3b63';
const MARGIN = 45;

export async function renderRcpSheetPdf(content: RcpSheetContent): Promise<Buffer> {
  const sheet = printableSheet(content);
  const doc = new PDFDocument({ size: 'A4', margins: { top: MARGIN, bottom: MARGIN + 15, left: MARGIN, right: MARGIN }, bufferPages: true, info: { Title: winAnsi(`${sheet.title} - ${sheet.patientName}`), Author: 'DCC - Dossier Communicant de Cancérologie', Subject: 'Fiche RCP' } });
  // Footer on every page: patient, page number (the sheet may run over several pages).
  return pdfBuffer(doc, () => writePdf(doc, sheet), { title: 'Fiche RCP', patient: sheet.patientIdentity, margin: MARGIN, offset: 0 });
}

function writePdf(doc: PDFKit.PDFDocument, sheet: PrintableSheet): void {
  const width = doc.page.width - 2 * MARGIN;
  doc.font('Helvetica-Bold').fontSize(15).fillColor(BLUE).text(winAnsi(sheet.title), { width });
  doc.font('Helvetica').fontSize(10.5).fillColor('#111').text(winAnsi(sheet.subtitle), { width });
  doc.moveDown(0.3);
  doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + width, doc.y).lineWidth(1.5).strokeColor(BLUE).stroke();
  doc.moveDown(0.5);
  if (sheet.banner) {
    const y = doc.y;
    doc.font('Helvetica-Bold').fontSize(11).fillColor('#aa0000');
    const h = doc.heightOfString(winAnsi(sheet.banner), { width: width - 12 }) + 8;
    doc.rect(MARGIN, y, width, h).lineWidth(1.5).strokeColor('#aa0000').stroke();
    doc.text(winAnsi(sheet.banner), MARGIN + 6, y + 4, { width: width - 12, align: 'center' });
    doc.x = MARGIN;
    doc.y = y + h + 6;
  }
  for (const s of [...sheet.header, ...sheet.sections]) pdfSection(doc, s, 1);
  doc.moveDown(1);
  ensureSpace(doc, 40);
  doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + width, doc.y).lineWidth(1.5).strokeColor(BLUE).stroke();
  doc.moveDown(0.3);
  doc.font('Helvetica-Bold').fontSize(10.5).fillColor('#111').text(winAnsi(sheet.signature), MARGIN, doc.y, { width });
  doc.font('Helvetica').fontSize(8).fillColor('#555').text(winAnsi('Document issu du Dossier Communicant de Cancérologie. Données de santé à caractère personnel : secret médical.'), { width });
}

function ensureSpace(doc: PDFKit.PDFDocument, needed: number): void {
  if (doc.y + needed > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function pdfSection(doc: PDFKit.PDFDocument, s: PrintSection, level: number): void {
  const width = doc.page.width - 2 * MARGIN;
  ensureSpace(doc, 50);
  doc.moveDown(level === 1 ? 0.6 : 0.3);
  doc.font('Helvetica-Bold').fontSize(level === 1 ? 12 : 10.5).fillColor(BLUE).text(winAnsi(s.title), MARGIN, doc.y, { width });
  if (level === 1) {
    doc.moveTo(MARGIN, doc.y + 1).lineTo(MARGIN + width, doc.y + 1).lineWidth(0.5).strokeColor('#9fb3cf').stroke();
    doc.moveDown(0.3);
  }
  doc.fillColor('#111');
  for (const b of s.blocks) pdfBlock(doc, b, width);
  for (const sub of s.subsections ?? []) pdfSection(doc, sub, 2);
}

function pdfBlock(doc: PDFKit.PDFDocument, b: Block, width: number): void {
  if (b.kind === 'text') {
    if (b.label) {
      ensureSpace(doc, 30);
      doc.font('Helvetica-Bold').fontSize(10).text(winAnsi(b.label), MARGIN, doc.y, { width });
    }
    doc.font('Helvetica').fontSize(10).text(winAnsi(b.text), MARGIN, doc.y, { width });
    doc.moveDown(0.3);
    return;
  }
  if (b.kind === 'fields') {
    const labelWidth = Math.round(width * 0.38);
    for (const [label, value] of b.rows) table(doc, [labelWidth, width - labelWidth], [label, value], { boldFirst: true });
    doc.moveDown(0.3);
    return;
  }
  const columns = columnWidths(doc, b.head, b.rows, width);
  table(doc, columns, b.head, { header: true });
  for (const row of b.rows) table(doc, columns, row, {});
  doc.moveDown(0.3);
}

/**
 * Column widths: never narrower than the longest word of a column (dates, IDNPS stay on one line),
 * the remaining width shared in proportion to how much more each column would like.
 */
function columnWidths(doc: PDFKit.PDFDocument, head: string[], rows: string[][], width: number): number[] {
  const pad = 6;
  const measure = (text: string, bold: boolean) => doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9.5).widthOfString(winAnsi(text));
  const longestWord = (text: string, bold: boolean) => Math.max(0, ...text.split(/\s+/).map((w) => measure(w, bold)));
  const min = head.map((h, i) => Math.max(longestWord(h, true), ...rows.map((r) => longestWord(r[i] ?? '', false))) + pad);
  const want = head.map((h, i) => Math.max(measure(h, true), ...rows.map((r) => measure(r[i] ?? '', false))) + pad);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(want) <= width) return want.map((w) => (w * width) / sum(want));
  if (sum(min) >= width) return min.map((m) => (m * width) / sum(min));
  const slack = want.map((w, i) => w - min[i]!);
  return min.map((m, i) => m + ((width - sum(min)) * slack[i]!) / sum(slack));
}

function table(doc: PDFKit.PDFDocument, widths: number[], cells: string[], style: { header?: boolean; boldFirst?: boolean }): void {
  const pad = 3;
  const fontOf = (i: number) => (style.header || (style.boldFirst && i === 0) ? 'Helvetica-Bold' : 'Helvetica');
  const heights = cells.map((c, i) => doc.font(fontOf(i)).fontSize(9.5).heightOfString(winAnsi(c || ' '), { width: widths[i]! - 2 * pad }));
  const h = Math.max(...heights) + 2 * pad;
  ensureSpace(doc, h);
  let x = MARGIN;
  const y = doc.y;
  cells.forEach((c, i) => {
    if (style.header || (style.boldFirst && i === 0)) doc.rect(x, y, widths[i]!, h).fillColor(style.header ? '#e4ebf5' : '#f2f5fa').fill();
    doc.rect(x, y, widths[i]!, h).lineWidth(0.5).strokeColor('#c8d3e3').stroke();
    doc.font(fontOf(i)).fontSize(9.5).fillColor('#111').text(winAnsi(c || ''), x + pad, y + pad, { width: widths[i]! - 2 * pad });
    x += widths[i]!;
  });
  doc.x = MARGIN;
  doc.y = y + h;
}
