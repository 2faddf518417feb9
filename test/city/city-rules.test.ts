import { expect } from 'chai';
import type { CarePlan, CareTeam, Composition, MedicationRequest, Patient } from '@medplum/fhirtypes';
import { buildOralMedicationRequest, oralTreatmentPeriod } from '../../server/care-plan/oral-treatment.ts';
import { withUpdateRecord } from '../../server/care-plan/model.ts';
import { CATEGORY, EXT } from '../../server/care-plan/codes.ts';
import { FhirError } from '../../server/fhir-kit/errors.ts';
import { EXT_CORRECTION, RCP_SHEET_TYPE } from '../../server/rcp-sheet/codes.ts';
import {
  careReasonsOf, countOf, decodeCursor, describeChange, encodeCursor, nameSortKey, oralTreatmentFacts, pageOf, parseSince, patientDisplayName,
  requireCityProfessional, windowStart, DEFAULT_WINDOW_DAYS,
} from '../../server/city/index.ts';

const sheet = (over: Partial<Composition> = {}): Composition => ({
  resourceType: 'Composition', id: 'c1', status: 'preliminary', type: { coding: [RCP_SHEET_TYPE] }, title: 'Fiche RCP digestive du 2 octobre 2025',
  date: '2025-10-02', author: [{ reference: 'Practitioner/onco' }], subject: { reference: 'Patient/p1' }, ...over,
});
const signed = (over: Partial<Composition> = {}) => sheet({
  status: 'final', attester: [{ mode: 'legal', time: '2025-10-03T10:00:00+02:00', party: { reference: 'Practitioner/onco', display: 'Dr Sophie Lambert' } }], ...over,
});

const plan = (over: Partial<CarePlan> = {}): CarePlan => ({
  resourceType: 'CarePlan', id: 'pps1', status: 'draft', intent: 'plan', category: [{ coding: [CATEGORY.pps] }], subject: { reference: 'Patient/p1' }, ...over,
});
const handedOver = (p: CarePlan): CarePlan => ({
  ...p, status: 'active',
  extension: [...(p.extension ?? []), { url: EXT.handOver, extension: [{ url: 'date', valueDateTime: '2026-02-10' }] }, { url: EXT.shareWithGp, valueBoolean: true }],
});

const oral = (): MedicationRequest => buildOralMedicationRequest(
  { medication: { text: 'Capécitabine 500 mg, comprimé' }, dose: { value: 1500, unit: 'mg' }, timesPerDay: 2, cycle: { daysOn: 14, daysOff: 7, count: 8 }, start: '2026-03-30' },
  { id: 'mr1', subject: { reference: 'Patient/p1' }, decision: { reference: 'CarePlan/d1' }, prescriber: { reference: 'Practitioner/onco' }, authoredOn: '2026-02-10' },
);

describe('City: what changed, as plain rules', () => {
  describe('describeChange: RCP report', () => {
    it('a sheet that becomes signed is a signed report; drafts and unsigned corrections are not news', () => {
      expect(describeChange(undefined, sheet())).to.equal(undefined);
      expect(describeChange(sheet(), sheet({ title: 'Fiche RCP (complétée)' }))).to.equal(undefined);
      const change = describeChange(sheet(), signed());
      expect(change).to.deep.equal({
        kind: 'rcp-report-signed', label: 'Compte rendu de RCP signé',
        description: 'Fiche RCP digestive du 2 octobre 2025 : compte rendu signé par Dr Sophie Lambert le 3 octobre 2025',
      });
      const correction = [{ url: EXT_CORRECTION, extension: [{ url: 'reason', valueString: 'Erreur de stade : cT3 et non cT2' }, { url: 'corrects', valueReference: { reference: 'Composition/c1/_history/3' } }] }];
      expect(describeChange(signed(), sheet({ extension: correction }))).to.equal(undefined);
      const corrected = describeChange(sheet({ extension: correction }), signed({ status: 'amended', extension: correction }));
      expect(corrected).to.include({ kind: 'rcp-report-corrected', label: 'Compte rendu de RCP corrigé', reason: 'Erreur de stade : cT3 et non cT2' });
      expect(corrected!.description).to.contain('correction signée par Dr Sophie Lambert');
      const cancelled = describeChange(signed(), sheet({ status: 'entered-in-error', extension: correction }));
      expect(cancelled).to.include({ kind: 'rcp-report-cancelled', reason: 'Erreur de stade : cT3 et non cT2' });
      // Another Composition (not an RCP sheet) is not followed.
      expect(describeChange(undefined, { ...signed(), type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] } })).to.equal(undefined);
    });
  });

  describe('describeChange: PPS / PPAC', () => {
    it('established, handed over, updated with the reason of its update history, closed', () => {
      expect(describeChange(undefined, plan())).to.deep.include({ kind: 'pps-created', label: 'PPS établi', description: 'PPS établi (en préparation, pas encore remis au patient)' });
      const given = handedOver(plan());
      expect(describeChange(plan(), given)).to.deep.include({ kind: 'pps-handed-over', description: 'PPS remis au patient le 10 février 2026' });
      const updated = withUpdateRecord({ ...given, description: 'calendrier décalé' }, { reason: 'relapse', detail: 'Métastase hépatique', date: '2026-05-02' });
      expect(describeChange(given, updated)).to.deep.equal({
        kind: 'pps-updated', label: 'PPS mis à jour', reason: 'Rechute ou évolution de la maladie — Métastase hépatique',
        description: 'PPS mis à jour — motif : Rechute ou évolution de la maladie — Métastase hépatique',
      });
      const closed = withUpdateRecord({ ...updated, status: 'completed' }, { reason: 'end-of-active-treatment', date: '2026-09-01' });
      expect(describeChange(updated, closed)).to.include({ kind: 'pps-closed', label: 'PPS clos', reason: 'Fin des traitements actifs (relais par le PPAC)' });
      const ppac = plan({ id: 'ppac1', category: [{ coding: [CATEGORY.ppac] }], title: 'Après-cancer' });
      expect(describeChange(undefined, ppac)).to.include({ kind: 'ppac-created', description: 'PPAC établi (en préparation, pas encore remis au patient) : Après-cancer' });
      expect(describeChange(ppac, { ...ppac, status: 'active' })).to.include({ kind: 'ppac-updated', description: 'PPAC mis à jour — statut : en préparation → en cours' });
      // The RCP decision CarePlan is not a programme.
      expect(describeChange(undefined, plan({ category: [{ coding: [CATEGORY.rcpDecision] }] }))).to.equal(undefined);
    });

    it('a version with the same content (meta, narrative aside) is no change', () => {
      const given = handedOver(plan());
      expect(describeChange(given, { ...given, meta: { versionId: '9' }, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } })).to.equal(undefined);
    });
  });

  describe('describeChange: oral anticancer treatment', () => {
    it('prescribed, suspended and stopped with the statusReason, resumed', () => {
      const first = oral();
      expect(describeChange(undefined, first)).to.deep.equal({
        kind: 'oral-treatment-prescribed', label: 'Traitement oral prescrit',
        description: "Capécitabine 500 mg, comprimé : 1\u202f500 mg par prise, 2 prises par jour, cycles 14 j sur 21, 8 cycles, à partir du 30 mars 2026 jusqu'au 6 septembre 2026",
      });
      const held = { ...first, status: 'on-hold' as const, statusReason: { text: 'Neutropénie de grade 3' } };
      expect(describeChange(first, held)).to.deep.equal({
        kind: 'oral-treatment-suspended', label: 'Traitement oral suspendu', reason: 'Neutropénie de grade 3',
        description: 'Capécitabine 500 mg, comprimé suspendu — motif : Neutropénie de grade 3',
      });
      expect(describeChange(held, { ...first, status: 'active' })).to.include({ kind: 'oral-treatment-resumed', description: 'Capécitabine 500 mg, comprimé repris' });
      const stopped = { ...first, status: 'stopped' as const, statusReason: { coding: [{ code: 'salg', display: 'Intolérance' }] } };
      expect(describeChange(first, stopped)).to.include({ kind: 'oral-treatment-stopped', description: 'Capécitabine 500 mg, comprimé arrêté — motif : Intolérance' });
      expect(describeChange(first, { ...first, status: 'completed' })).to.include({ kind: 'oral-treatment-stopped', description: 'Capécitabine 500 mg, comprimé terminé' });
      expect(describeChange({ ...first, status: 'draft' }, first)).to.include({ kind: 'oral-treatment-started' });
    });

    it('says which of drug, dose, intakes and dates changed', () => {
      const first = oral();
      const next = structuredClone(first);
      for (const d of next.dosageInstruction!) {
        d.doseAndRate![0]!.doseQuantity!.value = 1250;
        d.timing!.repeat!.frequency = 1;
      }
      next.dosageInstruction![0]!.timing!.repeat!.boundsPeriod = { start: '2026-04-06', end: '2026-04-19' }; // first cycle a week later
      expect(describeChange(first, next)).to.deep.equal({
        kind: 'oral-treatment-changed', label: 'Traitement oral modifié',
        description: 'Capécitabine 500 mg, comprimé modifié — dose par prise : 1\u202f500 mg → 1\u202f250 mg ; prises : 2 prises par jour → 1 prise par jour ; début : 30 mars 2026 → 6 avril 2026',
      });
      const other = { ...first, medicationCodeableConcept: { text: 'Témozolomide 140 mg, gélule' } };
      expect(describeChange(first, other)!.description).to.equal('Témozolomide 140 mg, gélule modifié — médicament : Capécitabine 500 mg, comprimé → Témozolomide 140 mg, gélule');
      expect(describeChange(first, { ...first, note: [{ text: 'à prendre au cours du repas' }] })).to.include({ kind: 'oral-treatment-changed', description: 'Capécitabine 500 mg, comprimé modifié' });
      expect(describeChange(first, structuredClone(first))).to.equal(undefined);
      // A MedicationRequest that is not an oral anticancer treatment (neither the profile nor the category) is not followed.
      expect(describeChange(undefined, { ...first, category: [], meta: {} })).to.equal(undefined);
    });
  });

  describe('describeChange: a continuous oral treatment, and the dates of the printed PPS', () => {
    const continuous = (): MedicationRequest => buildOralMedicationRequest(
      { medication: { text: 'Olaparib 150 mg, comprimé' }, dose: { value: 300, unit: 'mg' }, timesPerDay: 2, cycle: { daysOn: 28, daysOff: 0, count: 6 }, start: '2026-03-30' },
      { id: 'mr2', subject: { reference: 'Patient/p1' }, decision: { reference: 'CarePlan/d1' }, prescriber: { reference: 'Practitioner/onco' }, authoredOn: '2026-02-10' },
    );

    it('a cycle without a break reads « en continu », as on the PPS, never « 28 j sur 28 »', () => {
      const description = describeChange(undefined, continuous())!.description;
      expect(description).to.equal("Olaparib 150 mg, comprimé : 300 mg par prise, 2 prises par jour, en continu (cycles de 28 jours), 6 cycles, à partir du 30 mars 2026 jusqu'au 13 septembre 2026");
      expect(description).not.to.contain('j sur');
      const fromCycles = oral();
      const toContinuous = { ...continuous(), medicationCodeableConcept: fromCycles.medicationCodeableConcept };
      expect(describeChange(fromCycles, toContinuous)!.description).to.contain('cycle : 14 j sur 21, 8 cycles → en continu (cycles de 28 jours), 6 cycles');
    });

    it('the treatment runs from its first dosage line’s start to its last one’s end (oralTreatmentPeriod), not from the earliest to the latest date', () => {
      const first = continuous();
      // A dose reduction written as a last line inside the course: the printed PPS ends the treatment with it.
      const reduced = structuredClone(first);
      reduced.dosageInstruction = [{ ...first.dosageInstruction![0]!, timing: { repeat: { ...first.dosageInstruction![0]!.timing!.repeat, boundsPeriod: { start: '2026-03-30', end: '2026-12-31' } } } }, { ...first.dosageInstruction![1]!, timing: { repeat: { ...first.dosageInstruction![1]!.timing!.repeat, boundsPeriod: { start: '2026-02-01', end: '2026-06-30' } } } }];
      const period = oralTreatmentPeriod(reduced)!;
      expect(period).to.deep.equal({ start: '2026-03-30', end: '2026-06-30' });
      expect(oralTreatmentFacts(reduced)).to.include({ start: period.start, end: period.end });
    });
  });

  describe('my patients', () => {
    const patient: Patient = { resourceType: 'Patient', id: 'p1', name: [{ use: 'official', family: 'Éluard', given: ['Hélène', 'Marie'] }], generalPractitioner: [{ reference: 'Practitioner/gp' }] };
    const team = (status: CareTeam['status'], role?: string, subject = 'Patient/p1'): CareTeam => ({
      resourceType: 'CareTeam', id: `t-${status}-${role}`, status, subject: { reference: subject },
      participant: [{ member: { reference: 'Practitioner/nurse' }, ...(role ? { role: [{ text: role }] } : {}) }, { member: { reference: 'Practitioner/gp' }, role: [{ coding: [{ code: 'gp', display: 'Médecin traitant' }] }] }],
    });

    it('why a patient is mine: declared GP, member of an active care team of that patient (with my role)', () => {
      expect(careReasonsOf('gp', patient, [])).to.deep.equal([{ code: 'general-practitioner', label: 'Médecin traitant' }]);
      expect(careReasonsOf('nurse', patient, [team('active', 'IDEL'), team('inactive', 'ancienne IDEL'), team('active', 'IDEL', 'Patient/other')])).to.deep.equal([
        { code: 'care-team', label: 'Équipe de soins', role: 'IDEL', careTeam: 'CareTeam/t-active-IDEL' },
      ]);
      expect(careReasonsOf('gp', patient, [team('active', 'IDEL')]).map((r) => r.role ?? r.code)).to.deep.equal(['general-practitioner', 'Médecin traitant']);
      expect(careReasonsOf('pharmacist', patient, [team('active')])).to.deep.equal([]);
    });

    it('names: family in capitals first; sorted ignoring accents and case', () => {
      expect(patientDisplayName(patient)).to.equal('ÉLUARD Hélène Marie');
      expect(patientDisplayName({ name: [{ use: 'old', family: 'Martin' }, { use: 'official', family: 'Durand', given: ['Anne'] }] })).to.equal('DURAND Anne');
      expect(patientDisplayName({})).to.equal('Patient sans nom');
      expect(nameSortKey(patient)).to.equal('eluard helene marie');
      expect([nameSortKey({ name: [{ family: 'Zola' }] }), nameSortKey(patient), nameSortKey({ name: [{ family: 'abadie' }] })].sort()).to.deep.equal(['abadie', 'eluard helene marie', 'zola']);
    });

    it('only identified professionals who follow patients', () => {
      expect(requireCityProfessional({ displayName: 'GP', practitionerId: 'gp', roles: ['gp'], authMethod: 'cps' })).to.equal('gp');
      expect(requireCityProfessional({ displayName: 'Onco', practitionerId: 'o', roles: ['physician'], authMethod: 'cps' })).to.equal('o');
      for (const roles of [['coordinator'], ['admin'], ['system'], []]) {
        expect(() => requireCityProfessional({ displayName: 'x', practitionerId: 'x', roles, authMethod: 'cps' })).to.throw(FhirError).with.property('status', 403);
      }
      expect(() => requireCityProfessional({ displayName: 'x', roles: ['nurse'], authMethod: 'saml' })).to.throw(FhirError).with.property('status', 403);
    });
  });

  describe('windows and paging', () => {
    it('the window starts at the explicit since, else my last view, else 90 days ago', () => {
      const now = new Date('2026-06-01T12:00:00Z');
      const view = new Date('2026-05-20T08:00:00Z');
      expect(windowStart(now, undefined).toISOString()).to.equal(new Date(now.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000).toISOString());
      expect(windowStart(now, view)).to.equal(view);
      expect(windowStart(now, view, new Date('2026-01-01T00:00:00Z')).toISOString()).to.equal('2026-01-01T00:00:00.000Z');
      // A feed of news, not an archive: never more than a year back, whatever `since` asks.
      expect(windowStart(now, undefined, new Date('1900-01-01T00:00:00Z')).toISOString()).to.equal('2025-05-31T12:00:00.000Z');
      expect(parseSince('2026-03-01')!.toISOString()).to.equal('2026-03-01T00:00:00.000Z');
      expect(parseSince('2026-03-01T08:00:00+01:00')!.toISOString()).to.equal('2026-03-01T07:00:00.000Z');
      expect(parseSince(undefined)).to.equal(undefined);
      expect(() => parseSince('mardi')).to.throw(FhirError).with.property('status', 400);
    });

    it('keyset pages: each item once, in order, whatever is added before the cursor', () => {
      const items = ['b', 'd', 'a', 'c', 'e'].map((k) => ({ k }));
      const first = pageOf(items, (i) => [i.k], { count: 2, descending: true });
      expect(first.page.map((i) => i.k)).to.deep.equal(['e', 'd']);
      items.push({ k: 'f' }); // newer than the cursor: not on the next pages
      const second = pageOf(items, (i) => [i.k], { count: 2, descending: true, after: first.next });
      expect(second.page.map((i) => i.k)).to.deep.equal(['c', 'b']);
      const third = pageOf(items, (i) => [i.k], { count: 2, descending: true, after: second.next });
      expect(third).to.deep.equal({ page: [{ k: 'a' }] });
      expect(pageOf(items, (i) => [i.k], { count: 10, descending: false }).page.map((i) => i.k).join('')).to.equal('abcdef');
    });

    it('cursors are opaque, tied to their list, and checked', () => {
      const cursor = encodeCursor('changes', ['2026-03-01T10:00:00.000Z', 'MedicationRequest/x/_history/2']);
      expect(cursor).to.match(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor('changes', cursor, 2)).to.deep.equal(['2026-03-01T10:00:00.000Z', 'MedicationRequest/x/_history/2']);
      expect(() => decodeCursor('patients', cursor, 2)).to.throw(FhirError).with.property('status', 400);
      expect(() => decodeCursor('changes', 'nope', 2)).to.throw(FhirError).with.property('status', 400);
      expect(countOf(undefined, 20, 100)).to.equal(20);
      expect(countOf('500', 20, 100)).to.equal(100);
      expect(() => countOf('0', 20, 100)).to.throw(FhirError);
      expect(() => countOf('2.5', 20, 100)).to.throw(FhirError);
    });
  });
});
