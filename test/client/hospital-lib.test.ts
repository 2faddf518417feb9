import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { fieldErrorsOf } from '../../client/src/lib/field-errors.ts';
import { parsePick, ICDO3_MORPHOLOGIES, CIM10_TOPOGRAPHIES } from '../../client/src/lib/oncology-codes.ts';
import { formatDate } from '../../client/src/lib/dates.ts';
import { bornWord, capitalBornWord, duplicateReason, normalisedName, patientDisplayName, patientIdentityLine, searchQueryOf } from '../../client/src/lib/patient-identity.ts';
import { comparableName } from '../../server/identity/identity-vigilance.ts';
import { enteredInErrorReason, isEnteredInError, offeredDiagnoses } from '../../client/src/lib/diagnoses.ts';
import type { Condition } from '@medplum/fhirtypes';
import { reportRecipients } from '../../client/src/lib/report-recipients.ts';
import { signersText } from '../../client/src/lib/signers.ts';
import { assessmentDay, changedStage, cleanValue, clearAllLocalDrafts, DRAFT_LIFETIME_MS, itemsNotRefused, localDraftCount, patchOf, readLocalDraft, writeLocalDraft, type DraftStore } from '../../client/src/lib/sheet-draft.ts';

const castellani: Patient = {
  resourceType: 'Patient',
  identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.10', value: '258032A00412336' }],
  name: [{ use: 'official', family: 'Castellani', given: ['Hélène', 'Marie'] }, { use: 'usual', family: 'Marchetti', given: ['Hélène'] }],
  gender: 'female',
  birthDate: '1958-03-14',
};

describe('Client: the hospital pages’ rules (client/src/lib)', () => {
  it('warns of a probable duplicate: same INS, or same birth name + first first name + birth date (accents and case ignored)', () => {
    expect(duplicateReason({ family: 'Dupont', given: 'Jean', birthDate: '1970-01-01', ins: '258032A00412336' }, castellani)).to.equal('même INS');
    expect(duplicateReason({ family: 'CASTELLANI', given: 'helene', birthDate: '1958-03-14' }, castellani)).to.contain('même nom de naissance');
    expect(duplicateReason({ family: 'Castellani', given: 'Hélène', birthDate: '1958-03-15' }, castellani)).to.equal(undefined);
    expect(duplicateReason({ family: 'Marchetti', given: 'Hélène', birthDate: '1958-03-14' }, castellani)).to.equal(undefined); // the used name is not a strict trait
    expect(patientDisplayName(castellani)).to.equal('CASTELLANI Hélène Marie');
  });

  it('compares birth names as the server does: hyphens, spaces and apostrophes ignored too (RNIV)', () => {
    const leBihan: Patient = { resourceType: 'Patient', name: [{ use: 'official', family: 'LE BIHAN', given: ['Gaëlle'] }], gender: 'female', birthDate: '1972-06-21' };
    expect(duplicateReason({ family: 'Le-Bihan', given: 'Gaelle', birthDate: '1972-06-21' }, leBihan)).to.contain('même nom de naissance');
    expect(duplicateReason({ family: 'Lebihan', given: 'GAËLLE', birthDate: '1972-06-21' }, leBihan)).to.contain('même nom de naissance');
    // One folding on both sides: the form's warning and the identity-vigilance cell's Task agree.
    for (const name of ['LE BIHAN', 'Le-Bihan', "D'Arco", 'D’ARCO', 'Saint‑Étienne', 'Jean – Marie', 'Müller', 'Ōta', 'Nguyễn', '  Le  Bihan ']) {
      expect(normalisedName(name), name).to.equal(comparableName(name));
    }
    expect(normalisedName('Le-Bihan')).to.equal(normalisedName('LE BIHAN'));
  });

  it('compares the first first name as the server folds it: a compound name with a hyphen or a space is one name', () => {
    const patient = (given: string[]): Patient => ({ resourceType: 'Patient', name: [{ use: 'official', family: 'Bérenger', given }], gender: 'male', birthDate: '1985-01-08' });
    const typed = (given: string) => duplicateReason({ family: 'BERENGER', given, birthDate: '1985-01-08' }, patient(['François', 'Louis']));
    expect(typed('Francois-Louis'), 'hyphen for a space, accents dropped').to.contain('même premier prénom');
    expect(typed('FRANCOIS LOUIS')).to.contain('même premier prénom');
    expect(typed('François Marie')).to.contain('même premier prénom'); // the first first name is the rule
    expect(duplicateReason({ family: 'Berenger', given: 'François Louis', birthDate: '1985-01-08' }, patient(['Francois-Louis']))).to.contain('même premier prénom');
    expect(duplicateReason({ family: 'Berenger', given: 'Chloe', birthDate: '1985-01-08' }, patient(['Chloé']))).to.contain('même premier prénom');
    expect(typed('Louis'), 'another first name').to.equal(undefined);
    expect(duplicateReason({ family: 'Berenger', given: 'Jean', birthDate: '1985-01-08' }, patient(['Jean-Pierre'])), 'Jean is not Jean-Pierre').to.equal(undefined);
  });

  it('offers for registration only the diagnoses not marked « saisie erronée », and says why one was', () => {
    const ok: Condition = { resourceType: 'Condition', id: 'ok', subject: { reference: 'Patient/p' }, verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] } };
    const wrong: Condition = {
      resourceType: 'Condition', id: 'wrong', subject: { reference: 'Patient/p' },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' }] },
      note: [{ text: 'Adénocarcinome' }, { text: 'Saisie erronée : erreur de patient' }],
    };
    expect(offeredDiagnoses([ok, wrong, undefined]).map((c) => c.id)).to.deep.equal(['ok']);
    expect([isEnteredInError(ok), isEnteredInError(wrong)]).to.deep.equal([false, true]);
    expect(enteredInErrorReason(wrong)).to.equal('erreur de patient');
    expect(enteredInErrorReason(ok)).to.equal(undefined);
  });

  it('says born in the patient’s gender: né, née, né(e) when not known', () => {
    expect([bornWord('male'), bornWord('female'), bornWord('other'), bornWord(undefined)]).to.deep.equal(['né', 'née', 'né(e)', 'né(e)']);
    expect([capitalBornWord('male'), capitalBornWord('female'), capitalBornWord(undefined)]).to.deep.equal(['Né', 'Née', 'Né(e)']);
  });

  it('names the patient where one acts on the record: birth name, first names, birth date (RNIV)', () => {
    expect(patientIdentityLine(castellani, formatDate)).to.equal('CASTELLANI Hélène Marie, née le 14 mars 1958');
    expect(patientIdentityLine({ ...castellani, birthDate: undefined }, formatDate)).to.equal('CASTELLANI Hélène Marie, date de naissance non renseignée');
  });

  it('words who may sign a report as the server lists them (the requester named only when the rule lets him sign)', () => {
    const present = [{ practitioner: 'Practitioner/a', display: 'Dr Marc Aubert', as: 'participant' as const }, { practitioner: 'Practitioner/b', display: 'Dr Anne Roux', as: 'participant' as const }];
    const chair = { practitioner: 'Practitioner/c', display: 'Dr Sophie Lambert', as: 'chair' as const };
    expect(signersText([...present, chair], 'Practitioner/a')).to.equal('un médecin présent à la séance : Dr Marc Aubert (médecin demandeur), Dr Anne Roux, ou le médecin coordonnateur de la RCP : Dr Sophie Lambert');
    expect(signersText([present[1]!, chair], 'Practitioner/a')).not.to.contain('Aubert');
  });

  it('words who receives the signed report from the list the server will send it to: the GP named, or the requester alone when none is declared', () => {
    const gp = { role: 'general-practitioner' as const, practitioner: 'Practitioner/gp', display: 'Dr Paul Chabert' };
    const requester = { role: 'requester' as const, practitioner: 'Practitioner/req', display: 'Dr Marc Aubert' };
    const unknownGp = { role: 'general-practitioner' as const, unknown: true };
    expect(reportRecipients([gp, requester], 'Practitioner/req')).to.equal('au médecin traitant (Dr Paul Chabert) et au médecin demandeur (Dr Marc Aubert)');
    expect(reportRecipients([unknownGp, requester], 'Practitioner/req')).to.equal('au seul médecin demandeur, Dr Marc Aubert : le patient n’a pas de médecin traitant déclaré');
    // The server lists the requester once, as the GP, when he is the patient's GP.
    expect(reportRecipients([gp], 'Practitioner/gp')).to.equal('au médecin traitant, qui est aussi le médecin demandeur : Dr Paul Chabert');
    expect(reportRecipients([{ ...gp, display: undefined }, { ...requester, display: undefined }], 'Practitioner/req')).to.equal('au médecin traitant (déclaré dans le dossier) et au médecin demandeur (le médecin demandeur)');
    expect(reportRecipients([gp, requester, { role: 'correspondent', practitioner: 'Practitioner/c', display: 'Dr Anne Roux' }], 'Practitioner/req')).to.equal('au médecin traitant (Dr Paul Chabert) et au médecin demandeur (Dr Marc Aubert), et aux correspondants : Dr Anne Roux');
  });

  it('reads the search box as an INS, a birth date or a name', () => {
    expect(searchQueryOf('2 58 03 2A 004 123 36')?.kind).to.equal('ins');
    expect(searchQueryOf('258032A00412336')?.query.identifier).to.contain('urn:oid:1.2.250.1.213.1.4.10|258032A00412336');
    expect(searchQueryOf('14/3/1958')).to.deep.equal({ kind: 'birthdate', query: { birthdate: '1958-03-14' } });
    expect(searchQueryOf('castellani')).to.deep.equal({ kind: 'name', query: { name: 'castellani' } });
    expect(searchQueryOf('  ')).to.equal(undefined);
  });

  it('puts the server’s rule beside the field its path names (longest prefix wins)', () => {
    const issues = [
      { severity: 'error', details: { text: 'INS invalide : la clé…' }, expression: ['Patient.identifier[0].value'] },
      { severity: 'error', details: { text: 'Date impossible' }, expression: ['Patient.birthDate'] },
      { severity: 'warning', details: { text: 'ignoré' }, expression: ['Patient.gender'] },
    ];
    expect(fieldErrorsOf(issues, { ins: ['Patient.identifier'], birthDate: ['Patient.birthDate'], gender: ['Patient.gender'], any: ['Patient'] }))
      .to.deep.equal({ ins: 'INS invalide : la clé…', birthDate: 'Date impossible' });
  });

  it('reads a picked or typed CIM-10 / CIM-O-3 code', () => {
    expect(parsePick('C18.7 — Tumeur maligne du côlon sigmoïde', CIM10_TOPOGRAPHIES)).to.deep.equal({ code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' });
    expect(parsePick('c61', CIM10_TOPOGRAPHIES)?.display).to.equal('Tumeur maligne de la prostate');
    expect(parsePick('8500/3', ICDO3_MORPHOLOGIES)?.display).to.equal('Carcinome canalaire infiltrant, SAI');
    expect(parsePick('C25.1 Corps du pancréas', CIM10_TOPOGRAPHIES)).to.deep.equal({ code: 'C25.1', display: 'Corps du pancréas' });
    expect(parsePick('adéno', ICDO3_MORPHOLOGIES)).to.equal(undefined);
  });

  it('sends only what the server accepts, an emptied item as null, and keeps the changes in the browser until saved', () => {
    expect(cleanValue({ a: '', b: [], c: {}, d: [{ text: ' ' }, { text: 'x' }], e: false, f: 0 })).to.deep.equal({ d: [{ text: 'x' }], e: false, f: 0 });
    expect(patchOf({ summary: '  ', discovery: { byScreening: false, comment: '' } }, ['summary', 'discovery'])).to.deep.equal({ summary: null, discovery: { byScreening: false } });
    const memory = new Map<string, string>();
    const storage: DraftStore = {
      getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v), removeItem: (k) => void memory.delete(k),
      get length() { return memory.size; }, key: (i) => [...memory.keys()][i] ?? null,
    };
    const typedAt = new Date('2026-12-05T09:00:00Z');
    const later = (hours: number) => new Date(typedAt.getTime() + hours * 3_600_000);
    writeLocalDraft(storage, 'Practitioner-1', 'abc', '3', { otherData: 'typed offline' }, typedAt);
    expect(readLocalDraft(storage, 'Practitioner-1', 'abc', later(1))).to.deep.equal({ baseVersion: '3', values: { otherData: 'typed offline' }, savedAt: '2026-12-05T09:00:00.000Z' });
    writeLocalDraft(storage, 'Practitioner-1', 'abc', '4', {});
    expect(readLocalDraft(storage, 'Practitioner-1', 'abc', later(1))).to.equal(undefined);
    memory.set('dcc:fiche-rcp:Practitioner-1:bad', '{not json');
    expect(readLocalDraft(storage, 'Practitioner-1', 'bad')).to.equal(undefined);
  });

  it('a sheet copy left in the browser is its author\'s only, lasts a shift, and an explicit sign-out erases them all', () => {
    const memory = new Map<string, string>();
    const storage: DraftStore = {
      getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v), removeItem: (k) => void memory.delete(k),
      get length() { return memory.size; }, key: (i) => [...memory.keys()][i] ?? null,
    };
    const typedAt = new Date('2026-12-05T09:00:00Z');
    writeLocalDraft(storage, 'lambert', 'abc', '3', { otherData: 'typed offline' }, typedAt);
    writeLocalDraft(storage, 'lambert', 'def', '1', { summary: 'x' }, typedAt);
    writeLocalDraft(storage, 'aubert', 'abc', '3', { question: 'y' }, typedAt);
    memory.set('unrelated', 'kept');
    // Another professional on the same browser never gets Dr Lambert's copy back.
    expect(readLocalDraft(storage, 'aubert', 'abc', typedAt)?.values).to.deep.equal({ question: 'y' });
    expect(localDraftCount(storage, 'lambert')).to.equal(2);
    // After a shift (12 h) the copy is gone, and erased from the browser.
    expect(readLocalDraft(storage, 'lambert', 'abc', new Date(typedAt.getTime() + DRAFT_LIFETIME_MS - 1))).not.to.equal(undefined);
    expect(readLocalDraft(storage, 'lambert', 'abc', new Date(typedAt.getTime() + DRAFT_LIFETIME_MS))).to.equal(undefined);
    expect(localDraftCount(storage, 'lambert')).to.equal(1);
    clearAllLocalDrafts(storage);
    expect([...memory.keys()]).to.deep.equal(['unrelated']);
  });

  it('after a refusal, saves apart the items the server did not name; nothing when an issue names no item', () => {
    const issues = [{ severity: 'error', expression: ['diagnosis.tnm.edition'] }, { severity: 'error', expression: ['performanceStatus.who'] }];
    expect(itemsNotRefused(['diagnosis', 'discovery', 'performanceStatus', 'examResults'], issues)).to.deep.equal(['discovery', 'examResults']);
    expect(itemsNotRefused(['diagnosis'], issues)).to.deep.equal([]);
    expect(itemsNotRefused(['discovery'], [{ severity: 'error' }])).to.deep.equal([]);
    expect(itemsNotRefused(['discovery', 'examResults'], [{ severity: 'error', expression: ['examResults[1].result'] }, { severity: 'warning', expression: ['discovery'] }])).to.deep.equal(['discovery']);
  });

  it('a stage changed in the form drops the date read back with the previous one; a score is dated on or before its meeting', () => {
    const stored = { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8', date: '2026-10-01' };
    expect(changedStage(stored, { t: 'cT4a' })).to.deep.equal({ t: 'cT4a', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8' });
    expect(changedStage(stored, { edition: '9' })).not.to.have.property('date');
    // Typed again as it was, or a date given with the change: the date stays.
    expect(changedStage(stored, { t: 'cT3' })).to.deep.equal(stored);
    expect(changedStage(stored, { t: 'cT4a', date: '2026-11-30' }).date).to.equal('2026-11-30');
    expect(assessmentDay('2026-12-07', '2026-12-22T18:00:00+01:00')).to.equal('2026-12-07');
    expect(assessmentDay('2026-12-07', '2026-10-02T14:00:00+02:00')).to.equal('2026-10-02');
    expect(assessmentDay('2026-12-07', undefined)).to.equal('2026-12-07');
  });
});
