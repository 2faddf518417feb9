/**
 * What the PDF printouts (RCP sheet, PPS / PPAC, summaries) share: text the standard PDF fonts
 * can print, and a document rendered to a buffer with a footer naming the patient and numbering its pages.
 */
const REPLACED: Record<string, string> = {
  '→': '->', '➔': '->', '←': '<-', '≤': '<=', '≥': '>=', '≠': '!=', '✓': 'x', '\u2009': ' ', '\u202f': ' ', '\u00a0': ' ',
};

/**
 * The standard PDF fonts encode WinAnsi: French letters, œ, € and typographic quotes are in it; a
 * few other signs are replaced so that nothing prints as a blank, the rest becomes "?".
 */
export function winAnsi(text: string): string {
  return text.replace(/[^\x09\x0a\x0d\x20-\x7e\xa1-\xff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]/g, (c) => REPLACED[c] ?? '?');
}

/** What every page's footer says: the document, the patient (printedPatientIdentity), the page. */
export interface PdfFooter {
  title: string;
  /** Required, so that no printout can leave its pages without the patient's identity (RNIV). */
  patient: string;
  margin: number;
  offset: number;
}

/**
 * Writes the document, then a centred footer on every page (the page count is known only at the
 * end: the document must be created with `bufferPages: true`), and resolves with the PDF bytes.
 */
export function pdfBuffer(doc: PDFKit.PDFDocument, write: () => void, footer: PdfFooter): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      write();
      const range = doc.bufferedPageRange();
      for (let i = range.start; i < range.start + range.count; i++) {
        doc.switchToPage(i);
        // Written inside the bottom margin: without lifting the margin, pdfkit would open a new page.
        const bottom = doc.page.margins.bottom;
        doc.page.margins.bottom = 0;
        const text = winAnsi(`${footer.title} — ${footer.patient} — page ${i + 1} sur ${range.count}`);
        const width = doc.page.width - 2 * footer.margin;
        // One line (a second would fall off the page): a long name makes the type smaller, not the identity shorter.
        doc.font('Helvetica').fontSize(8);
        doc.fontSize(Math.max(5, Math.min(8, (8 * width) / doc.widthOfString(text)))).fillColor('#555')
          .text(text, footer.margin, doc.page.height - footer.margin + footer.offset, { width, align: 'center', lineBreak: false });
        doc.page.margins.bottom = bottom;
      }
      doc.end();
    } catch (error) {
      reject(error);
    }
  });
}
