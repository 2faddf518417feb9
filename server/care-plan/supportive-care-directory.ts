/**
 * Regional directory of labelled supportive-care structures (parcours de soins global après le
 * traitement d'un cancer — décret n° 2020-1665; about 25 structures in PACA in 2024), where the
 * PPAC orients the patient for the needs evaluation, adapted physical activity, nutrition and
 * psychological support. Demo entries: fictitious names, phone numbers in the ARCEP fiction range.
 *
 * Each structure is an Organization (address, phone) and the HealthcareService it provides;
 * conditional creates on a business identifier, so seeding twice creates nothing new.
 */
import type { BundleEntry, CodeableConcept, HealthcareService, Identifier, Organization } from '@medplum/fhirtypes';
import { DCC_CANONICAL_BASE } from './codes.ts';

export const SUPPORTIVE_CARE_STRUCTURE_ID_SYSTEM = `${DCC_CANONICAL_BASE}/sid/supportive-care-structure`;
/** HealthcareService.program of the labelled structures. */
export const POST_CANCER_PROGRAM: CodeableConcept = {
  coding: [{ system: `${DCC_CANONICAL_BASE}/CodeSystem/dcc-health-program`, code: 'parcours-global-apres-cancer', display: "Parcours de soins global après le traitement d'un cancer" }],
  text: "Parcours de soins global après le traitement d'un cancer",
};

const SERVICE_TYPE_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-supportive-care-type`;
const SERVICES: Record<string, string> = {
  'needs-evaluation': 'Bilan des besoins en soins de support',
  'physical-activity': 'Activité physique adaptée (APA)',
  nutrition: 'Consultation diététique',
  psychology: 'Soutien psychologique',
  'socio-esthetics': 'Socio-esthétique',
  'return-to-work': 'Accompagnement du retour au travail',
};

interface Structure {
  orgUuid: string;
  serviceUuid: string;
  key: string;
  name: string;
  line: string;
  postalCode: string;
  city: string;
  phone: string;
  services: (keyof typeof SERVICES)[];
}

const STRUCTURES: readonly Structure[] = [
  { orgUuid: '133ea2e8-06e1-4a53-8866-9efc593bd316', serviceUuid: 'ef60d6f0-2753-4021-8572-35942691bf5f', key: 'SCS-13-001', name: 'Espace de soins de support du Vieux-Port', line: '14 rue Sainte', postalCode: '13001', city: 'Marseille', phone: '04 65 71 70 01', services: ['needs-evaluation', 'physical-activity', 'nutrition', 'psychology', 'socio-esthetics'] },
  { orgUuid: 'b61074e5-264d-4f2b-9639-2533934625dd', serviceUuid: 'bc29eb37-133a-41d2-8b3a-aaf3cacb7d5f', key: 'SCS-06-001', name: 'Maison de l’après-cancer de la Côte d’Azur', line: '22 avenue des Mimosas', postalCode: '06000', city: 'Nice', phone: '04 65 71 70 02', services: ['needs-evaluation', 'physical-activity', 'nutrition', 'psychology', 'return-to-work'] },
  { orgUuid: 'e63e3451-d8b9-4a3d-81b3-4cbef3406c91', serviceUuid: 'e40f2fa7-846b-43f4-8cdb-79de9fb9c208', key: 'SCS-84-001', name: 'Pôle de soins de support du Comtat', line: '5 place des Platanes', postalCode: '84000', city: 'Avignon', phone: '04 65 71 70 03', services: ['needs-evaluation', 'physical-activity', 'psychology'] },
  { orgUuid: 'c00ea6bb-bbb1-4c29-86dc-da4f06a68909', serviceUuid: '7be03f29-4bd5-4b2b-a320-4f5b73e4daff', key: 'SCS-83-001', name: 'Espace santé après-cancer du Var', line: '9 boulevard du Littoral', postalCode: '83000', city: 'Toulon', phone: '04 65 71 70 04', services: ['needs-evaluation', 'nutrition', 'physical-activity', 'return-to-work'] },
];

export const SUPPORTIVE_CARE_STRUCTURE_COUNT = STRUCTURES.length;

/** Bundle entries (conditional creates) to append to the demo transaction. */
export function supportiveCareDirectoryEntries(): BundleEntry[] {
  return STRUCTURES.flatMap((s) => {
    const orgId: Identifier = { system: SUPPORTIVE_CARE_STRUCTURE_ID_SYSTEM, value: s.key };
    const serviceId: Identifier = { system: SUPPORTIVE_CARE_STRUCTURE_ID_SYSTEM, value: `${s.key}-SERVICE` };
    const organization: Organization = {
      resourceType: 'Organization',
      identifier: [orgId],
      active: true,
      type: [{ coding: [{ system: `${DCC_CANONICAL_BASE}/CodeSystem/organization-type`, code: 'SOS', display: 'Structure de soins oncologiques de support' }], text: 'Structure de soins oncologiques de support' }],
      name: s.name,
      telecom: [{ system: 'phone', use: 'work', value: s.phone }],
      address: [{ use: 'work', type: 'both', line: [s.line], postalCode: s.postalCode, city: s.city, country: 'FRA' }],
    };
    const service: HealthcareService = {
      resourceType: 'HealthcareService',
      identifier: [serviceId],
      active: true,
      providedBy: { reference: `urn:uuid:${s.orgUuid}`, display: s.name },
      category: [{ text: 'Soins oncologiques de support' }],
      type: s.services.map((code) => ({ coding: [{ system: SERVICE_TYPE_SYSTEM, code, display: SERVICES[code] }], text: SERVICES[code] })),
      name: `${s.name} — parcours de soins global après cancer`,
      comment: 'Structure labellisée par l’ARS pour le parcours de soins global après le traitement d’un cancer : bilan des besoins dans l’année qui suit la fin des traitements actifs, sur prescription du médecin.',
      program: [POST_CANCER_PROGRAM],
      characteristic: [{ text: 'Structure labellisée (ARS PACA)' }],
      referralMethod: [{ text: 'Prescription médicale' }],
      appointmentRequired: true,
      telecom: [{ system: 'phone', use: 'work', value: s.phone }],
    };
    return [
      { fullUrl: `urn:uuid:${s.orgUuid}`, resource: organization, request: { method: 'POST', url: 'Organization', ifNoneExist: `identifier=${orgId.system}|${orgId.value}` } },
      { fullUrl: `urn:uuid:${s.serviceUuid}`, resource: service, request: { method: 'POST', url: 'HealthcareService', ifNoneExist: `identifier=${serviceId.system}|${serviceId.value}` } },
    ];
  });
}
