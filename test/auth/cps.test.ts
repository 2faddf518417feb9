import https from 'node:https';
import { expect } from 'chai';
import { createCertificateAuthority, issueProfessionalCertificate, issueServerCertificate, type CertificateAuthority, type IssuedCertificate } from '../../server/auth/pki.ts';
import { startTestServer, type RunningServer } from '../helpers/harness.ts';

const DAY = 86_400_000;

describe('CPS card sign-in over real mutual TLS', function () {
  this.timeout(60_000);
  let ca: CertificateAuthority;
  let rogueCa: CertificateAuthority;
  let server: RunningServer;
  let port: number;
  let physician: IssuedCertificate;

  before(async () => {
    ca = await createCertificateAuthority();
    rogueCa = await createCertificateAuthority('AC PIRATE');
    const serverCert = await issueServerCertificate(ca);
    physician = await issueProfessionalCertificate(ca, { idnps: '810002813839', family: 'Aubert', given: 'Claire', title: 'Médecin', finess: '130786049' });
    server = await startTestServer({ realSignIn: true, tls: { cert: serverCert.certPem, key: serverCert.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false } });
    port = Number(new URL(server.url).port);
  });
  after(() => server.close());

  function get(path: string, client?: IssuedCertificate): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1', port, path, method: 'GET', ca: ca.certPem, servername: 'localhost',
        ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
        headers: { accept: 'application/fhir+json' }, agent: false,
      }, (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: data ? JSON.parse(data) : undefined }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('a valid card from the trusted CA is authenticated for API calls, without a session', async () => {
    const res = await get('/fhir/Patient?_summary=count', physician);
    expect(res.status).to.equal(200);
    expect(res.body.resourceType).to.equal('Bundle');
  });

  it('the card\'s sign-in is in the trail once (login, success, cps), not once per request', async () => {
    // QA (security officer): SAML and Pro Santé Connect sign-ins were traced, a card's never (it opens no session).
    for (let i = 0; i < 3; i++) expect((await get('/fhir/Patient?_summary=count', physician)).status).to.equal(200);
    const events = await server.services.store.db('resource').where({ resource_type: 'AuditEvent' })
      .whereRaw("content->'subtype' @> ?::jsonb", [JSON.stringify([{ code: '110122' }])])
      .whereRaw('content::text like ?', ['%810002813839%']).select('content');
    expect(events).to.have.length(1);
    const [event] = events.map((e: any) => e.content);
    expect(event.outcome).to.equal('0');
    expect(event.agent[0].extension[0].valueCode).to.equal('cps');
    expect(event.agent[0].who.identifier.value).to.equal('810002813839');
    expect(event.agent[0].who.display).to.contain('Aubert');
  });

  it('no certificate: metadata answers, data gets 401', async () => {
    expect((await get('/fhir/metadata')).status).to.equal(200);
    const res = await get('/fhir/Patient');
    expect(res.status).to.equal(401);
    expect(res.body.resourceType).to.equal('OperationOutcome');
  });

  it('an expired card gets 401 saying it expired', async () => {
    const expired = await issueProfessionalCertificate(ca, { idnps: '810002909371', family: 'Morel', given: 'Luc', title: 'Médecin' }, { notBefore: new Date(Date.now() - 800 * DAY), notAfter: new Date(Date.now() - DAY) });
    const res = await get('/fhir/Patient', expired);
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].details.text).to.contain('expiré');
  });

  it('a certificate from an untrusted CA gets 401', async () => {
    const rogue = await issueProfessionalCertificate(rogueCa, { idnps: '810002813839', family: 'Aubert', given: 'Claire', title: 'Médecin' });
    const res = await get('/fhir/Patient', rogue);
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].details.text).to.contain('autorité de certification');
  });

  it('a trusted certificate whose CN is not a valid IDNPS gets 401', async () => {
    const bad = await issueProfessionalCertificate(ca, { idnps: '810002813838', family: 'Faux', given: 'Jean', title: 'Médecin' });
    const res = await get('/fhir/Patient', bad);
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].details.text).to.contain('IDNPS');
  });
});

describe('CPS behind a TLS-terminating reverse proxy (opt-in header)', () => {
  let ca: CertificateAuthority;
  let cert: IssuedCertificate;
  before(async () => {
    ca = await createCertificateAuthority();
    cert = await issueProfessionalCertificate(ca, { idnps: '810002813839', family: 'Aubert', given: 'Claire', title: 'Pharmacien' });
  });

  async function withProxyConfig(trustedProxies: string, run: (url: string) => Promise<void>) {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-ca-')), 'ca.crt');
    fs.writeFileSync(caFile, ca.certPem);
    const server = await startTestServer({ realSignIn: true, config: { cpsProxyHeader: 'x-client-cert', cpsTrustedProxies: trustedProxies.split(','), cpsCaFile: caFile } });
    try {
      await run(server.url);
    } finally {
      await server.close();
    }
  }

  it('accepts the forwarded certificate only from a configured proxy address', async () => {
    const header = { 'x-client-cert': encodeURIComponent(cert.certPem), accept: 'application/fhir+json' };
    await withProxyConfig('127.0.0.1', async (url) => {
      expect((await fetch(`${url}/fhir/Patient?_summary=count`, { headers: header })).status).to.equal(200);
    });
    await withProxyConfig('10.0.0.1', async (url) => {
      const res = await fetch(`${url}/fhir/Patient?_summary=count`, { headers: header });
      expect(res.status).to.equal(401);
      expect((await res.json()).issue[0].details.text).to.contain('mandataire');
    });
  });
});
