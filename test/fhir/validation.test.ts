import { getSearchParameters, globalSchema, isResourceType } from '@medplum/core';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { expect } from 'chai';
import {
  checkRequiredBindings,
  definitionLoadTimings,
  describeRequiredBindings,
  loadFhirDefinitions,
  validateFhirResource,
} from '../../server/fhir-kit/validation.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: a small, valid French oncology record
// ---------------------------------------------------------------------------------------------

type Json = Record<string, any>;

function patient(): Json {
  return {
    resourceType: 'Patient',
    id: 'pat-1',
    text: {
      status: 'generated',
      div: '<div xmlns="http://www.w3.org/1999/xhtml">Marie Dupont, née le 12/04/1968</div>',
    },
    identifier: [
      {
        use: 'official',
        type: { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'INS-NIR' }] },
        system: 'urn:oid:1.2.250.1.213.1.4.8',
        value: '268047512345678',
      },
    ],
    active: true,
    name: [{ use: 'official', family: 'Dupont', given: ['Marie', 'Claire'] }],
    telecom: [
      { system: 'phone', value: '+33612345678', use: 'mobile' },
      { system: 'email', value: 'marie.dupont@example.fr' },
    ],
    gender: 'female',
    birthDate: '1968-04-12',
    address: [{ use: 'home', type: 'physical', line: ['12 rue de la République'], city: 'Lyon', postalCode: '69002', country: 'FR' }],
    contact: [
      {
        relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] }],
        name: { family: 'Dupont', given: ['Jean'] },
        telecom: [{ system: 'phone', value: '0478000000' }],
        gender: 'male',
      },
    ],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'fr-FR' }] }, preferred: true }],
  };
}

function observation(): Json {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '2857-1', display: 'PSA' }] },
    subject: { reference: 'Patient/pat-1' },
    effectiveDateTime: '2024-03-01T10:00:00+01:00',
    valueQuantity: { value: 4.2, unit: 'ng/mL', system: 'http://unitsofmeasure.org', code: 'ng/mL' },
    referenceRange: [{ high: { value: 4, unit: 'ng/mL', system: 'http://unitsofmeasure.org', code: 'ng/mL' } }],
  };
}

function condition(): Json {
  return {
    resourceType: 'Condition',
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    verificationStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
    },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
    code: {
      coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C50.4', display: 'Tumeur maligne du quadrant supéro-externe du sein' }],
    },
    bodySite: [{ coding: [{ system: 'http://snomed.info/sct', code: '76752008', display: 'Breast structure' }] }],
    subject: { reference: 'Patient/pat-1' },
    onsetDateTime: '2024-01-15',
    recordedDate: '2024-02-01',
    stage: [{ summary: { text: 'cT2N1M0' } }],
  };
}

function carePlan(): Json {
  return {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    title: 'Programme personnalisé de soins',
    subject: { reference: 'Patient/pat-1' },
    period: { start: '2024-02-10' },
    activity: [
      {
        detail: {
          kind: 'MedicationRequest',
          status: 'scheduled',
          description: 'Chimiothérapie adjuvante',
          scheduledTiming: { repeat: { frequency: 1, period: 3, periodUnit: 'wk', count: 6 } },
        },
      },
    ],
  };
}

function medicationRequest(): Json {
  return {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: 'http://www.whocc.no/atc', code: 'L01BC06', display: 'capécitabine' }] },
    subject: { reference: 'Patient/pat-1' },
    authoredOn: '2024-02-12',
    dosageInstruction: [
      {
        text: '1000 mg matin et soir, 14 jours sur 21',
        timing: {
          repeat: {
            frequency: 2,
            period: 1,
            periodUnit: 'd',
            boundsDuration: { value: 14, unit: 'jours', system: 'http://unitsofmeasure.org', code: 'd' },
          },
        },
        doseAndRate: [{ doseQuantity: { value: 1000, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
      },
    ],
  };
}

const expressions = (issues: OperationOutcomeIssue[]): string[] => issues.flatMap((i) => i.expression ?? []);

function expectValid(resource: unknown): void {
  const result = validateFhirResource(resource);
  expect(result.structural, JSON.stringify(result.structural)).to.deep.equal([]);
  expect(result.bindings, JSON.stringify(result.bindings)).to.deep.equal([]);
}

// ---------------------------------------------------------------------------------------------

describe('FHIR validation', () => {
  before(function () {
    this.timeout(60_000);
    loadFhirDefinitions();
  });

  describe('loading definitions', () => {
    it('is idempotent', () => {
      const before = Object.keys(globalSchema.types).length;
      loadFhirDefinitions();
      loadFhirDefinitions();
      expect(Object.keys(globalSchema.types).length).to.equal(before);
      expect(definitionLoadTimings()).to.have.property('buildBindingIndex');
    });

    it('indexes the R4 resource types, and only them', () => {
      expect(isResourceType('Patient')).to.equal(true);
      expect(isResourceType('CarePlan')).to.equal(true);
      expect(!!isResourceType('Project')).to.equal(false); // Medplum-only resource
      expect(!!isResourceType('DomainResource')).to.equal(false); // abstract
    });

    it('indexes the plain R4 search parameters (not the Medplum / US Core ones)', () => {
      const patient = getSearchParameters('Patient') ?? {};
      expect(patient).to.have.property('birthdate');
      expect(patient).to.have.property('identifier');
      expect(patient).to.have.property('_id');
      expect(patient).to.not.have.property('race'); // US Core
      expect(getSearchParameters('Condition') ?? {}).to.have.property('clinical-status');
      expect(getSearchParameters('Task') ?? {}).to.not.have.property('due-date'); // Medplum extra
      expect(getSearchParameters('Project')).to.equal(undefined);
    });
  });

  describe('valid resources', () => {
    it('accepts a Patient', () => expectValid(patient()));
    it('accepts an Observation', () => expectValid(observation()));
    it('accepts a Condition', () => expectValid(condition()));
    it('accepts a CarePlan', () => expectValid(carePlan()));
    it('accepts a MedicationRequest', () => expectValid(medicationRequest()));

    it('accepts extensions, primitive extensions and contained resources', () => {
      const p = patient();
      p.extension = [{ url: 'http://example.org/fhir/StructureDefinition/x', valueCode: 'anything' }];
      p.modifierExtension = [{ url: 'http://example.org/fhir/StructureDefinition/y', valueBoolean: false }];
      p._gender = { extension: [{ url: 'http://example.org/fhir/StructureDefinition/z', valueString: 'a' }] };
      p.contained = [{ resourceType: 'Organization', id: 'org', name: 'Centre Léon Bérard' }];
      p.managingOrganization = { reference: '#org' };
      expectValid(p);
    });
  });

  describe('structural issues', () => {
    it('rejects non-objects and missing or unknown resource types', () => {
      for (const bad of [null, 5, 'Patient', [], [patient()]]) {
        const { structural } = validateFhirResource(bad);
        expect(structural).to.have.length(1);
        expect(structural[0].severity).to.equal('error');
      }
      expect(expressions(validateFhirResource({ gender: 'male' }).structural)).to.deep.equal(['resourceType']);
      expect(expressions(validateFhirResource({ resourceType: 42 }).structural)).to.deep.equal(['resourceType']);
      for (const type of ['Foo', 'Project', 'DomainResource']) {
        const { structural } = validateFhirResource({ resourceType: type });
        expect(structural).to.have.length(1);
        expect(structural[0].details?.text).to.contain(type);
      }
    });

    it('reports a wrong datatype', () => {
      const p = patient();
      p.active = 'yes';
      p.name[0].family = 42;
      expect(expressions(validateFhirResource(p).structural)).to.have.members(['Patient.active', 'Patient.name[0].family']);
    });

    it('reports an unknown property', () => {
      const p = patient();
      p.foo = 'bar';
      p.name[0].nickname = 'Mimi';
      expect(expressions(validateFhirResource(p).structural)).to.have.members(['Patient.foo', 'Patient.name[0].nickname']);
    });

    it('reports missing required elements', () => {
      const o = observation();
      delete o.status;
      delete o.code;
      const result = validateFhirResource(o);
      expect(expressions(result.structural)).to.have.members(['Observation.status', 'Observation.code']);
      expect(result.bindings).to.deep.equal([]);
    });

    it('reports a bad date', () => {
      const p = patient();
      p.birthDate = '1968-13-45';
      const c = condition();
      c.onsetDateTime = '15/01/2024';
      expect(expressions(validateFhirResource(p).structural)).to.deep.equal(['Patient.birthDate']);
      expect(expressions(validateFhirResource(c).structural)).to.deep.equal(['Condition.onsetDateTime']);
    });

    it('reports a violated invariant', () => {
      const p = patient();
      p.contact = [{ gender: 'male' }]; // pat-1: a contact needs details or an organization
      const { structural } = validateFhirResource(p);
      expect(structural.map((i) => i.code)).to.deep.equal(['invariant']);
      expect(expressions(structural)).to.deep.equal(['Patient.contact[0]']);
    });

    it('reports a cardinality violation and conflicting choice types', () => {
      const p = patient();
      p.gender = ['female'];
      expect(expressions(validateFhirResource(p).structural)).to.deep.equal(['Patient.gender']);
      const o = observation();
      o.valueString = '4.2 ng/mL'; // in addition to valueQuantity
      const { structural } = validateFhirResource(o);
      expect(structural).to.have.length(1);
      expect(structural[0].severity).to.equal('error');
    });

    it('reports structural issues inside contained resources', () => {
      const p = patient();
      p.contained = [{ resourceType: 'Observation', code: { text: 'x' } }];
      expect(expressions(validateFhirResource(p).structural)).to.deep.equal(['Patient.contained[0].status']);
    });

    it('reports malformed and unknown contained resources with their path', () => {
      const p = patient();
      p.contained = [5];
      expect(expressions(validateFhirResource(p).structural)).to.deep.equal(['Patient.contained[0]']);
      p.contained = [{ resourceType: 'Organization', name: 'x' }, { resourceType: 'Foo', id: 'f' }];
      const { structural } = validateFhirResource(p);
      expect(expressions(structural)).to.deep.equal(['Patient.contained[1].resourceType']);
      expect(structural[0].details?.text).to.equal('Type de ressource inconnu : Foo');
    });

    it('reports an invalid logical id', () => {
      const p = patient();
      p.id = 'pas un id';
      expect(expressions(validateFhirResource(p).structural)).to.deep.equal(['Patient.id']);
    });

    it('keeps warnings apart from errors', () => {
      const o = observation(); // no narrative: dom-6 is only a best-practice warning, if reported at all
      const result = validateFhirResource(o);
      expect(result.structural).to.deep.equal([]);
      for (const w of result.warnings ?? []) {
        expect(w.severity).to.not.equal('error');
      }
    });
  });

  describe('required bindings', () => {
    it('reports Patient.gender outside administrative-gender, with a French message', () => {
      const p = patient();
      p.gender = 'xx';
      const result = validateFhirResource(p);
      expect(result.structural).to.deep.equal([]);
      expect(result.bindings).to.deep.equal([
        {
          severity: 'error',
          code: 'code-invalid',
          details: {
            text:
              "Valeur 'xx' non autorisée pour Patient.gender (jeu de valeurs requis " +
              'http://hl7.org/fhir/ValueSet/administrative-gender : male, female, other, unknown)',
          },
          expression: ['Patient.gender'],
        },
      ]);
    });

    it('reports Observation.status, CarePlan.intent and Identifier.use', () => {
      const o = observation();
      o.status = 'foo';
      expect(expressions(validateFhirResource(o).bindings)).to.deep.equal(['Observation.status']);

      const cp = carePlan();
      cp.intent = 'bogus';
      const { bindings } = validateFhirResource(cp);
      expect(expressions(bindings)).to.deep.equal(['CarePlan.intent']);
      expect(bindings[0].details?.text).to.contain('proposal, plan, order, option');

      const p = patient();
      p.identifier[0].use = 'nope';
      expect(expressions(validateFhirResource(p).bindings)).to.deep.equal(['Patient.identifier[0].use']);
    });

    it('reports nested and datatype elements with their full path', () => {
      const p = patient();
      p.contact.push({ name: { family: 'Martin' }, gender: 'homme' });
      p.telecom[1].system = 'courriel';
      p.name[0].use = 'officiel';
      p.address[0].use = 'maison';
      p.text.status = 'done';
      expect(expressions(validateFhirResource(p).bindings)).to.have.members([
        'Patient.contact[1].gender',
        'Patient.telecom[1].system',
        'Patient.name[0].use',
        'Patient.address[0].use',
        'Patient.text.status',
      ]);
    });

    it('checks Quantity.comparator, Timing units and choice-type elements', () => {
      const o = observation();
      o.valueQuantity.comparator = '=>';
      expect(expressions(validateFhirResource(o).bindings)).to.deep.equal(['Observation.valueQuantity.comparator']);

      const mr = medicationRequest();
      mr.dosageInstruction[0].timing.repeat.periodUnit = 'jour';
      mr.dosageInstruction[0].timing.repeat.boundsDuration.comparator = '~';
      expect(expressions(validateFhirResource(mr).bindings)).to.have.members([
        'MedicationRequest.dosageInstruction[0].timing.repeat.periodUnit',
        'MedicationRequest.dosageInstruction[0].timing.repeat.boundsDuration.comparator',
      ]);

      const cp = carePlan();
      cp.activity[0].detail.kind = 'Observation';
      cp.activity[0].detail.status = 'en cours';
      expect(expressions(validateFhirResource(cp).bindings)).to.have.members([
        'CarePlan.activity[0].detail.kind',
        'CarePlan.activity[0].detail.status',
      ]);
    });

    it('accepts a required CodeableConcept with extra codings from other systems', () => {
      const c = condition();
      c.clinicalStatus = {
        coding: [
          { system: 'http://snomed.info/sct', code: '55561003', display: 'Active' },
          { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' },
        ],
        text: 'Active',
      };
      c.verificationStatus.coding.unshift({ system: 'http://example.org/local', code: 'OK' });
      expectValid(c);
      // nested concepts of the code system are part of the set
      c.clinicalStatus.coding[1].code = 'remission';
      expectValid(c);
    });

    it('reports a required CodeableConcept without any coding from the value set', () => {
      const c = condition();
      c.clinicalStatus = { coding: [{ system: 'http://snomed.info/sct', code: '55561003' }] };
      c.verificationStatus = { text: 'confirmé' };
      const { bindings } = validateFhirResource(c);
      expect(expressions(bindings)).to.deep.equal(['Condition.clinicalStatus', 'Condition.verificationStatus']);
      expect(bindings[0].details?.text).to.contain("Valeur 'http://snomed.info/sct|55561003'");
      expect(bindings[0].details?.text).to.contain('http://terminology.hl7.org/CodeSystem/condition-clinical');
      expect(bindings[1].details?.text).to.contain('Aucun code fourni');

      // right code, wrong system
      c.clinicalStatus = { coding: [{ system: 'http://example.org', code: 'active' }] };
      c.verificationStatus = condition().verificationStatus;
      expect(expressions(validateFhirResource(c).bindings)).to.deep.equal(['Condition.clinicalStatus']);
    });

    it('checks contained resources and Bundle entries with their own type', () => {
      const p = patient();
      p.contained = [{ resourceType: 'Observation', status: 'foo', code: { text: 'x' } }];
      expect(expressions(validateFhirResource(p).bindings)).to.deep.equal(['Patient.contained[0].status']);

      const bundle = {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: patient() }, { resource: { ...carePlan(), intent: 'bogus' } }],
      };
      expect(expressions(validateFhirResource(bundle).bindings)).to.deep.equal(['Bundle.entry[1].resource.intent']);
    });

    it('lists the value sets it checks and those it skips', () => {
      const { checked, skipped } = describeRequiredBindings();
      expect(checked).to.include('http://hl7.org/fhir/ValueSet/administrative-gender');
      expect(checked).to.include('http://hl7.org/fhir/ValueSet/units-of-time');
      expect(checked).to.include('http://hl7.org/fhir/ValueSet/event-timing'); // FHIR + v3 systems
      const skippedUrls = skipped.map((s) => s.url);
      expect(skippedUrls).to.include('http://hl7.org/fhir/ValueSet/mimetypes');
      expect(skippedUrls).to.include('http://hl7.org/fhir/ValueSet/currencies');
      // Skipped sets are not enforced
      const p = patient();
      p.photo = [{ contentType: 'image/x-anything' }];
      expectValid(p);
    });

    it('lists the codes only for small value sets', () => {
      const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient() }] };
      const sp = {
        resourceType: 'SearchParameter',
        url: 'http://example.org/sp',
        name: 'x',
        status: 'active',
        description: 'x',
        code: 'x',
        base: ['Patient', 'Patiente'],
        type: 'token',
      };
      expect(validateFhirResource(bundle).bindings).to.deep.equal([]);
      const { bindings } = validateFhirResource(sp);
      expect(expressions(bindings)).to.deep.equal(['SearchParameter.base[1]']);
      expect(bindings[0].details?.text).to.match(/resource-types, \d+ codes\)$/);
    });

    it('does not crash on malformed input', () => {
      const p: Json = patient();
      p.identifier = [null, 5, 'x', { use: 7 }, []];
      p.contact = 'nobody';
      p.text = [];
      p.contained = [null, [], {}];
      const c: Json = condition();
      c.clinicalStatus = { coding: 'active' };
      c.verificationStatus = { coding: [null, 3, { code: 5 }] };
      expect(() => validateFhirResource(p)).to.not.throw();
      expect(validateFhirResource(p).structural).to.not.be.empty;
      expect(expressions(validateFhirResource(c).bindings)).to.deep.equal(['Condition.clinicalStatus', 'Condition.verificationStatus']);
    });
  });
});
