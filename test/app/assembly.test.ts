import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { buildApp } from '../../server/build-app.ts';
import { testConfig, testServices } from '../helpers/harness.ts';

/**
 * The app exactly as start.ts (`npm start`) assembles it: its real sign-in (no test identify),
 * every API and the FHIR operations. A route left out of the assembly answers 404 here, a route
 * mounted behind the identity gate answers 401.
 */
describe('App assembly, as main.ts runs it', () => {
  let server: Server;
  let url: string;

  before(async () => {
    const services = await testServices();
    const app = buildApp(testConfig({ demoSignIn: true }), services, {});
    server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('answers /health and /fhir/metadata without sign-in, and lists the operations there', async () => {
    expect((await fetch(`${url}/health`)).status).to.equal(200);
    const metadata = await fetch(`${url}/fhir/metadata`);
    expect(metadata.status).to.equal(200);
    const patient = (await metadata.json()).rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.operation.map((o: { name: string }) => o.name)).to.include.members(['summary', 'everything', 'break-glass', 'validate']);
  });

  it('mounts every JSON API behind the identity gate (401, not 404)', async () => {
    for (const path of ['/api/rcp/boards', '/api/deliveries', '/api/city/patients', '/api/directories/trials', '/api/pathway/report', '/access/break-glass', '/fhir/Patient', '/fhir/Composition/x/$document']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).to.equal(401);
      expect((await res.json()).resourceType, path).to.equal('OperationOutcome');
    }
  });

  it('mounts the public directories and the sign-in routes without the gate', async () => {
    expect((await fetch(`${url}/public/directories/offer`)).status).to.not.equal(404);
    const methods = await fetch(`${url}/auth/methods`);
    expect(methods.status, '/auth/methods').to.not.equal(404);
    const demo = await fetch(`${url}/auth/demo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(demo.status, 'demo sign-in mounted in demo mode').to.not.equal(404);
  });

  it('answers an unknown path 404 with an OperationOutcome', async () => {
    const res = await fetch(`${url}/api/nothing-here`);
    expect(res.status).to.equal(404);
    expect((await res.json()).resourceType).to.equal('OperationOutcome');
  });
});
