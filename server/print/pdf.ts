/**
 * What the PDF printouts (RCP sheet, PPS / PPAC, summaries) share: text the standard PDF fonts
 * can print, and a document rendered to a buffer with a footer numbering its pages.
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

/**
 * Writes the document, then a centred footer on every page (the page count is known only at the
 * end: the document must be created with `bufferPages: true`), and resolves with the PDF bytes.
 */
export function pdfBuffer(
  doc: PDFKit.PDFDocument, write: () => void,
  footer: { text: (page: number, count: number) => string; margin: number; offset: number },
): Promise<Buffer> {
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
        doc.font('Helvetica').fontSize(8).fillColor('#555')
          .text(winAnsi(footer.text(i + 1, range.count)), footer.margin, doc.page.height - footer.margin + footer.offset, { width: doc.page.width - 2 * footer.margin, align: 'center', lineBreak: false });
        doc.page.margins.bottom = bottom;
      }
      doc.end();
    } catch (error) {
      reject(error);
    }
  });
}
