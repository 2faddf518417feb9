import { expect } from 'chai';
import type { Composition } from '@medplum/fhirtypes';
import { RCP_SHEET_TYPE } from '../../server/rcp-sheet/index.ts';
import { assertNoPageErrors, browserWorld, describeBrowser, newPage, signInAs } from './harness.ts';

/** WCAG contrast ratio of two 'rgb(r, g, b)' colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, bl] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describeBrowser('Web client: a signed RCP sheet is read, not filled (Chromium)', () => {
  it('shows its locked fields and choices at full contrast, without add or remove buttons', async () => {
    const { dcc } = await browserWorld();
    const signed = (await dcc.services.store.system().searchAll<Composition>('Composition', { type: `${RCP_SHEET_TYPE.system}|${RCP_SHEET_TYPE.code}`, status: 'final' }))[0]!;
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'physician', `/hopital/fiches/${signed.id}`);
      await page.getByText('Fiche signée : lecture seule').waitFor();
      // A disabled field is greyed out (axe does not check its contrast): the signed sheet's are not.
      // Sent as text: tsx would wrap named helpers in its own __name(), unknown to the page.
      const colours: { label: string; labelBg: string; input: string; inputBg: string; addButtons: number } = await page.evaluate(`(() => {
        const sheet = document.querySelector('.dcc-signed-sheet');
        const of = (e) => (e ? getComputedStyle(e).color : '');
        const background = (e) => {
          for (let x = e; x; x = x.parentElement) { const bg = getComputedStyle(x).backgroundColor; if (bg && !bg.startsWith('rgba(0, 0, 0, 0)')) return bg; }
          return 'rgb(255, 255, 255)';
        };
        const label = sheet.querySelector('.mantine-Checkbox-label, .mantine-Radio-label');
        const input = [...sheet.querySelectorAll('input[type="text"], textarea')].find((i) => i.value) ?? null;
        return { label: of(label), labelBg: background(label), input: of(input), inputBg: background(input),
          addButtons: [...sheet.querySelectorAll('button')].filter((b) => b.offsetParent && /Ajouter|Retirer/.test(b.textContent ?? '')).length };
      })()`);
      expect(contrast(colours.label, colours.labelBg), `choice label ${colours.label} on ${colours.labelBg}`).to.be.at.least(4.5);
      expect(contrast(colours.input, colours.inputBg), `field text ${colours.input} on ${colours.inputBg}`).to.be.at.least(4.5);
      expect(colours.addButtons).to.equal(0);
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });
});
