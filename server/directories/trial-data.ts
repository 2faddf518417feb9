/**
 * Demo directory of open clinical trials of PACA: a dozen fictitious trials (registry numbers in a
 * block ClinicalTrials.gov has not reached, NCT0990xxxx; EU CT numbers of a fictitious series),
 * run at the demo authorised establishments (their Location), with plausible French sponsors.
 */
export interface TrialSpec {
  registry: string;
  title: string;
  phase: string;
  /** CIM-10 codes of the cancer sites targeted. */
  sites: string[];
  stages: string[];
  inclusion: string;
  sponsor: string;
  contact: { name: string; phone: string; email: string };
  /** Keys of the establishments (offer-data) where the trial recruits. */
  at: string[];
  status?: 'active' | 'closed-to-accrual';
  start: string;
}

const contact = (name: string, n: string) => ({ name, phone: `04 65 71 74 ${n}`, email: `essais.${n}@dcc-demo.mssante.fr` });

export const DEMO_TRIALS: readonly TrialSpec[] = [
  { registry: 'NCT09900101', title: 'DESESCAL-RT : désescalade de la radiothérapie après chirurgie conservatrice du sein chez la femme de plus de 65 ans', phase: 'phase-3', sites: ['C50'], stages: ['pT1 N0 M0'], inclusion: 'Femme ≥ 65 ans ; carcinome infiltrant RH+ HER2− ≤ 2 cm, pN0 ; chirurgie conservatrice en marges saines.', sponsor: 'Unicancer (promoteur fictif de démonstration)', contact: contact('Attachée de recherche clinique — sein', '01'), at: ['AUT-13-001', 'AUT-06-001', 'AUT-84-001'], start: '2025-03-01' },
  { registry: 'NCT09900102', title: 'COLO-ADJ-ORAL : capécitabine adjuvante 3 ou 6 mois dans le cancer du côlon de stade III à faible risque', phase: 'phase-3', sites: ['C18', 'C19'], stages: ['III (pT1-3 N1)'], inclusion: 'Adénocarcinome du côlon opéré R0, pT1-3 N1 M0 ; OMS 0-1 ; début du traitement moins de 8 semaines après la chirurgie.', sponsor: 'Fédération francophone de cancérologie digestive (promoteur fictif)', contact: contact('Unité de recherche clinique digestive', '02'), at: ['AUT-13-001', 'AUT-13-003', 'AUT-83-001', 'AUT-05-001'], start: '2025-01-15' },
  { registry: 'NCT09900103', title: 'RECTUM-WW : stratégie de surveillance active après réponse clinique complète du cancer du rectum', phase: 'phase-2', sites: ['C20'], stages: ['II', 'III'], inclusion: 'Adénocarcinome du rectum bas ou moyen ; réponse clinique complète après radiochimiothérapie ; accord pour une surveillance rapprochée.', sponsor: 'CHU fictif de Provence', contact: contact('Coordination essais rectum', '03'), at: ['AUT-13-001', 'AUT-06-001'], start: '2024-09-01' },
  { registry: 'NCT09900104', title: 'LUNG-IMMUNO-NEO : immunothérapie néoadjuvante dans le cancer bronchique non à petites cellules opérable', phase: 'phase-3', sites: ['C34'], stages: ['II', 'IIIA'], inclusion: 'CBNPC résécable stade II-IIIA ; absence de mutation EGFR / réarrangement ALK ; OMS 0-1.', sponsor: 'Intergroupe francophone de cancérologie thoracique (promoteur fictif)', contact: contact('Recherche clinique thoracique', '04'), at: ['AUT-13-002', 'AUT-06-001', 'AUT-83-001'], start: '2025-05-01' },
  { registry: 'NCT09900105', title: 'PROSTA-HYPO : radiothérapie hypofractionnée en 5 séances du cancer de la prostate de risque intermédiaire', phase: 'phase-3', sites: ['C61'], stages: ['T1c-T2c N0 M0'], inclusion: 'Adénocarcinome prostatique de risque intermédiaire (NCCN) ; PSA < 20 ng/mL ; pas de radiothérapie pelvienne antérieure.', sponsor: 'Groupe d’étude des tumeurs uro-génitales (promoteur fictif)', contact: contact('Unité de radiothérapie — recherche', '05'), at: ['AUT-13-001', 'AUT-84-001', 'AUT-83-001'], start: '2024-11-01' },
  { registry: 'NCT09900106', title: 'OVAIRE-MAINT : traitement d’entretien par inhibiteur de PARP après chimiothérapie de première ligne du cancer de l’ovaire', phase: 'phase-3', sites: ['C56'], stages: ['III', 'IV'], inclusion: 'Carcinome séreux de haut grade de l’ovaire ; réponse à la chimiothérapie à base de platine ; statut BRCA connu.', sponsor: 'ARCAGY-GINECO (promoteur fictif)', contact: contact('Recherche clinique gynécologique', '06'), at: ['AUT-13-001', 'AUT-83-001'], start: '2025-02-01' },
  { registry: 'NCT09900107', title: 'ORL-DESINT : désintensification de la radiochimiothérapie des cancers de l’oropharynx HPV positifs', phase: 'phase-2', sites: ['C10', 'C09'], stages: ['T1-T2 N0-N1'], inclusion: 'Carcinome épidermoïde de l’oropharynx p16+ ; tabagisme < 10 paquets-années ; OMS 0-1.', sponsor: 'Groupe d’oncologie radiothérapie tête et cou (promoteur fictif)', contact: contact('Recherche clinique ORL', '07'), at: ['AUT-06-001'], start: '2025-06-01' },
  { registry: 'NCT09900108', title: 'PANC-PERIOP : chimiothérapie périopératoire de l’adénocarcinome du pancréas résécable', phase: 'phase-2-phase-3', sites: ['C25'], stages: ['I', 'II'], inclusion: 'Adénocarcinome du pancréas résécable d’emblée ; OMS 0-1 ; bilirubine < 1,5 N après drainage biliaire si besoin.', sponsor: 'PRODIGE (promoteur fictif)', contact: contact('Unité de recherche clinique digestive', '08'), at: ['AUT-13-001', 'AUT-13-002'], start: '2024-06-01' },
  { registry: '2025-590001-12-00', title: 'APA-ONCO : activité physique adaptée supervisée pendant la chimiothérapie adjuvante du cancer du sein et du côlon', phase: 'n-a', sites: ['C50', 'C18'], stages: ['I', 'II', 'III'], inclusion: 'Chimiothérapie adjuvante programmée ; pas de contre-indication cardiologique à l’effort ; résidence à moins de 40 km d’un centre participant.', sponsor: 'Réseau régional de cancérologie PACA (promoteur fictif)', contact: contact('Coordination APA-ONCO', '09'), at: ['AUT-13-003', 'AUT-84-001', 'AUT-05-001'], start: '2025-09-01' },
  { registry: '2025-590002-33-00', title: 'GERIA-ADJ : adaptation de la chimiothérapie guidée par l’évaluation gériatrique chez les patients de plus de 75 ans', phase: 'phase-3', sites: ['C18', 'C34', 'C50'], stages: ['II', 'III', 'IV'], inclusion: 'Âge ≥ 75 ans ; indication de chimiothérapie retenue en RCP ; score G8 ≤ 14.', sponsor: 'Groupe de coordination en oncogériatrie (promoteur fictif)', contact: contact('Unité de coordination en oncogériatrie', '10'), at: ['AUT-13-001', 'AUT-83-001', 'AUT-06-001'], start: '2025-04-01' },
  { registry: 'NCT09900111', title: 'MELANO-ADJ : immunothérapie adjuvante du mélanome de stade II à haut risque', phase: 'phase-3', sites: ['C43'], stages: ['IIB', 'IIC'], inclusion: 'Mélanome cutané réséqué stade IIB-IIC ; ganglion sentinelle négatif ; OMS 0-1.', sponsor: 'Groupe de cancérologie cutanée (promoteur fictif)', contact: contact('Recherche clinique dermatologie', '11'), at: ['AUT-06-001', 'AUT-13-002'], start: '2024-10-01' },
  { registry: 'NCT09900112', title: 'VESSIE-PRESERV : préservation vésicale par radiochimiothérapie du cancer de la vessie infiltrant', phase: 'phase-2', sites: ['C67'], stages: ['T2-T3 N0 M0'], inclusion: 'Carcinome urothélial infiltrant le muscle ; résection endoscopique complète ; refus ou contre-indication de la cystectomie.', sponsor: 'Association française d’urologie (promoteur fictif)', contact: contact('Recherche clinique urologie', '12'), at: ['AUT-13-003', 'AUT-83-001'], status: 'closed-to-accrual', start: '2023-05-01' },
];
