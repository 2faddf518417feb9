import { expect } from 'chai';
import type { Condition } from '@medplum/fhirtypes';
import { beforeBirthMessage } from '../../server/fhir-kit/french-dates.ts';
import { diagnosisDateBeforeBirth, futureDiagnosisDateRule } from '../../server/record/clinical-dates.ts';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';

type Json = Record<string, any>;

const colon = (patient: string, dates: Partial<Condition>): Json => ({
  resourceType: 'Condition', subject: { reference: patient },
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' }] }, ...dates,
});

describe('Record: a diagnosis is not dated before the patient was born', () => {
  it('compares at the common precision, an instant by its Paris day, in French (one helper beside the future-date one)', () => {
    expect(beforeBirthMessage('La date du diagnostic', '1955-01-02', '1960-05-05')).to.equal("La date du diagnostic (2 janvier 1955) précède la naissance du patient (5 mai 1960) : vérifiez l'année saisie");
    expect(beforeBirthMessage('La date du diagnostic', '1960', '1960-05-05')).to.equal(undefined);
    expect(beforeBirthMessage('La date du diagnostic', '1960-04', '1960-05-05')).to.contain('(avril 1960)');
    expect(beforeBirthMessage('La date du diagnostic', '1960-05-05', '1960-05-05')).to.equal(undefined);
    // 23:30 UTC on 4 May 1960 is already 5 May in Paris.
    expect(beforeBirthMessage('La date', '1960-05-04T23:30:00Z', '1960-05-05')).to.equal(undefined);
    expect(beforeBirthMessage('La date', '1955-01-02', undefined)).to.equal(undefined);
    expect(diagnosisDateBeforeBirth({ resourceType: 'Condition', subject: {}, recordedDate: '1959-12-31' }, '1960-05-05')?.expression).to.equal('Condition.recordedDate');
  });

  it('lets a diagnosis with a wrong date be marked « saisie erronée »: that is how it is corrected', () => {
    const wrong = { resourceType: 'Condition', subject: { reference: 'Patient/p' }, onsetDateTime: '2062-03-14' } as Condition;
    expect(() => futureDiagnosisDateRule({ action: 'update', resourceType: 'Condition', next: wrong }, undefined as never)).to.throw(/dans le futur/);
    const marked = { ...wrong, verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' }] } } as Condition;
    expect(() => futureDiagnosisDateRule({ action: 'update', resourceType: 'Condition', next: marked }, undefined as never)).to.not.throw();
  });

  describe('every write of a Condition', () => {
    let server: RunningServer;
    let patient: string;
    before(async () => {
      server = await startTestServer();
      const created = await http(server, 'POST', '/Patient', { resourceType: 'Patient', name: [{ use: 'official', family: unique('Anterieur'), given: ['Paul'] }], gender: 'male', birthDate: '1960-05-05' });
      expect(created.status, created.text).to.equal(201);
      patient = `Patient/${created.body.id}`;
    });
    after(() => server.close());

    it('refuses a diagnosis of 2 January 1955 for a patient born on 5 May 1960 (422 naming the field), accepts one after the birth', async () => {
      const res = await http(server, 'POST', '/Condition', colon(patient, { onsetDateTime: '1955-01-02' }));
      expect(res.status, res.text).to.equal(422);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      expect(res.body.issue[0].details.text).to.equal("La date du diagnostic (2 janvier 1955) précède la naissance du patient (5 mai 1960) : vérifiez l'année saisie");
      expect(res.body.issue[0].expression).to.deep.equal(['Condition.onsetDateTime']);
      const ok = await http(server, 'POST', '/Condition', colon(patient, { onsetDateTime: '2025-01-02', recordedDate: '2025-01-03' }));
      expect(ok.status, ok.text).to.equal(201);
      const moved = await http(server, 'PUT', `/Condition/${ok.body.id}`, { ...ok.body, recordedDate: '1959-01-03' });
      expect(moved.status, moved.text).to.equal(422);
      expect(moved.body.issue[0].expression).to.deep.equal(['Condition.recordedDate']);
    });

    it('refuses it too when the patient is created in the same transaction', async () => {
      const uuid = `urn:uuid:${crypto.randomUUID()}`;
      const res = await http(server, 'POST', '/', {
        resourceType: 'Bundle', type: 'transaction',
        entry: [
          { fullUrl: uuid, resource: { resourceType: 'Patient', name: [{ use: 'official', family: unique('Anterieur'), given: ['Paule'] }], gender: 'female', birthDate: '1960-05-05' }, request: { method: 'POST', url: 'Patient' } },
          { resource: colon(uuid, { onsetDateTime: '1955-01-02' }), request: { method: 'POST', url: 'Condition' } },
        ],
      });
      expect(res.status, res.text).to.equal(422);
      expect(JSON.stringify(res.body)).to.contain('précède la naissance du patient (5 mai 1960)');
    });
  });
});
