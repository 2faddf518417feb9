/**
 * CDA operations (routed from the table in server/operations.ts):
 *
 *   GET /Composition/{id}/$cda     signed RCP sheet → CDA R2 FRCP 2022.01 (application/xml)
 *   GET /CarePlan/{id}/$cda        handed-over PPS → CDA R2 PPS 2022.01 (application/xml)
 *   POST /Patient/{id}/$cda-import a FRCP CDA received from another DCC (application/xml) → 201 DocumentReference
 */
import express, { type RequestHandler } from 'express';
import type { OperationHandler, OperationTarget } from '../fhir/index.ts';
import type { Store } from '../store/store.ts';
import type { DocumentReference, Patient } from '@medplum/fhirtypes';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import { badRequest } from '../fhir-kit/errors.ts';
import { exportPpsCda, exportRcpSheetCda, type CdaExport } from './export.ts';
import { CDA_SET_SYSTEM, MAX_CDA_BYTES, readFrcpCda, setVersionOf } from './import.ts';

/** The CDA body parser: a larger body is cut off (413) before it is read whole. */
export const cdaBodyParser: RequestHandler = express.text({ type: ['application/xml', 'text/xml', 'application/hl7-cda+xml'], limit: MAX_CDA_BYTES });

export function cdaOperations(store: Store): Record<'compositionCda' | 'carePlanCda' | 'importCda', OperationHandler> {
  const send = (res: express.Response, id: string, cda: CdaExport) =>
    res.status(200).set('Cache-Control', 'no-store').type('application/xml; charset=utf-8')
      .set('Content-Disposition', `inline; filename="${cda.profile.toLowerCase()}-${id}.xml"`).send(cda.xml);
  const idOf = (target: OperationTarget) => String(target.id);
  const compositionCda: OperationHandler = async (req, res, target) => {
    const id = idOf(target);
    send(res, id, await exportRcpSheetCda(store.forRequest(req.dccContext!), req.dccContext!, id));
  };
  const carePlanCda: OperationHandler = async (req, res, target) => {
    const id = idOf(target);
    send(res, id, await exportPpsCda(store.forRequest(req.dccContext!), req.dccContext!, id));
  };
  const importCda: OperationHandler = async (req, res, target) => {
    const id = idOf(target);
    if (typeof req.body !== 'string' || !req.body.trim()) throw badRequest('Corps attendu : le document CDA (Content-Type application/xml)');
    const repo = store.forRequest(req.dccContext!);
    const patient = await repo.read<Patient>('Patient', id);
    const imported = readFrcpCda(req.body, patient);
    // Idempotent: the same CDA (document id) received twice is the same document (200); a new version of
    // the same set replaces the earlier ones (relatesTo replaces, earlier ones superseded), in one transaction.
    const { doc, created } = await repo.transaction(async (tx) => {
      const search = async (params: Record<string, string>) => {
        const { request } = parseSearchRequest('DocumentReference', new URLSearchParams({ patient: `Patient/${id}`, ...params }), { defaultCount: 100, maxCount: 100 }, true);
        request.total = 'none';
        return (await tx.search<DocumentReference>(request)).resources;
      };
      const same = (await search({ identifier: `urn:ietf:rfc:3986|${imported.documentId}` }))[0];
      if (same) return { doc: same, created: false };
      const replaced = imported.set
        ? (await search({ identifier: `${CDA_SET_SYSTEM}|${imported.set.value}`, status: 'current' })).filter((d) => (setVersionOf(d) ?? 0) < imported.set!.version)
        : [];
      const body: DocumentReference = replaced.length
        ? { ...imported.documentReference, relatesTo: replaced.map((d) => ({ code: 'replaces', target: { reference: `DocumentReference/${d.id}` } })) }
        : imported.documentReference;
      const doc = await tx.create(body);
      for (const old of replaced) await tx.update({ ...old, status: 'superseded' }, old.meta?.versionId ? { ifMatch: old.meta.versionId } : {});
      return { doc, created: true };
    });
    res.status(created ? 201 : 200).location(`${req.dccContext!.baseUrl}/DocumentReference/${doc.id}/_history/${doc.meta?.versionId}`)
      .type('application/fhir+json; charset=utf-8').send(JSON.stringify(doc));
  };
  return { compositionCda, carePlanCda, importCda };
}
