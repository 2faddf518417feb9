import { expect } from 'chai';
import type { Condition, Procedure } from '@medplum/fhirtypes';
import { assertNoPageErrors, browserWorld, describeBrowser, newPage, signInAs } from './harness.ts';

describeBrowser('Web client: the record\'s timeline on the demo (Chromium)', () => {
  it('shows Castellani\'s antecedent as « Antécédent » and her surgery once, though three sources tell it', async () => {
    const { dcc } = await browserWorld();
    const system = dcc.services.store.system();
    const patient = (await system.searchAll<Condition>('Condition', { code: 'http://hl7.org/fhir/sid/icd-10|C18.7' }))[0]!.subject!.reference!;
    const surgery = (await system.searchAll<Procedure>('Procedure', { subject: patient })).find((p) => /ectomie/.test(p.code?.text ?? ''))!;
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'physician', `/hopital/patients/${patient.split('/')[1]}`);
      const timeline = page.getByTestId('timeline');
      const antecedent = timeline.locator('li').filter({ hasText: 'Cholécystectomie' });
      await antecedent.waitFor();
      expect(await antecedent.innerText()).to.match(/Antécédent\s+Antécédent : Cholécystectomie/i).and.not.to.match(/Examen/i);
      expect(await timeline.locator('li').filter({ hasText: surgery.code!.text! }).count()).to.equal(1);
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });
});
