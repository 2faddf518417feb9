/**
 * A wrong diagnosis is not deleted: it is marked « saisie erronée » (Condition.verificationStatus
 * entered-in-error), with the reason, so the record's history keeps what was seen and corrected,
 * and every reader (registration picker, quality criteria, summary) leaves it out.
 * A diagnosis a signed RCP report rests on is corrected through the report's correction instead:
 * the report was sent, and its correction is what reaches its recipients. A diagnosis a case still
 * waiting for its RCP rests on is refused too, until the physician withdraws that request: the
 * case would otherwise stay on the agenda, discussed on a diagnosis the record no longer holds.
 */
import type { Annotation, Composition, Condition } from '@medplum/fhirtypes';
import { badRequest, conflict, forbidden, invalidResource, issue } from '../fhir-kit/errors.ts';
import { longDate, parisDay, weekdayDate } from '../fhir-kit/french-dates.ts';
import { CONDITION_VER_STATUS, isEnteredInError } from '../fhir-kit/condition-status.ts';
import { isSignedRcpSheet } from '../rcp-sheet/index.ts';
import { undiscussedCasesOnCondition } from '../rcp/index.ts';
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
 * service view, and only its id and date are named — and (409) while a case registered on it waits
 * for its RCP. Refused rather than withdrawn here: withdrawing a request is the requesting
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
    const waiting = patientId ? await undiscussedCasesOnCondition(tx.serviceView(), patientId, id) : [];
    if (waiting.length) {
      throw conflict(waiting.map(({ boardName, sessionStart }) => `Retirez d'abord la demande d'inscription à la RCP du ${sessionStart ? weekdayDate(sessionStart) : '(date de séance non renseignée)'}${boardName ? ` (${boardName})` : ''} : ce dossier repose sur ce diagnostic et n'a pas encore été discuté (« Retirer la demande » sur la page du dossier). Déclarez ensuite la saisie erronée, et inscrivez si besoin le dossier sur le bon diagnostic.`).join(' '));
    }
    return (await tx.update(enteredInErrorVersion(condition, reason, by, now), { ifMatch: condition.meta?.versionId })).resource;
  });
}
