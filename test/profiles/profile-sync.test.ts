import { expect } from 'chai';
import { validateFhirResource } from '../../server/fhir-kit/validation.ts';
import { loadCatalog } from '../../server/profiles/catalog.ts';
import { loadDccProfiles } from '../../server/profiles/validation.ts';
import { checkProfileSync, type SyncInput } from './profile-sync-check.ts';

function input(): SyncInput {
  const catalog = loadCatalog();
  return { structureDefinitions: catalog.structureDefinitions, valueSets: catalog.valueSets, schemas: new Map([...catalog.schemas].map(([k, v]) => [k, structuredClone(v)])) };
}

const PROFILE = (id: string) => `https://dcc-paca.example/fhir/StructureDefinition/${id}`;

describe('DCC profiles: schemas/profiles and fhir-profiles in step', () => {
  it('every StructureDefinition has its schema and vice versa, and every differential constraint is enforced', () => {
    const problems = checkProfileSync(input());
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('the published StructureDefinitions, ValueSets and CodeSystems are valid FHIR R4', () => {
    const catalog = loadCatalog();
    const all = [...catalog.structureDefinitions.values(), ...catalog.valueSets.values(), ...catalog.codeSystems.values()];
    expect(all.length).to.be.greaterThan(40);
    for (const resource of all) {
      const { structural, bindings } = validateFhirResource(resource);
      expect([...structural, ...bindings], `${resource.resourceType}/${resource.id}`).to.deep.equal([]);
    }
  });

  it('every code a ValueSet takes from a code system published here is defined there, with the same display', () => {
    const catalog = loadCatalog();
    for (const vs of catalog.valueSets.values()) {
      for (const include of vs.compose?.include ?? []) {
        const cs = catalog.codeSystems.get(include.system!);
        if (!cs) continue;
        for (const c of include.concept ?? []) {
          const defined = cs.concept?.find((d) => d.code === c.code);
          expect(defined, `${vs.id}: ${include.system}|${c.code}`).to.not.equal(undefined);
          expect(c.display, `${vs.id}: ${c.code}`).to.equal(defined!.display);
        }
      }
    }
    // Every binding and extension of the profiles points at something published here (or external and known).
    for (const sd of catalog.structureDefinitions.values()) {
      for (const el of sd.differential?.element ?? []) {
        if (el.binding?.valueSet) expect(catalog.valueSets.has(el.binding.valueSet), `${sd.id} ${el.id}`).to.equal(true);
        for (const profile of el.type?.flatMap((t) => t.profile ?? []) ?? []) {
          if (profile.startsWith('https://dcc-paca.example/')) expect(catalog.structureDefinitions.has(profile), `${sd.id} ${el.id}`).to.equal(true);
        }
      }
    }
  });

  it('compiles every profile schema (ajv strict mode, annotation keywords registered)', () => {
    expect([...loadDccProfiles().keys()].sort()).to.deep.equal(
      ['dcc-cancer-condition', 'dcc-objection-consent', 'dcc-oral-treatment', 'dcc-patient', 'dcc-performance-status', 'dcc-ppac', 'dcc-pps', 'dcc-rcp-decision', 'dcc-rcp-sheet', 'dcc-tnm-staging'].map(PROFILE),
    );
  });

  describe('notices drift (the check is not a tautology)', () => {
    const drift = (mutate: (schemas: SyncInput['schemas']) => void): string[] => {
      const data = input();
      mutate(data.schemas);
      return checkProfileSync(data);
    };

    it('a required element no longer required in the schema', () => {
      const problems = drift((s) => {
        const schema = s.get(PROFILE('dcc-cancer-condition'))!;
        schema.required = schema.required.filter((r: string) => r !== 'onsetDateTime');
      });
      expect(problems.join('\n')).to.contain('Condition.onset[x]: min 1');
    });

    it('a required slice made optional', () => {
      const problems = drift((s) => {
        const section = s.get(PROFILE('dcc-rcp-sheet'))!.properties.section;
        section.allOf.find((e: any) => e['x-slice'] === 'summary').minContains = 0;
      });
      expect(problems.join('\n')).to.contain('Composition.section:summary: slice min 1 but minContains is 0');
    });

    it('a code added to or missing from an enum', () => {
      const problems = drift((s) => {
        const value = s.get(PROFILE('dcc-performance-status'))!.properties.valueCodeableConcept;
        value.properties.coding.contains.properties.code.enum.push('MED-268');
        const route = s.get(PROFILE('dcc-oral-treatment'))!.properties.dosageInstruction.items.properties.route;
        route.properties.coding.contains.anyOf.pop();
      });
      expect(problems.join('\n')).to.match(/Observation\.value\[x\]: urn:oid:1\.2\.250\.1\.213\.1\.1\.4\.322: schema allows \[.*MED-268/);
      expect(problems.join('\n')).to.contain('dosageInstruction.route: systems');
    });

    it('a binding dropped from the schema, or a schema binding the differential does not declare', () => {
      const problems = drift((s) => {
        const schema = s.get(PROFILE('dcc-tnm-staging'))!;
        delete schema.properties.method['x-valueset'];
        schema.properties.subject['x-valueset'] = 'https://dcc-paca.example/fhir/ValueSet/dcc-laterality';
      });
      expect(problems.join('\n')).to.contain('Observation.method: binding https://dcc-paca.example/fhir/ValueSet/dcc-tnm-edition but schema x-valueset is undefined');
      expect(problems.join('\n')).to.contain('x-valueset https://dcc-paca.example/fhir/ValueSet/dcc-laterality matches no required binding');
    });

    it('a fixed value, a pattern, a reference target or an extension url that differs', () => {
      const problems = drift((s) => {
        s.get(PROFILE('dcc-rcp-decision'))!.properties.intent.const = 'plan';
        s.get(PROFILE('dcc-rcp-sheet'))!.properties.type.properties.coding.contains.properties.code.const = '11488-4';
        s.get(PROFILE('dcc-pps'))!.properties.basedOn.items.properties.reference.pattern = '^Organization/.+$';
        const ext = s.get(PROFILE('dcc-pps'))!.properties.extension.items.allOf.find((e: any) => e['x-slice'] === 'shareWithGp');
        ext.if.properties.url.const = 'https://dcc-paca.example/fhir/StructureDefinition/autre';
      });
      const text = problems.join('\n');
      expect(text).to.contain("CarePlan.intent: fixed 'proposal' but schema const is 'plan'");
      expect(text).to.contain('Composition.type: patternCodeableConcept not mirrored');
      expect(text).to.contain('CarePlan.basedOn: reference pattern refuses CarePlan');
      expect(text).to.contain('CarePlan.extension:shareWithGp: slice discriminator url is not https://dcc-paca.example/fhir/StructureDefinition/dcc-share-with-gp');
    });

    it('an invariant or an extension constraint lost, a schema without profile, a profile without schema', () => {
      const problems = drift((s) => {
        s.get(PROFILE('dcc-rcp-sheet'))!.allOf = [];
        const kind = s.get(PROFILE('dcc-ppac'))!.properties.activity.items.properties.extension.items.allOf.find((e: any) => e['x-slice'] === 'kind');
        kind.then.required = ['url'];
        s.set(PROFILE('dcc-unpublished'), { properties: { resourceType: { const: 'Patient' } } });
        s.delete(PROFILE('dcc-objection-consent'));
      });
      const text = problems.join('\n');
      expect(text).to.contain('constraint dcc-rcp-1 has no x-invariant');
      expect(text).to.contain("dcc-activity-kind Extension.value[x]: min 1 but 'valueCoding' is not required");
      expect(text).to.contain('dcc-unpublished: no StructureDefinition');
      expect(text).to.contain('dcc-objection-consent: no schema');
    });
  });
});
