/**
 * CDA operations, mounted under /fhir:
 *
 *   GET /Composition/{id}/$cda     signed RCP sheet → CDA R2 FRCP 2022.01 (application/xml)
 *   GET /CarePlan/{id}/$cda        handed-over PPS → CDA R2 PPS 2022.01 (application/xml)
 *   POST /Patient/{id}/$cda-import a FRCP CDA received from another DCC (application/xml) → 201 DocumentReference
 */
import express, { type Router } from 'express';
import { notFound } from '../fhir/errors.ts';
import type { Store } from '../store/store.ts';
import type { Patient } from '@medplum/fhirtypes';
import { badRequest } from '../fhir/errors.ts';
import { exportPpsCda, exportRcpSheetCda, type CdaExport } from './export.ts';
import { MAX_CDA_BYTES, readFrcpCda } from './import.ts';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function cdaRouter(store: Store): Router {
  const router = express.Router();
  const send = (res: express.Response, id: string, cda: CdaExport) =>
    res.status(200).set('Cache-Control', 'no-store').type('application/xml; charset=utf-8')
      .set('Content-Disposition', `inline; filename="${cda.profile.toLowerCase()}-${id}.xml"`).send(cda.xml);
  const idOf = (req: express.Request, type: string) => {
    const id = String(req.params.id);
    if (!ID.test(id)) throw notFound(`${type}/${id} introuvable`);
    return id;
  };
  router.get('/Composition/:id/$cda', async (req, res) => {
    const id = idOf(req, 'Composition');
    send(res, id, await exportRcpSheetCda(store.forRequest(req.dccContext!), req.dccContext!, id));
  });
  router.get('/CarePlan/:id/$cda', async (req, res) => {
    const id = idOf(req, 'CarePlan');
    send(res, id, await exportPpsCda(store.forRequest(req.dccContext!), req.dccContext!, id));
  });
  // A larger body is cut off by the parser (413) before it is read whole.
  const xmlBody = express.text({ type: ['application/xml', 'text/xml', 'application/hl7-cda+xml'], limit: MAX_CDA_BYTES });
  router.post('/Patient/:id/$cda-import', xmlBody, async (req, res) => {
    const id = idOf(req, 'Patient');
    if (typeof req.body !== 'string' || !req.body.trim()) throw badRequest('Corps attendu : le document CDA (Content-Type application/xml)');
    const repo = store.forRequest(req.dccContext!);
    const patient = await repo.read<Patient>('Patient', id);
    const { documentReference } = readFrcpCda(req.body, patient);
    const created = await repo.create(documentReference);
    res.status(201).location(`${req.dccContext!.baseUrl}/DocumentReference/${created.id}/_history/${created.meta?.versionId}`)
      .type('application/fhir+json; charset=utf-8').send(JSON.stringify(created));
  });
  return router;
}
