/**
 * CDA operations, mounted under /fhir:
 *
 *   GET /Composition/{id}/$cda     signed RCP sheet → CDA R2 FRCP 2022.01 (application/xml)
 *   GET /CarePlan/{id}/$cda        handed-over PPS → CDA R2 PPS 2022.01 (application/xml)
 */
import express, { type Router } from 'express';
import { notFound } from '../fhir/errors.ts';
import type { Store } from '../store/store.ts';
import { exportPpsCda, exportRcpSheetCda, type CdaExport } from './export.ts';

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
  return router;
}
