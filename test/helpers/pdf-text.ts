/**
 * The text of each page of a PDF written by pdfkit (standard fonts, WinAnsi, Flate streams), one
 * string per text object (BT … ET), so a test reads what a reader sees on each page. Not a general
 * PDF reader: enough for our own printouts, without a PDF library in the dependencies.
 */
import { inflateSync } from 'node:zlib';

// WinAnsi differs from Latin-1 in 0x80–0x9F only.
const WIN_ANSI_80: Record<number, string> = {
  0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡', 0x88: 'ˆ', 0x89: '‰', 0x8a: 'Š', 0x8b: '‹', 0x8c: 'Œ', 0x8e: 'Ž',
  0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—', 0x98: '˜', 0x99: '™', 0x9a: 'š', 0x9b: '›', 0x9c: 'œ', 0x9e: 'ž', 0x9f: 'Ÿ',
};

const winAnsiDecode = (bytes: Buffer) => [...bytes].map((b) => WIN_ANSI_80[b] ?? String.fromCharCode(b)).join('');

/** The text lines of each page, in page order. */
export function pdfPageTexts(pdf: Buffer): string[][] {
  const latin = pdf.toString('latin1');
  const objects = new Map<string, { dict: string; stream?: Buffer }>();
  const objectStart = /(\d+) 0 obj\s*<<([\s\S]*?)>>\s*(stream\r?\n)?/g;
  for (let m = objectStart.exec(latin); m; m = objectStart.exec(latin)) {
    const dict = m[2]!;
    if (!m[3]) {
      objects.set(m[1]!, { dict });
      continue;
    }
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
    const start = m.index + m[0].length;
    const raw = pdf.subarray(start, start + length);
    objects.set(m[1]!, { dict, stream: dict.includes('/FlateDecode') ? inflateSync(raw) : raw });
    objectStart.lastIndex = start + length;
  }
  const pages = [...objects.values()].find((o) => /\/Type \/Pages\b/.test(o.dict));
  const kids = [...(/\/Kids \[([^\]]*)\]/.exec(pages?.dict ?? '')?.[1] ?? '').matchAll(/(\d+) 0 R/g)].map((k) => k[1]!);
  return kids.map((kid) => {
    const contents = /\/Contents (\d+) 0 R/.exec(objects.get(kid)?.dict ?? '')?.[1];
    const ops = objects.get(contents ?? '')?.stream?.toString('latin1') ?? '';
    return [...ops.matchAll(/BT([\s\S]*?)ET/g)].map((bt) =>
      [...bt[1]!.matchAll(/\[([^\]]*)\]\s*TJ/g)].map((tj) =>
        [...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => winAnsiDecode(Buffer.from(h[1]!, 'hex'))).join(''),
      ).join(''));
  });
}
