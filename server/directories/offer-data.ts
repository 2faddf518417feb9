/**
 * Demo regional offer of care of PACA: labelled after-cancer structures across the six
 * départements, authorised establishments, specific consultations, patient associations.
 * Fictitious but plausible: invented names, FINESS numbers in a block no real establishment uses
 * (13 099 9xxx), phone numbers in the ARCEP range reserved for fiction (04 65 71 xx xx).
 */
import type { DirectoryKind } from './codes.ts';
import type { PostCancerLabel } from './label.ts';

export interface OfferSpec {
  key: string;
  kind: DirectoryKind;
  name: string;
  line: string;
  postalCode: string;
  phone: string;
  /** OFFER_TYPE codes. */
  types: string[];
  label?: PostCancerLabel;
  finess?: string;
  /** Organization.type code (demo organization-type system). */
  orgType?: { code: string; display: string };
  email?: string;
  comment?: string;
  /** Fixed fullUrl uuids of the first, hard-coded list (the demo care plans point at them). */
  uuids?: { organization: string; service: string };
}

const SOS = { code: 'SOS', display: 'Structure de soins oncologiques de support' };
const ALL_SUPPORT = ['needs-evaluation', 'physical-activity', 'nutrition', 'psychology'];
const dept: Record<string, string> = { '04': 'Alpes-de-Haute-Provence', '05': 'Hautes-Alpes', '06': 'Alpes-Maritimes', '13': 'Bouches-du-Rhône', '83': 'Var', '84': 'Vaucluse' };
const structure = (key: string, name: string, line: string, postalCode: string, phone: string, year: number, types: string[] = ALL_SUPPORT, extra: Partial<OfferSpec> = {}): OfferSpec => ({
  key, kind: 'supportive-care', name, line, postalCode, phone, types, orgType: SOS,
  label: { year, territory: dept[postalCode.slice(0, 2)]!, ...(extra.label ?? {}) }, ...extra,
});

export const DEMO_OFFER: readonly OfferSpec[] = [
  // Labelled after-cancer structures (about 25 in PACA).
  structure('SCS-13-001', 'Espace de soins de support du Vieux-Port', '14 rue Sainte', '13001', '04 65 71 70 01', 2021, [...ALL_SUPPORT, 'socio-esthetics'], { uuids: { organization: '133ea2e8-06e1-4a53-8866-9efc593bd316', service: 'ef60d6f0-2753-4021-8572-35942691bf5f' } }),
  structure('SCS-06-001', 'Maison de l’après-cancer de la Côte d’Azur', '22 avenue des Mimosas', '06000', '04 65 71 70 02', 2021, [...ALL_SUPPORT, 'return-to-work'], { uuids: { organization: 'b61074e5-264d-4f2b-9639-2533934625dd', service: 'bc29eb37-133a-41d2-8b3a-aaf3cacb7d5f' } }),
  structure('SCS-84-001', 'Pôle de soins de support du Comtat', '5 place des Platanes', '84000', '04 65 71 70 03', 2021, ['needs-evaluation', 'physical-activity', 'psychology'], { uuids: { organization: 'e63e3451-d8b9-4a3d-81b3-4cbef3406c91', service: 'e40f2fa7-846b-43f4-8cdb-79de9fb9c208' } }),
  structure('SCS-83-001', 'Espace santé après-cancer du Var', '9 boulevard du Littoral', '83000', '04 65 71 70 04', 2021, ['needs-evaluation', 'nutrition', 'physical-activity', 'return-to-work'], { uuids: { organization: 'c00ea6bb-bbb1-4c29-86dc-da4f06a68909', service: '7be03f29-4bd5-4b2b-a320-4f5b73e4daff' } }),
  structure('SCS-13-002', 'Maison des soins de support de la Timone', '40 boulevard Baille', '13005', '04 65 71 70 05', 2021),
  structure('SCS-13-003', 'Plateforme après-cancer des Calanques', '112 avenue de Luminy', '13009', '04 65 71 70 06', 2022),
  structure('SCS-13-004', 'Espace ressources cancer du Pays d’Aix', '3 cours Mirabeau', '13100', '04 65 71 70 07', 2021, [...ALL_SUPPORT, 'return-to-work']),
  structure('SCS-13-005', 'Soins de support en Camargue', '18 rue de la Roquette', '13200', '04 65 71 70 08', 2022),
  structure('SCS-13-006', 'Maison santé après-cancer de l’étang de Berre', '7 quai Brescon', '13500', '04 65 71 70 09', 2022),
  structure('SCS-13-007', 'Espace après-cancer de Salon', '25 allées de Craponne', '13300', '04 65 71 70 10', 2023),
  structure('SCS-13-008', 'Pôle santé du Garlaban', '2 cours Foch', '13400', '04 65 71 70 11', 2023, ['needs-evaluation', 'physical-activity', 'psychology']),
  structure('SCS-13-009', 'Soins de support des quartiers Nord', '60 chemin de Château-Gombert', '13013', '04 65 71 70 12', 2022),
  structure('SCS-06-002', 'Espace soins de support de Cannes', '9 rue d’Antibes', '06400', '04 65 71 70 13', 2021),
  structure('SCS-06-003', 'Maison de santé après-cancer d’Antibes', '4 avenue Robert-Soleau', '06600', '04 65 71 70 14', 2022),
  structure('SCS-06-004', 'Pôle après-cancer du Pays grassois', '15 boulevard du Jeu-de-Ballon', '06130', '04 65 71 70 15', 2023),
  structure('SCS-06-005', 'Espace santé de la Riviera', '11 avenue de Verdun', '06500', '04 65 71 70 16', 2023, ['needs-evaluation', 'physical-activity', 'nutrition']),
  structure('SCS-83-002', 'Soins de support des Îles d’Or', '6 avenue Gambetta', '83400', '04 65 71 70 17', 2022),
  structure('SCS-83-003', 'Maison après-cancer de l’Estérel', '20 rue Jean-Jaurès', '83600', '04 65 71 70 18', 2022),
  structure('SCS-83-004', 'Espace santé de la Dracénie', '8 boulevard Clemenceau', '83300', '04 65 71 70 19', 2023),
  structure('SCS-83-005', 'Pôle soins de support de la Provence verte', '3 place Carami', '83170', '04 65 71 70 20', 2024),
  structure('SCS-84-002', 'Espace après-cancer du Ventoux', '12 place du Marché', '84200', '04 65 71 70 21', 2022),
  structure('SCS-84-003', 'Maison de santé après-cancer d’Orange', '5 cours Aristide-Briand', '84100', '04 65 71 70 22', 2023, ['needs-evaluation', 'physical-activity', 'psychology']),
  structure('SCS-04-001', 'Soins de support des Alpes de Haute-Provence', '16 boulevard Gassendi', '04000', '04 65 71 70 23', 2022),
  structure('SCS-04-002', 'Pôle après-cancer du Pays de Manosque', '1 place de l’Hôtel-de-Ville', '04100', '04 65 71 70 24', 2024, ['needs-evaluation', 'physical-activity', 'nutrition']),
  structure('SCS-05-001', 'Espace santé après-cancer des Hautes-Alpes', '10 rue Carnot', '05000', '04 65 71 70 25', 2021),
  structure('SCS-05-002', 'Soins de support du Briançonnais', '2 avenue de la République', '05100', '04 65 71 70 26', 2022, ['needs-evaluation', 'physical-activity']),
  // A label withdrawn by the ARS: still listed (history), never proposed for an orientation.
  structure('SCS-84-004', 'Association santé du Luberon', '4 rue des Marchands', '84400', '04 65 71 70 27', 2021, ['physical-activity', 'psychology'], { label: { year: 2021, withdrawn: '2025-06-30' } }),

  // Establishments authorised for cancer treatment (décret 2022-689), by treatment.
  { key: 'AUT-13-001', kind: 'authorised-treatment', finess: '130999105', name: 'Centre régional de lutte contre le cancer Provence', line: '232 boulevard de Sainte-Marguerite', postalCode: '13009', phone: '04 65 71 71 01', orgType: { code: 'CLCC', display: 'Centre de lutte contre le cancer' }, types: ['surgery-breast', 'surgery-gynaecological', 'surgery-digestive', 'radiotherapy', 'chemotherapy'] },
  { key: 'AUT-13-002', kind: 'authorised-treatment', finess: '130999113', name: 'Hôpital Nord-Littoral', line: '40 chemin des Bourrely', postalCode: '13013', phone: '04 65 71 71 02', orgType: { code: 'CH', display: 'Centre hospitalier' }, types: ['surgery-thoracic', 'surgery-digestive', 'chemotherapy'] },
  { key: 'AUT-13-003', kind: 'authorised-treatment', finess: '130999121', name: 'Centre hospitalier du Pays d’Aix', line: 'avenue des Tamaris', postalCode: '13100', phone: '04 65 71 71 03', orgType: { code: 'CH', display: 'Centre hospitalier' }, types: ['surgery-digestive', 'surgery-urological', 'surgery-breast', 'chemotherapy'] },
  { key: 'AUT-06-001', kind: 'authorised-treatment', finess: '060999109', name: 'Institut azuréen de cancérologie', line: '33 avenue de Valombrose', postalCode: '06100', phone: '04 65 71 71 04', orgType: { code: 'CLCC', display: 'Centre de lutte contre le cancer' }, types: ['surgery-breast', 'surgery-ent', 'radiotherapy', 'chemotherapy'] },
  { key: 'AUT-83-001', kind: 'authorised-treatment', finess: '830999108', name: 'Hôpital Sainte-Musse-Littoral', line: '54 rue Henri-Sainte-Claire-Deville', postalCode: '83000', phone: '04 65 71 71 05', orgType: { code: 'CH', display: 'Centre hospitalier' }, types: ['surgery-digestive', 'surgery-urological', 'surgery-gynaecological', 'radiotherapy', 'chemotherapy'] },
  { key: 'AUT-84-001', kind: 'authorised-treatment', finess: '840999106', name: 'Institut du cancer d’Avignon-Provence', line: '250 chemin de Baigne-Pieds', postalCode: '84000', phone: '04 65 71 71 06', orgType: { code: 'CLI', display: 'Clinique privée' }, types: ['radiotherapy', 'chemotherapy', 'surgery-breast'] },
  { key: 'AUT-05-001', kind: 'authorised-treatment', finess: '050999101', name: 'Centre hospitalier intercommunal des Alpes du Sud', line: '1 place Auguste-Muret', postalCode: '05000', phone: '04 65 71 71 07', orgType: { code: 'CH', display: 'Centre hospitalier' }, types: ['surgery-digestive', 'chemotherapy'] },

  // Specific consultations.
  { key: 'CSP-13-001', kind: 'specific-consultation', name: 'Plateforme régionale d’oncofertilité', line: '147 boulevard Baille', postalCode: '13005', phone: '04 65 71 72 01', types: ['oncofertility'] },
  { key: 'CSP-13-002', kind: 'specific-consultation', name: 'Unité de coordination en oncogériatrie Provence', line: '270 boulevard de Sainte-Marguerite', postalCode: '13009', phone: '04 65 71 72 02', types: ['oncogeriatrics'] },
  { key: 'CSP-06-001', kind: 'specific-consultation', name: 'Consultation d’oncogénétique de la Côte d’Azur', line: '33 avenue de Valombrose', postalCode: '06100', phone: '04 65 71 72 03', types: ['oncogenetics'] },
  { key: 'CSP-83-001', kind: 'specific-consultation', name: 'Unité d’oncogériatrie du Var', line: '54 rue Henri-Sainte-Claire-Deville', postalCode: '83000', phone: '04 65 71 72 04', types: ['oncogeriatrics'] },

  // Patient associations.
  { key: 'ASS-13-001', kind: 'patient-association', name: 'Entraide cancer Provence', line: '21 rue Paradis', postalCode: '13001', phone: '04 65 71 73 01', types: ['peer-support'] },
  { key: 'ASS-06-001', kind: 'patient-association', name: 'Les Ami·es du ruban azuréen', line: '5 rue Pastorelli', postalCode: '06000', phone: '04 65 71 73 02', types: ['peer-support'] },
  { key: 'ASS-84-001', kind: 'patient-association', name: 'Vivre après le cancer en Vaucluse', line: '8 rue Joseph-Vernet', postalCode: '84000', phone: '04 65 71 73 03', types: ['peer-support', 'physical-activity'] },
];
