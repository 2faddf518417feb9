import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { expect } from 'chai';
import type { CapabilityStatement, OperationDefinition } from '@medplum/fhirtypes';
import { operationTable } from '../../server/operations.ts';
import { operationsRouter, type FhirOperation } from '../../server/fhir/operations.ts';
import { validateFhirResource } from '../../server/fhir-kit/validation.ts';
import { AccessStore } from '../../server/store/access-store.ts';
import { http, startTestServer, testConfig, testServices, type RunningServer } from '../helpers/harness.ts';

/** The path a row is called on: instance rows on a made-up id, `Resource` rows on Patient. */
const pathOf = (op: FhirOperation) => `/${op.resource === 'Resource' ? 'Patient' : op.resource}${op.level === 'instance' ? '/op-test-1' : ''}/$${op.code}`;

describe('FHIR operations: one table, routed and advertised', () => {
  let server: RunningServer;
  let table: FhirOperation[];

  before(async () => {
    server = await startTestServer();
    const services = await testServices();
    table = operationTable({ store: services.store, accessStore: new AccessStore(services.db), config: testConfig() });
  });
  after(async () => server.close());

  it('routes every row of the table to its own handler, whatever the route style of its capability', async () => {
    // The real table, each handler replaced by a recorder: this checks the routing, not the handlers.
    const reached: FhirOperation[] = [];
    const recorded = table.map((op) => ({ ...op, handler: async (_req: express.Request, res: express.Response) => { reached.push(op); res.status(204).end(); } }));
    const passThrough: express.RequestHandler = (_req, _res, next) => next();
    const app = express().use('/fhir', express.json({ type: ['application/json', 'application/fhir+json'] }), operationsRouter(recorded, { xml: passThrough }, 'https://example.org/fhir'));
    const listener: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    try {
      const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/fhir`;
      for (const op of table) {
        const body = op.input === 'json' ? '{}' : op.input === 'xml' ? '<ClinicalDocument/>' : undefined;
        const contentType = op.input === 'xml' ? 'application/xml' : 'application/fhir+json';
        const res = await fetch(`${base}${pathOf(op)}`, { method: op.method, ...(body ? { body, headers: { 'content-type': contentType } } : {}) });
        expect(res.status, `${op.method} ${pathOf(op)}`).to.equal(204);
        expect(reached.at(-1), `${op.method} ${pathOf(op)}`).to.equal(op);
      }
    } finally {
      listener.close();
    }
  });

  it('advertises every operation in the CapabilityStatement, each with an OperationDefinition served at its canonical id', async () => {
    const metadata = await http(server, 'GET', '/metadata');
    expect(metadata.status).to.equal(200);
    const capability = metadata.body as CapabilityStatement;
    const resources = capability.rest![0]!.resource!;
    for (const op of table) {
      const types = op.resource === 'Resource' ? resources.map((r) => r.type) : [op.resource];
      for (const type of types) {
        const advertised = resources.find((r) => r.type === type)?.operation?.find((o) => o.name === op.code);
        expect(advertised, `${type} $${op.code}`).to.not.equal(undefined);
        const id = advertised!.definition.split('/').pop()!;
        expect(advertised!.definition).to.match(/\/OperationDefinition\/[A-Za-z0-9\-.]+$/);
        const served = await http(server, 'GET', `/OperationDefinition/${id}`);
        expect(served.status, advertised!.definition).to.equal(200);
        const definition = served.body as OperationDefinition;
        expect(definition.url).to.equal(advertised!.definition);
        expect(definition.code).to.equal(op.code);
        expect(definition[op.level]).to.equal(true);
        const { structural, bindings } = validateFhirResource(definition);
        expect([...structural, ...bindings], id).to.deep.equal([]);
      }
    }
  });

  it('answers an unknown operation 404 with an OperationOutcome, never a REST interaction', async () => {
    for (const [method, path] of [['GET', '/Patient/op-test-1/$nope'], ['POST', '/Composition/$nope'], ['POST', '/Patient/op-test-1/$sign']]) {
      const res = await http(server, method!, path!, method === 'POST' ? {} : undefined);
      expect(res.status, path).to.equal(404);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      expect(res.body.issue[0].details.text).to.contain('inconnue');
    }
  });

  it('answers a known operation called with another method 405, saying which methods it takes', async () => {
    const res = await http(server, 'DELETE', '/Composition/op-test-1/$sign');
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.equal('POST');
    expect(res.body.resourceType).to.equal('OperationOutcome');
    const rcpSheet = await http(server, 'DELETE', '/Composition/op-test-1/$rcp-sheet');
    expect(rcpSheet.status).to.equal(405);
    expect(rcpSheet.headers.get('allow')!.split(', ').sort()).to.deep.equal(['GET', 'PATCH', 'PUT']);
  });

  it('reads every JSON body with one parser and one limit (DCC_MAX_BODY): a larger body is 413 OperationOutcome on REST, operations and JSON APIs', async () => {
    const small = await startTestServer({ config: { maxBodySize: '2kb' } });
    try {
      const big = { resourceType: 'Patient', name: [{ text: 'x'.repeat(4096) }] };
      for (const [path, url] of [['REST create', `${small.fhirUrl}/Patient`], ['operation', `${small.fhirUrl}/Patient/$validate`], ['JSON API', `${small.url}/api/rcp/boards`]]) {
        const res = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(big) });
        expect(res.status, path).to.equal(413);
        expect((await res.json()).resourceType, path).to.equal('OperationOutcome');
      }
      const fits = await fetch(`${small.fhirUrl}/Patient/$validate`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Patient' }) });
      expect(fits.status).to.equal(200);
    } finally {
      await small.close();
    }
  });

  it('refuses a body that is not JSON on a JSON operation (415) before reading it', async () => {
    const res = await http(server, 'POST', '/Patient/$validate', 'resourceType=Patient', { 'content-type': 'text/plain' });
    expect(res.status).to.equal(415);
    expect(res.body.resourceType).to.equal('OperationOutcome');
  });
});
