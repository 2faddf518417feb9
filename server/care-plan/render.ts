/**
 * Renderings of a printable PPS / PPAC: a standalone HTML page (printable from a browser) and a
 * PDF (pdfkit). Both take the same PrintableDocument, so they never disagree.
 */
import PDFDocument from 'pdfkit';
import { pdfBuffer, winAnsi } from '../print/index.ts';
import type { Block, PrintableDocument } from './printable.ts';
import { escapeHtml } from '../fhir-kit/text.ts';

// ----- HTML ------------------------------------------------------------------------------------------

function htmlBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return block.emphasis ? `<p><strong>${escapeHtml(block.text)}</strong></p>` : `<p>${escapeHtml(block.text)}</p>`;
    case 'list':
      return `<ul>${block.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    case 'fields':
      return `<dl>${block.fields.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v || '—')}</dd>`).join('')}</dl>`;
    case 'table':
      return `<table><thead><tr>${block.headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${block.rows
        .map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c || '—')}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
  }
}

const CSS = `
body{font-family:Arial,Helvetica,sans-serif;font-size:11pt;color:#111;max-width:52em;margin:1.5em auto;padding:0 1em;line-height:1.4}
h1{font-size:18pt;margin:0}
.subtitle{color:#333;margin:.2em 0 1em}
h2{font-size:13pt;border-bottom:1px solid #555;margin-top:1.4em;padding-bottom:.1em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.4em 0}
dt{font-weight:bold}dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{border:1px solid #888;padding:.25em .4em;text-align:left;vertical-align:top}
th{background:#eee}
.header{display:flex;justify-content:space-between;gap:2em;border:1px solid #888;padding:.6em;margin-bottom:1em}
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
`;

export function renderCarePlanHtml(doc: PrintableDocument): string {
  const fields = (f: [string, string][]) => `<dl>${f.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v || '—')}</dd>`).join('')}</dl>`;
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>${escapeHtml(doc.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(doc.title)}</h1>
<p class="subtitle">${escapeHtml(doc.subtitle)}</p>
<div class="header"><section aria-label="Patient">${fields(doc.patient)}</section><section aria-label="Document">${fields(doc.about)}</section></div>
${doc.sections.map((s) => `<section>\n<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(htmlBlock).join('\n')}\n</section>`).join('\n')}
</body>
</html>
`;
}

// ----- PDF -----------------------------------------------------------------------------------------------

const MARGIN = 50;

export function renderCarePlanPdf(doc: PrintableDocument, options: { created?: Date } = {}): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    lang: 'fr-FR',
    info: { Title: doc.title, Subject: doc.subtitle, Creator: 'DCC — Dossier Communicant de Cancérologie', CreationDate: options.created ?? new Date() },
  } as PDFKit.PDFDocumentOptions);
  return pdfBuffer(pdf, () => writePdf(pdf, doc), { title: doc.title, patient: doc.patientIdentity, margin: MARGIN, offset: 15 });
}

function writePdf(pdf: PDFKit.PDFDocument, doc: PrintableDocument): void {
  const width = pdf.page.width - 2 * MARGIN;
  pdf.fillColor('#000').font('Helvetica-Bold').fontSize(18).text(winAnsi(doc.title));
  pdf.font('Helvetica').fontSize(11).fillColor('#333').text(winAnsi(doc.subtitle)).moveDown(0.6);
  pdf.fillColor('#000');
  const boxTop = pdf.y;
  const half = width / 2 - 10;
  const fieldsAt = (fields: [string, string][], x: number, y: number) => {
    pdf.y = y;
    for (const [k, v] of fields) {
      pdf.font('Helvetica-Bold').fontSize(10).text(winAnsi(`${k} : `), x, pdf.y, { width: half, continued: true }).font('Helvetica').text(winAnsi(v || '—'));
    }
    return pdf.y;
  };
  const leftBottom = fieldsAt(doc.patient, MARGIN + 6, boxTop + 6);
  const rightBottom = fieldsAt(doc.about, MARGIN + width / 2 + 4, boxTop + 6);
  const boxBottom = Math.max(leftBottom, rightBottom) + 6;
  pdf.rect(MARGIN, boxTop, width, boxBottom - boxTop).strokeColor('#888').stroke();
  pdf.x = MARGIN;
  pdf.y = boxBottom + 10;

  for (const section of doc.sections) {
    ensureSpace(pdf, 60);
    pdf.font('Helvetica-Bold').fontSize(13).fillColor('#000').text(winAnsi(section.title), MARGIN, pdf.y, { width });
    const lineY = pdf.y + 1;
    pdf.moveTo(MARGIN, lineY).lineTo(MARGIN + width, lineY).strokeColor('#555').stroke();
    pdf.y = lineY + 5;
    for (const block of section.blocks) writeBlock(pdf, block, width);
    pdf.moveDown(0.5);
  }
}

function ensureSpace(pdf: PDFKit.PDFDocument, needed: number): void {
  if (pdf.y + needed > pdf.page.height - MARGIN) pdf.addPage();
}

function writeBlock(pdf: PDFKit.PDFDocument, block: Block, width: number): void {
  pdf.fillColor('#000');
  switch (block.kind) {
    case 'paragraph':
      pdf.font(block.emphasis ? 'Helvetica-Bold' : 'Helvetica').fontSize(10).text(winAnsi(block.text), MARGIN, pdf.y, { width, align: 'left' }).moveDown(0.3);
      return;
    case 'list':
      pdf.font('Helvetica').fontSize(10);
      for (const item of block.items) {
        ensureSpace(pdf, 14);
        pdf.text(winAnsi(`•  ${item}`), MARGIN + 8, pdf.y, { width: width - 8, indent: 0 });
      }
      pdf.moveDown(0.3);
      return;
    case 'fields':
      for (const [k, v] of block.fields) {
        ensureSpace(pdf, 14);
        pdf.font('Helvetica-Bold').fontSize(10).text(winAnsi(`${k} : `), MARGIN, pdf.y, { width, continued: true }).font('Helvetica').text(winAnsi(v || '—'));
      }
      pdf.moveDown(0.3);
      return;
    case 'table':
      writeTable(pdf, block, width);
      return;
  }
}

function writeTable(pdf: PDFKit.PDFDocument, table: Extract<Block, { kind: 'table' }>, width: number): void {
  const fractions = table.widths ?? table.headers.map(() => 1 / table.headers.length);
  const widths = fractions.map((f) => f * width);
  const pad = 3;
  const row = (cells: string[], header: boolean) => {
    pdf.font(header ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    const texts = cells.map((c) => winAnsi(c || '—'));
    const height = Math.max(...texts.map((t, i) => pdf.heightOfString(t, { width: widths[i]! - 2 * pad }))) + 2 * pad;
    if (pdf.y + height > pdf.page.height - MARGIN) {
      pdf.addPage();
      if (!header) row(table.headers, true);
    }
    const top = pdf.y;
    let x = MARGIN;
    texts.forEach((t, i) => {
      if (header) pdf.rect(x, top, widths[i]!, height).fillColor('#eeeeee').fill().fillColor('#000');
      pdf.rect(x, top, widths[i]!, height).strokeColor('#888').stroke();
      pdf.fillColor('#000').text(t, x + pad, top + pad, { width: widths[i]! - 2 * pad });
      x += widths[i]!;
    });
    pdf.x = MARGIN;
    pdf.y = top + height;
  };
  row(table.headers, true);
  for (const cells of table.rows) row(cells, false);
  pdf.moveDown(0.4);
}
