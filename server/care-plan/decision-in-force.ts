/**
 * A PPS implements the RCP decision in force for its tumour: the latest meeting's (rcp-sheet
 * `decisionStandings`). A decision a later RCP replaced stays in the record as signed, but a
 * programme built from it would hand the patient a treatment the team no longer proposes — the
 * page offered only the decision in force, the server built from any (the demo did so for Ménard).
 */
import type { CarePlan, Composition, Resource } from '@medplum/fhirtypes';
import { businessRule } from '../fhir-kit/errors.ts';
import { idOf } from '../fhir-kit/ids.ts';
import { longDate } from '../fhir-kit/french-dates.ts';
import { RCP_SHEET_LOINC } from '../fhir-kit/shared-codes.ts';
import type { FhirRepository } from '../store/repository.ts';
import { readOptional } from '../store/optional-reads.ts';
import { decisionStandings } from '../rcp-sheet/index.ts';
import { CATEGORY } from './codes.ts';
import { isRcpDecision } from './model.ts';

/**
 * Refuses (422, business rule) a decision that a later RCP on the same tumour replaced. Reads the
 * patient's RCP decisions and sheets as the caller: what they may not see cannot replace anything.
 * 422 and not 409: the request is valid and nothing changed under the caller's feet (409, a version
 * or duplicate conflict); it breaks a clinical rule, and repeating it will never succeed.
 */
export async function requireDecisionInForce(repo: FhirRepository, decision: CarePlan, field = 'CarePlan.basedOn'): Promise<void> {
  if (!isRcpDecision(decision) || !decision.subject?.reference) return;
  const patient = decision.subject.reference;
  const decisions = await repo.searchAll<CarePlan>('CarePlan', { subject: patient, category: CATEGORY.rcpDecision.code });
  const sheets = await repo.searchAll<Composition>('Composition', { subject: patient, type: `http://loinc.org|${RCP_SHEET_LOINC}` });
  const resources: Resource[] = [...decisions.filter((d) => d.id !== decision.id), decision, ...sheets];
  const standing = decisionStandings(resources).find((s) => s.decision === `CarePlan/${decision.id}`);
  if (standing?.standing !== 'replaced') return;
  const when = standing.replacedOn ? ` du ${longDate(standing.replacedOn)}` : ' suivante';
  throw businessRule(
    `La décision de RCP CarePlan/${decision.id} a été remplacée par la RCP${when} sur le même cancer (${standing.replacedBy}) : un PPS s'établit à partir de la décision en vigueur. Établissez-le à partir de ${standing.replacedBy}, ou modifiez le PPS existant`,
    [field],
  );
}

/** The RCP decision a PPS is based on, when it names one among its `basedOn`. */
export async function decisionOfPps(repo: FhirRepository, pps: CarePlan): Promise<CarePlan | undefined> {
  for (const ref of pps.basedOn ?? []) {
    const id = idOf(ref, 'CarePlan');
    if (!id) continue;
    const plan = await readOptional<CarePlan>(repo, 'CarePlan', id);
    if (plan && isRcpDecision(plan)) return plan;
  }
  return undefined;
}
