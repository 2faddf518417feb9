/**
 * FHIR narrative (the xhtml subset: p, ul/li, table, b) of printable blocks: documents built from
 * the programmes and the summaries say in their narrative exactly what their printout says.
 */
import type { Block } from './printable.ts';
import { escapeHtml } from '../fhir-kit/text.ts';


export function fieldsXhtml(fields: [string, string][]): string {
  return fields.length ? `<ul>${fields.map(([k, v]) => `<li><b>${escapeHtml(k)}</b> : ${escapeHtml(v || '—')}</li>`).join('')}</ul>` : '';
}

export function blockXhtml(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return block.emphasis ? `<p><b>${escapeHtml(block.text)}</b></p>` : `<p>${escapeHtml(block.text)}</p>`;
    case 'list':
      return `<ul>${block.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    case 'fields':
      return fieldsXhtml(block.fields);
    case 'table':
      return `<table><thead><tr>${block.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${block.rows
        .map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c || '—')}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
  }
}

/** The narrative div of these blocks (never empty: FHIR requires content). */
export function narrativeDiv(blocksOrXhtml: Block[] | string): string {
  const inner = typeof blocksOrXhtml === 'string' ? blocksOrXhtml : blocksOrXhtml.map(blockXhtml).join('');
  return `<div xmlns="http://www.w3.org/1999/xhtml">${inner || '<p>—</p>'}</div>`;
}
