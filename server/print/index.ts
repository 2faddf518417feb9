/**
 * Printable outputs shared by the domains: PDF rendering and CSV.
 * Other folders import this folder through this file only (test/architecture/import-rules.test.ts).
 */
export { frenchCsv } from './csv.ts';
export { pdfBuffer, winAnsi, type PdfFooter } from './pdf.ts';
