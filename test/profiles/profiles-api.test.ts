import { expect } from 'chai';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { loadCatalog } from '../../server/profiles/catalog.ts';
import { profileOf, profilesOf } from '../../server/profiles/selection.ts';
import { validateForWrite } from '../../server/fhir/write-validation.ts';
import { buildDemoBundle } from '../../server/seed/demo-data.ts';
import { fhirClient, http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import * as fx from './fixtures.ts';
import { expandedElements, plainPath, stripIndexes, withWrongCode, withoutElement } from './profile-mutations.ts';
import { withIdentity } from '../helpers/identity.ts';

type Json = Record<string, any>;

/** Extra valid examples exercising optional parents of required items (laterality, draft sheet…). */
const MORE_EXAMPLES: Record<string, ((r: fx.Refs) => Json)[]> = {
  'dcc-cancer-condition': [fx.breastCancer, fx.lungCancer],
  'dcc-rcp-sheet': [fx.draftRcpSheet],
  'dcc-pps': [fx.ppsHandedOverWithoutGp],
};

describe('DCC profiles through the FHIR API', () => {
  let server: RunningServer;
  let refs: fx.Refs;
  const post = (body: Json) => http(server, 'POST', `/${body.resourceType}`, body);
  const texts = (issues: OperationOutcomeIssue[] = []) => issues.map((i) => `${i.expression?.join(',')} — ${i.details?.text}`).join('\n');

  before(async () => {
    server = await startTestServer();
    const mk = async (body: Json): Promise<string> => {
      const res = await post(body);
      expect(res.status, res.text).to.equal(201);
      return res.body.id;
    };
    const patient = await mk(fx.patient());
    const practitioner = await mk({ resourceType: 'Practitioner', name: [{ family: 'Lambert', given: ['Sophie'], prefix: ['Dr'] }] });
    const draft: fx.Refs = { patient, practitioner, condition: '', decision: '', pps: '' };
    draft.condition = await mk(fx.colonCancer(draft));
    draft.decision = await mk(fx.rcpDecision(draft));
    draft.pps = await mk(fx.pps(draft));
    refs = draft;
  });
  after(() => server.close());

  for (const example of fx.EXAMPLES) {
    describe(`${example.profile} (${example.title})`, () => {
      const url = fx.profileUrl(example.profile);
      const sd = () => loadCatalog().structureDefinitions.get(url)!;
      const builds = () => [example.build, ...(MORE_EXAMPLES[example.profile] ?? [])].map((b) => b(refs));

      it('accepts the valid examples, claimed or selected by kind, and reads them back with fhir-kit-client', async () => {
        for (const body of builds()) {
          const res = await post(body);
          if (body.resourceType === 'Composition' && ['final', 'amended'].includes(body.status)) {
            // Valid against the profile, but a sheet becomes final only through $sign (server/rcp-sheet/sign.ts).
            expect(res.status, texts(res.body?.issue)).to.equal(409);
            continue;
          }
          expect(res.status, texts(res.body?.issue)).to.equal(201);
          const read = (await fhirClient(server).read({ resourceType: body.resourceType, id: res.body.id })) as Json;
          expect(read.meta.profile).to.include(url);
        }
      });

      it('rejects each required item missing in turn, naming it', async () => {
        const elements = expandedElements(sd());
        const required = elements.filter((e) => (e.min ?? 0) >= 1 && e.id!.includes('.'));
        expect(required.length).to.be.greaterThan(0);
        for (const el of required) {
          const mutated = builds().map((b) => withoutElement(b, elements, el.id!)).find(Boolean);
          expect(mutated, `the examples of ${example.profile} do not contain ${el.id}`).to.not.equal(undefined);
          const res = await post(mutated!);
          expect(res.status, `${el.id} missing: ${res.status} ${res.text}`).to.be.oneOf([400, 422]);
          const last = el.id!.split('.').pop()!;
          const choiceOfSeveral = last.endsWith('[x]') && (el.type?.length ?? 0) > 1;
          const expected = last.includes(':') || choiceOfSeveral ? plainPath(elements, el.id!.split('.').slice(0, -1).join('.') + '.' + last.split(':')[0]) : plainPath(elements, el.id!);
          const target = choiceOfSeveral ? expected.split('.').slice(0, -1).join('.') : expected;
          // 422: the profile names the item. 400: base FHIR caught it first (ext-1, ppc-1…), naming the item or its parent.
          // Removing what discriminates a slice (its url, use or code) takes the item out of the slice: the slice is missing.
          const parent = el.id!.split('.').slice(0, -1);
          const sliceArray = parent.at(-1)?.includes(':') ? plainPath(elements, [...parent.slice(0, -1), parent.at(-1)!.split(':')[0]].join('.')) : undefined;
          const names = (x: string) => stripIndexes(x) === target || stripIndexes(x) === sliceArray
            || (res.status === 400 && (target.startsWith(`${stripIndexes(x)}.`) || (x.endsWith('[x]') && target.startsWith(stripIndexes(x).slice(0, -3)))));
          const named = (res.body.issue as OperationOutcomeIssue[]).filter((i) => (i.expression ?? []).some(names));
          expect(named, `${el.id} missing: no issue names ${target}\n${texts(res.body.issue)}`).to.not.be.empty;
          if (res.status === 422) expect(named.some((i) => /obligatoire|absent|manquant/.test(i.details!.text!)), texts(named)).to.equal(true);
        }
      });

      it('rejects a code outside each required value set, listing the expected values', async () => {
        const elements = expandedElements(sd());
        const bound = elements.filter((e) => e.binding?.strength === 'required');
        for (const el of bound) {
          const vs = loadCatalog().valueSets.get(el.binding!.valueSet!)!;
          const mutated = builds().map((b) => withWrongCode(b, elements, el.id!, vs.compose!.include[0]!.system!)).find(Boolean);
          expect(mutated, `the examples of ${example.profile} do not contain ${el.id}`).to.not.equal(undefined);
          const res = await post(mutated!);
          expect(res.status, `${el.id} wrong code: ${res.text}`).to.equal(422);
          let expected = plainPath(elements, el.id!);
          if (expected.endsWith('.value') && (el.type?.length ?? 0) > 1) expected += 'CodeableConcept';
          const parent = el.id!.split('.').slice(0, -1);
          // A code that discriminates a slice: the item no longer belongs to it, the slice is reported missing.
          const sliceArray = parent.at(-1)?.includes(':') ? plainPath(elements, [...parent.slice(0, -1), parent.at(-1)!.split(':')[0]].join('.')) : undefined;
          const named = (res.body.issue as OperationOutcomeIssue[]).filter((i) => (i.expression ?? []).some((x) => [expected, sliceArray].includes(stripIndexes(x))));
          expect(named, `${el.id}: no issue names ${expected}\n${texts(res.body.issue)}`).to.not.be.empty;
          const codes = vs.compose!.include.flatMap((i) => (i.concept ?? []).map((c) => c.code!));
          const hint = codes.length ? codes : vs.compose!.include.map((i) => i.system!);
          expect(named.some((i) => hint.some((h) => i.details!.text!.includes(h))), `${el.id}: expected values not listed\n${texts(named)}`).to.equal(true);
        }
      });
    });
  }

  describe('French messages a physician can act on', () => {
    const issuesOf = async (body: Json) => {
      const res = await post(body);
      expect(res.status, res.text).to.equal(422);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      return res.body.issue as OperationOutcomeIssue[];
    };

    it('names the missing date of diagnosis and the wrong laterality with the expected values', async () => {
      const body = fx.breastCancer(refs);
      delete body.onsetDateTime;
      body.bodySite[0].extension[0].valueCodeableConcept = { coding: [{ system: 'http://snomed.info/sct', code: '255549009' }] };
      const issues = await issuesOf(body);
      expect(issues.map((i) => i.expression![0])).to.have.members(['Condition.onsetDateTime', 'Condition.bodySite[0].extension[0].valueCodeableConcept']);
      expect(issues[0]!.details!.text).to.equal('Diagnostic de cancer — Date du diagnostic : élément obligatoire manquant.');
      expect(issues[1]!.details!.text).to.contain('Latéralité : « 255549009 (http://snomed.info/sct) » n’est pas une valeur autorisée ; valeurs attendues : 24028007 (Droit), 7771000 (Gauche), 51440002 (Bilatéral)');
      expect(issues.every((i) => i.severity === 'error')).to.equal(true);
    });

    it('a CIM-10 code outside oncology, an ICD-O-3 code without behaviour', async () => {
      const body = fx.colonCancer(refs);
      body.code.coding[0].code = 'K57.3';
      body.extension[0].valueCodeableConcept.coding[0].code = '8140';
      const text = (await issuesOf(body)).map((i) => i.details!.text).join('\n');
      expect(text).to.contain('Topographie CIM-10 : « K57.3 (http://hl7.org/fhir/sid/icd-10) » n’est pas une valeur autorisée ; valeurs attendues : code CIM-10 d’un cancer (C00 à C97, D00 à D09, D37 à D48, ex. C18.7)');
      expect(text).to.contain('Morphologie CIM-O-3 : « 8140');
    });

    it('lists every missing section of an RCP sheet by name and LOINC code', async () => {
      const body = fx.rcpSheet(refs);
      body.section = body.section.filter((s: Json) => !['10164-2', '18776-5'].includes(s.code.coding[0].code));
      const issues = await issuesOf(body);
      expect(issues.map((i) => i.details!.text)).to.deep.equal([
        'Fiche RCP — Section « Synthèse et question posée à la RCP » (LOINC 10164-2) : élément obligatoire manquant. La section « Synthèse et question posée à la RCP » (LOINC 10164-2) est obligatoire dans la fiche RCP ; si elle n’est pas encore renseignée, elle porte emptyReason et un court texte.',
        'Fiche RCP — Section « Proposition de la RCP » (LOINC 18776-5) : élément obligatoire manquant. La section « Proposition de la RCP » (LOINC 18776-5) est obligatoire dans la fiche RCP ; si elle n’est pas encore renseignée, elle porte emptyReason et un court texte.',
      ]);
      expect(issues.map((i) => i.expression![0])).to.deep.equal(['Composition.section', 'Composition.section']);
    });

    it('a section given twice, a section without its title', async () => {
      const body = fx.rcpSheet(refs);
      body.section.push(structuredClone(body.section[0]));
      delete body.section[3].title;
      const text = (await issuesOf(body)).map((i) => `${i.expression} ${i.details!.text}`).join('\n');
      expect(text).to.contain('Composition.section Fiche RCP — Section « Motif de la RCP » (LOINC 42349-1) : présent 2 fois, 1 au plus.');
      expect(text).to.contain('Composition.section[3].title Fiche RCP — Titre de la section : élément obligatoire manquant.');
    });

    it('a sheet marked final without the legal attestation of its signer', async () => {
      const body = fx.rcpSheet(refs);
      body.attester = [{ mode: 'professional', party: { reference: `Practitioner/${refs.practitioner}` } }];
      const [issue] = await issuesOf(body);
      expect(issue!.code).to.equal('invariant');
      expect(issue!.expression).to.deep.equal(['Composition.attester']);
      expect(issue!.details!.text).to.contain("porte l'attestation légale du médecin signataire");
      // A draft needs no signature.
      expect((await post(fx.draftRcpSheet(refs))).status).to.equal(201);
    });

    it('a follow-up of the PPAC that does not say who sees the patient (alternating surveillance)', async () => {
      const body = fx.ppac(refs);
      body.activity[1].extension.pop();
      const [issue] = await issuesOf(body);
      expect(issue!.expression).to.deep.equal(['CarePlan.activity[1].extension']);
      expect(issue!.details!.text).to.contain('équipe hospitalière (hospital) ou médecin traitant (gp)');
    });

    it('a proposal with neither detail nor reference; a decision whose intent is not proposal', async () => {
      const body = fx.rcpDecision(refs);
      delete body.activity[2].detail;
      body.intent = 'plan';
      const text = (await issuesOf(body)).map((i) => `${i.expression} ${i.details!.text}`).join('\n');
      expect(text).to.contain('CarePlan.activity[2] Décision de RCP — Contenu de l’activité : Chaque activité est décrite (detail) ou renvoie à une prescription (reference).');
      expect(text).to.contain('CarePlan.intent Décision de RCP — Intention : « plan » n’est pas autorisé ; attendu : proposal');
    });

    it('a performance status out of the WHO scale, a date that does not exist, an unknown DCC profile', async () => {
      const body = fx.performanceStatus(refs);
      delete body.valueCodeableConcept;
      body.valueInteger = 5;
      const text = (await issuesOf(body)).map((i) => i.details!.text).join('\n');
      expect(text).to.contain('Indice de performance (0 à 4) : 5 n’est pas autorisé ; attendu <= 4');
      // A date that does not exist is refused at the door, before any profile (bad structure: 400).
      const impossible = await post({ ...fx.performanceStatus(refs), effectiveDateTime: '2025-02-30' });
      expect(impossible.status, impossible.text).to.equal(400);
      expect(impossible.body.issue[0].details.text).to.equal('Date impossible : \'2025-02-30\' (le 02/2025 a 28 jours)');
      expect(impossible.body.issue[0].expression).to.deep.equal(['Observation.effectiveDateTime']);
      const claimed = await issuesOf({ ...fx.performanceStatus(refs), meta: { profile: ['https://dcc-paca.example/fhir/StructureDefinition/dcc-ppx', fx.profileUrl('dcc-pps')] } });
      expect(claimed.map((i) => i.details!.text)).to.deep.equal([
        'meta.profile : profil DCC inconnu https://dcc-paca.example/fhir/StructureDefinition/dcc-ppx ; profils publiés : dcc-cancer-condition, dcc-objection-consent, dcc-oral-treatment, dcc-patient, dcc-performance-status, dcc-ppac, dcc-pps, dcc-rcp-decision, dcc-rcp-sheet, dcc-tnm-staging',
        'meta.profile : le profil « Programme personnalisé de soins (DCC) » s’applique aux ressources CarePlan, pas Observation',
      ]);
    });

    it('keeps base FHIR first: not valid R4 is a 400, before any profile check', async () => {
      const body = fx.colonCancer(refs);
      body.onsetDateTime = 12;
      delete body.extension;
      expect((await post(body)).status).to.equal(400);
    });
  });

  describe('selection by kind', () => {
    it('an RCP sheet, a PPS and an oral treatment are checked without claiming their profile', async () => {
      const sheet = fx.rcpSheet(refs);
      delete sheet.meta;
      sheet.section = sheet.section.filter((s: Json) => s.code.coding[0].code !== '33557-0');
      const res = await post(sheet);
      expect(res.status).to.equal(422);
      expect(res.body.issue[0].details.text).to.contain('Statut du document');
      const pps = fx.pps(refs);
      delete pps.meta;
      pps.extension.shift();
      expect((await post(pps)).body.issue[0].details.text).to.contain('Envoi au médecin traitant');
      const mr = fx.oralTreatment(refs);
      delete mr.meta;
      delete mr.requester;
      expect((await post(mr)).body.issue[0].expression).to.deep.equal(['MedicationRequest.requester']);
    });

    it('profileOf / profilesOf: claims first, then kind; nothing for other resources', () => {
      expect(profileOf(fx.colonCancer(refs) as any)).to.equal(fx.profileUrl('dcc-cancer-condition'));
      const noClaim = fx.tnmStaging(refs);
      delete noClaim.meta;
      expect(profilesOf(noClaim as any)).to.deep.equal([fx.profileUrl('dcc-tnm-staging')]);
      expect(profilesOf({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '21908-9' }] } } as any)).to.deep.equal([]);
      expect(profilesOf({ resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: 'Patient/x' } } as any)).to.deep.equal([]);
      expect(profileOf({ resourceType: 'Consent', status: 'active', provision: { type: 'deny' } } as any)).to.equal(undefined);
    });

    it('resources matching no DCC profile are only checked against base FHIR', async () => {
      const plain = [
        { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: `Patient/${refs.patient}` } },
        { resourceType: 'Condition', subject: { reference: `Patient/${refs.patient}` }, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7' }] } },
        { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '89247-1' }] }, subject: { reference: `Patient/${refs.patient}` } },
        { resourceType: 'Consent', status: 'active', scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] }, category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }], patient: { reference: `Patient/${refs.patient}` }, policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] }, provision: { type: 'deny' } },
        withIdentity({ resourceType: 'Patient', name: [{ family: unique('Sansprofil') }] }),
      ];
      for (const body of plain) expect((await post(body)).status, body.resourceType).to.equal(201);
    });
  });

  describe('the demo data set', () => {
    it('every demo resource passes the write validation (the Patients and Conditions are checked against their DCC profiles)', () => {
      const checked: string[] = [];
      for (const entry of buildDemoBundle().entry ?? []) {
        const resource = entry.resource!;
        expect(() => validateForWrite(resource), `${resource.resourceType} ${entry.fullUrl}`).to.not.throw();
        if (profilesOf(resource).length) checked.push(resource.resourceType);
      }
      expect(checked.filter((t) => t === 'Patient')).to.have.length(6);
      expect(checked.filter((t) => t === 'Condition')).to.have.length(6);
    });
  });
});
