import { expect } from 'chai';
import { isFhirId } from '../../client/src/lib/fhir-id.ts';

describe('Client: a record address names a possible record (client/src/lib/fhir-id.ts)', () => {
  it('tells a malformed id (the link is wrong) from a well-formed one the server may hide behind a 404', () => {
    for (const ok of ['75365a7e-03f7-44e6-8d75-40c9c61bc7b2', 'abc', 'a.b-1', 'x'.repeat(64)]) expect(isFhirId(ok), ok).to.equal(true);
    for (const bad of ['', 'abc!', 'a b', 'dossier_1', 'é', 'x'.repeat(65), '..%2F']) expect(isFhirId(bad), bad).to.equal(false);
  });
});
