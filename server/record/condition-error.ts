/**
 * A wrong diagnosis is not deleted: it is marked « saisie erronée » (Condition.verificationStatus
 * entered-in-error), with the reason, so the record's history keeps what was seen and corrected,
 * and every reader (registration picker, quality criteria, summary) leaves it out.
 * A diagnosis a signed RCP report rests on is corrected through the report's correction instead:
 * the report was sent, and its correction is what reaches its recipients. So is a diagnosis of a
 * case discussed (or recorded) whose report is not signed yet: marked now, the report would be
 * signed on a diagnosis the record calls wrong; it is signed, then corrected. A diagnosis a case
 * still waiting for its RCP rests on is refused too, until the physician withdraws that request:
 * the case would otherwise stay on the agenda, discussed on a diagnosis the record no longer holds.
 */
import type { Annotation, Composition, Condition } from '@medplum/fhirtypes';
import { badRequest, conflict, forbidden, invalidResource, issue } from '../fhir-kit/errors.ts';
import { longDate, parisDay, weekdayDate } from '../fhir-kit/french-dates.ts';
import { CONDITION_VER_STATUS, isEnteredInError } from '../fhir-kit/condition-status.ts';
import { isSignedRcpSheet } from '../rcp-sheet/index.ts';
import { AWAITING_REPORT_STATES, unsignedCasesOnCondition, type UnsignedCase } from '../rcp/index.ts';
import { idOf } from '../fhir-kit/ids.ts';
import type { FhirRepository } from '../store/repository.ts';
import type { Principal } from '../context.ts';

/** The version of the Condition marked entered-in-error, with the reason as a dated, signed note. */
export function enteredInErrorVersion(condition: Condition, reason: string, by: Principal, now: Date): Condition {
  // FHIR con-5: an entered-in-error Condition carries no clinicalStatus.
  const { clinicalStatus: _dropped, ...rest } = condition;
  const note: Annotation = {
    ...(by.practitionerId ? { authorReference: { reference: `Practitioner/${by.practitionerId}`, display: by.displayName } } : { authorString: by.displayName }),
    time: now.toISOString(),
    text: `Saisie erronée : ${reason}`,
  };
  return {
    ...rest,
    verificationStatus: { coding: [{ system: CONDITION_VER_STATUS, code: 'entered-in-error', display: 'Saisie erronée' }], text: 'Saisie erronée' },
    note: [...(condition.note ?? []), note],
  };
}

/**
 * Marks Condition/{id} entered-in-error, in one transaction (the store traces the write). Refused
 * (409) when a signed RCP report lists it — whoever may see that report: it is found through the
 * service view, and only its id and date are named — (409) while a case on it was discussed and its
 * report is not signed, and (409) while a case registered on it waits for its RCP. Refused rather
 * than withdrawn here: withdrawing a request is the requesting
 * physician's act, with its own reason, which the 3C sees on its agenda.
 */
export async function markConditionEnteredInError(repo: FhirRepository, id: string, body: unknown, by: Principal, now = new Date()): Promise<Condition> {
  if (!by.roles.includes('physician') && !by.roles.includes('system')) {
    throw forbidden("Seul un médecin peut déclarer un diagnostic saisi par erreur");
  }
  const reason = typeof (body as { reason?: unknown } | undefined)?.reason === 'string' ? (body as { reason: string }).reason.trim() : '';
  if (body !== undefined && (typeof body !== 'object' || body === null)) throw badRequest('Le corps est un objet JSON : { "reason": "…" }', []);
  if (!reason) {
    throw invalidResource(422, [issue('error', 'required', "Indiquez le motif de la saisie erronée (erreur de patient, de code, de date…) : il reste dans l'historique du dossier", ['reason'])]);
  }
  return repo.transaction(async (tx) => {
    const condition = await tx.read<Condition>('Condition', id);
    if (isEnteredInError(condition)) return condition;
    const reports = await tx.serviceView().searchAll<Composition>('Composition', { entry: `Condition/${id}` });
    const signed = reports.find(isSignedRcpSheet);
    if (signed) {
      throw conflict(`Ce diagnostic figure dans le compte rendu de RCP signé Composition/${signed.id} (${signed.date ? longDate(parisDay(new Date(signed.date))) : 'date non renseignée'}) : il se corrige par la correction de la fiche RCP (nouvelle version signée avec son motif), qui informe ses destinataires, et non dans le dossier`);
    }
    const patientId = idOf(condition.subject, 'Patient');
    const cases = patientId ? await unsignedCasesOnCondition(tx.serviceView(), patientId, id) : [];
    if (cases.length) {
      // Everything to do in one answer: a report to sign and correct, requests to withdraw.
      const awaitingReport = cases.filter((c) => AWAITING_REPORT_STATES.includes(c.rcpCase.state));
      const waiting = cases.filter((c) => !awaitingReport.includes(c));
      throw conflict([
        ...awaitingReport.map((c) => `Ce diagnostic figure dans le dossier ${c.rcpCase.state === 'recorded' ? 'enregistré' : 'discuté'} à la RCP du ${meeting(c)}, dont le compte rendu n'est pas encore signé : ce compte rendu doit d'abord être signé, puis ce diagnostic se corrige par la correction de la fiche RCP (nouvelle version signée avec son motif), qui informe ses destinataires, et non dans le dossier.`),
        ...waiting.map((c) => `Retirez d'abord la demande d'inscription à la RCP du ${meeting(c)} : ce dossier repose sur ce diagnostic et n'a pas encore été discuté (« Retirer la demande » sur la page du dossier). Déclarez ensuite la saisie erronée, et inscrivez si besoin le dossier sur le bon diagnostic.`),
      ].join(' '));
    }
    return (await tx.update(enteredInErrorVersion(condition, reason, by, now), { ifMatch: condition.meta?.versionId })).resource;
  });
}

/** « mardi 10 mars 2026 (RCP digestive) »: the meeting a case waits for or was discussed at. */
function meeting({ boardName, sessionStart }: UnsignedCase): string {
  return `${sessionStart ? weekdayDate(sessionStart) : '(date de séance non renseignée)'}${boardName ? ` (${boardName})` : ''}`;
}
