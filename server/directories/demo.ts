/**
 * The demo regional directory as conditional creates appended to the demo transaction: seeding
 * twice creates nothing new. Trials reference the Locations of the establishments of the same
 * Bundle (urn:uuid), so their sites resolve whether the establishment was just created or found.
 */
import type { BundleEntry, ResearchStudy } from '@medplum/fhirtypes';
import { nameUuid } from '../fhir-kit/name-uuid.ts';
import { ICD10_SYSTEM, PHASE_LABEL, PHASE_SYSTEM, TRIAL_DIRECTORY_CATEGORY, TRIAL_INCLUSION_EXT, TRIAL_STAGE_EXT } from './codes.ts';
import { DEMO_OFFER } from './offer-data.ts';
import { offerEntries } from './offer.ts';
import { DEMO_TRIALS, type TrialSpec } from './trial-data.ts';
import { registryIdentifier } from './trials.ts';

const CIM10_LABEL: Record<string, string> = {
  C09: 'Tumeur maligne de l’amygdale', C10: 'Tumeur maligne de l’oropharynx', C18: 'Tumeur maligne du côlon', C19: 'Tumeur maligne de la jonction recto-sigmoïdienne',
  C20: 'Tumeur maligne du rectum', C25: 'Tumeur maligne du pancréas', C34: 'Tumeur maligne des bronches et du poumon', C43: 'Mélanome malin de la peau',
  C50: 'Tumeur maligne du sein', C56: 'Tumeur maligne de l’ovaire', C61: 'Tumeur maligne de la prostate', C67: 'Tumeur maligne de la vessie',
};

export function regionalDirectoryEntries(): BundleEntry[] {
  const names = new Map(DEMO_OFFER.map((o) => [o.key, o.name]));
  return [...DEMO_OFFER.flatMap(offerEntries), ...DEMO_TRIALS.map((t) => trialEntry(t, names))];
}

export function demoTrialStudy(t: TrialSpec, siteName: (key: string) => string | undefined = () => undefined): ResearchStudy {
  return {
    resourceType: 'ResearchStudy',
    extension: [
      ...t.stages.map((valueString) => ({ url: TRIAL_STAGE_EXT, valueString })),
      { url: TRIAL_INCLUSION_EXT, valueMarkdown: t.inclusion },
    ],
    identifier: [registryIdentifier(t.registry)!],
    title: t.title,
    status: t.status ?? 'active',
    phase: { coding: [{ system: PHASE_SYSTEM, code: t.phase, display: PHASE_LABEL[t.phase] }], text: PHASE_LABEL[t.phase] },
    category: [{ coding: [TRIAL_DIRECTORY_CATEGORY], text: TRIAL_DIRECTORY_CATEGORY.display }],
    condition: t.sites.map((code) => ({ coding: [{ system: ICD10_SYSTEM, code, display: CIM10_LABEL[code] }], text: CIM10_LABEL[code] ?? code })),
    keyword: t.sites.map((code) => ({ coding: [{ system: ICD10_SYSTEM, code }] })),
    contact: [{ name: t.contact.name, telecom: [{ system: 'phone', value: t.contact.phone }, { system: 'email', value: t.contact.email }] }],
    period: { start: t.start },
    sponsor: { display: t.sponsor },
    description: `Essai de démonstration (fictif) de l'annuaire régional des essais cliniques ouverts. Critères principaux : ${t.inclusion}`,
    site: t.at.map((key) => ({ reference: `urn:uuid:${nameUuid('dcc-regional-directory', `${key}/location`)}`, ...(siteName(key) ? { display: siteName(key) } : {}) })),
  };
}

function trialEntry(t: TrialSpec, names: Map<string, string>): BundleEntry {
  const id = registryIdentifier(t.registry)!;
  return {
    fullUrl: `urn:uuid:${nameUuid('dcc-regional-directory', `trial/${t.registry}`)}`,
    resource: demoTrialStudy(t, (key) => names.get(key)),
    request: { method: 'POST', url: 'ResearchStudy', ifNoneExist: `identifier=${id.system}|${id.value}` },
  };
}
