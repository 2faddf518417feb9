/**
 * CDA operations, mounted under /fhir:
 *
 *   GET /Composition/{id}/$cda     signed RCP sheet → CDA R2 FRCP 2022.01 (application/xml)
 */
import express, { type Router } from 'express';
import { notFound } from '../fhir/errors.ts';
import type { Store } from '../store/store.ts';
import { exportRcpSheetCda } from './export.ts';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function cdaRouter(store: Store): Router {
  const router = express.Router();
  router.get('/Composition/:id/$cda', async (req, res) => {
    const id = String(req.params.id);
    if (!ID.test(id)) throw notFound(`Composition/${id} introuvable`);
    const cda = await exportRcpSheetCda(store.forRequest(req.dccContext!), req.dccContext!, id);
    res.status(200).set('Cache-Control', 'no-store').type('application/xml; charset=utf-8')
      .set('Content-Disposition', `inline; filename="${cda.profile.toLowerCase()}-${id}.xml"`).send(cda.xml);
  });
  return router;
}
