import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createCertificateAuthority, issueProfessionalCertificate, issueServerCertificate, type CertificateAuthority, type IssuedCertificate } from '../../server/auth/pki.ts';
import { startDemoMailbox } from '../../server/delivery/demo-mailbox.ts';
import { classifyMailError, composeSharedDocumentMail, initials, MailSender, type OutgoingMail, type SharedDocumentMail } from '../../server/delivery/mail.ts';
import { mailConfigFromEnv, type MailConfig } from '../../server/config.ts';
import { SmtpCatcher } from '../helpers/smtp-catcher.ts';

const FROM = 'DCC Auvergne-Rhône-Alpes <dcc@chu-demo.mssante.fr>';
const GP = 'julien.chabert@medecin.mssante.fr';
// A small but real-looking PDF: the test checks the bytes arrive unchanged.
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256)), Buffer.from('\n%%EOF\n')]);

let sequence = 0;
function deliveryId(): string {
  sequence += 1;
  return `${Date.now().toString(36)}-${process.pid}-${sequence}`;
}

function reportMail(overrides: Partial<SharedDocumentMail> = {}): SharedDocumentMail {
  return {
    deliveryId: deliveryId(),
    event: 'rcp-report',
    to: { address: GP, display: 'Dr Julien Chabert' },
    patient: { display: 'Mme Jeanne DUPONT-MARTIN', birthDate: '1957-04-12', ins: '257041234567890' },
    document: { title: 'Fiche RCP – sein', date: '2025-03-14', author: 'Dr Claire Aubert', summary: 'Proposition : chirurgie conservatrice puis radiothérapie.' },
    link: 'https://dcc.example.fr/patients/p-42/synthese',
    pdf: { filename: 'fiche-rcp.pdf', content: PDF },
    sender: { organisation: '3C CHU de démonstration', phone: '04 65 71 10 50' },
    ...overrides,
  };
}

function compose(overrides: Partial<SharedDocumentMail> = {}): OutgoingMail {
  return composeSharedDocumentMail(reportMail(overrides), { from: FROM, messageIdDomain: 'chu-demo.mssante.fr' });
}

function configFor(catcher: SmtpCatcher, overrides: Partial<MailConfig> = {}): MailConfig {
  return {
    host: '127.0.0.1', port: catcher.port, secure: false, requireTls: true, rejectUnauthorized: true,
    from: FROM, messageIdDomain: 'chu-demo.mssante.fr', publicBaseUrl: 'https://dcc.example.fr',
    connectionTimeoutMs: 5_000, ...overrides,
  };
}

/** Sends and returns the error (or fails the test when the send succeeds). */
async function sendError(sender: MailSender, mail: OutgoingMail): Promise<unknown> {
  try {
    await sender.send(mail);
  } catch (err) {
    return err;
  } finally {
    sender.close();
  }
  throw new Error('the send should have failed');
}

describe('secure mail to city professionals', function () {
  this.timeout(60_000);
  let ca: CertificateAuthority;
  let rogueCa: CertificateAuthority;
  let serverCert: IssuedCertificate;
  let rogueServerCert: IssuedCertificate;
  const catchers: SmtpCatcher[] = [];

  async function catcher(options: Parameters<typeof SmtpCatcher.start>[0] = {}): Promise<SmtpCatcher> {
    const c = await SmtpCatcher.start({ tls: serverCert, ...options });
    catchers.push(c);
    return c;
  }

  before(async () => {
    ca = await createCertificateAuthority('AC RELAIS MSSANTE (TEST)');
    rogueCa = await createCertificateAuthority('AC INCONNUE');
    serverCert = await issueServerCertificate(ca);
    rogueServerCert = await issueServerCertificate(rogueCa);
  });
  after(async () => {
    for (const c of catchers) await c.stop();
  });

  describe('composing the message', () => {
    it('writes French text, keeps the full name out of the subject and puts the identity in the body', () => {
      const mail = compose();
      expect(mail.subject).to.equal('[DCC] Compte rendu de RCP – patient J. D.-M. (1957)');
      expect(mail.subject).not.to.match(/jeanne|dupont|martin/i);
      expect(mail.to).to.equal(GP);
      expect(mail.from).to.equal(FROM);
      for (const expected of ['Bonjour Dr Julien Chabert,', 'réunion de concertation pluridisciplinaire', 'Patient(e) : Mme Jeanne DUPONT-MARTIN',
        'Né(e) le : 12/04/1957', 'INS (identité qualifiée) : 257041234567890', 'Date : 14/03/2025', 'Auteur : Dr Claire Aubert',
        'chirurgie conservatrice', 'Le document est joint au format PDF.', 'https://dcc.example.fr/patients/p-42/synthese',
        'Qui appeler : 3C CHU de démonstration, tél. 04 65 71 10 50', 'secret professionnel']) {
        expect(mail.text).to.contain(expected);
      }
      expect(mail.html).to.contain('<a href="https://dcc.example.fr/patients/p-42/synthese">');
      expect(mail.attachments).to.deep.equal([{ filename: 'fiche-rcp.pdf', content: PDF, contentType: 'application/pdf' }]);
      expect(mail.headers['Auto-Submitted']).to.equal('auto-generated');
    });

    it('names the document\'s author and its signer apart, as the RCP report does (QA: the signer was called « Auteur »)', () => {
      const mail = compose({ document: { title: 'Fiche RCP – sein', date: '2025-03-14', author: 'Dr Sophie Lambert', signedBy: 'Dr Marc Aubert' } });
      expect(mail.text).to.contain('Auteur : Dr Sophie Lambert\r\nSigné par : Dr Marc Aubert');
      expect(mail.html).to.contain('<th style="text-align:left;padding-right:1em">Signé par</th><td>Dr Marc Aubert</td>');
    });

    it('gives a stable Message-ID per outbox entry, so a retry is recognisable as the same message', () => {
      const input = reportMail();
      const first = composeSharedDocumentMail(input, { from: FROM, messageIdDomain: 'chu-demo.mssante.fr' });
      const again = composeSharedDocumentMail(input, { from: FROM, messageIdDomain: 'chu-demo.mssante.fr' });
      expect(first.messageId).to.equal(`<dcc-delivery-${input.deliveryId}@chu-demo.mssante.fr>`);
      expect(again.messageId).to.equal(first.messageId);
      expect(compose().messageId).not.to.equal(first.messageId);
    });

    it('says when a document is a correction, and why', () => {
      const mail = compose({ document: { title: 'Fiche RCP – sein', date: '2025-03-14', correctionReason: 'Erreur de latéralité corrigée (sein gauche)' } });
      expect(mail.subject).to.equal('[DCC] Compte rendu de RCP corrigé – patient J. D.-M. (1957)');
      expect(mail.text).to.contain('Motif de la correction : Erreur de latéralité corrigée (sein gauche)');
      expect(mail.text).to.contain('remplace la version');
    });

    it('has its own French wording per event, and leaves the INS out when the identity is not qualified', () => {
      const subjects = (['pps-shared', 'ppac-changed', 'oral-treatment-changed'] as const).map((event) => compose({ event }).subject);
      expect(subjects).to.deep.equal([
        '[DCC] Programme personnalisé de soins (PPS) – patient J. D.-M. (1957)',
        '[DCC] Programme de l\'après-cancer (PPAC) – patient J. D.-M. (1957)',
        '[DCC] Traitement anticancéreux oral – patient J. D.-M. (1957)',
      ]);
      expect(compose({ event: 'pps-shared' }).text).to.contain('a accepté qu\'il vous soit transmis');
      expect(compose({ event: 'ppac-changed' }).text).to.contain('surveillance alternée');
      const provisional = compose({ patient: { display: 'M. Paul Durand', birthDate: '1948-01-02' }, pdf: undefined });
      expect(provisional.text).not.to.contain('INS');
      expect(provisional.attachments).to.deep.equal([]);
      expect(provisional.subject).to.match(/patient P\. D\. \(1948\)$/);
    });

    it('escapes the HTML and refuses an address list, a bad link or an unsafe id', () => {
      expect(compose({ patient: { display: 'M. <script>alert(1)</script> X' } }).html).not.to.contain('<script>');
      expect(() => compose({ to: { address: `${GP}, espion@example.com` } })).to.throw(/Adresse/);
      expect(() => compose({ to: { address: 'Dr X <x@medecin.mssante.fr>' } })).to.throw(/Adresse/);
      expect(() => compose({ link: 'javascript:alert(1)' })).to.throw(/Lien/);
      expect(() => compose({ deliveryId: 'a>b@evil' })).to.throw(/Identifiant/);
      expect(initials('DUPONT Jean-Pierre')).to.equal('D. J.-P.');
    });
  });

  describe('sending over TLS', () => {
    it('sends over STARTTLS to a relay certified by the configured CA, with the PDF and the stable Message-ID', async () => {
      const relay = await catcher();
      const sender = new MailSender(configFor(relay, { ca: ca.certPem }));
      const mail = compose();
      const result = await sender.send(mail);
      sender.close();
      expect(result.messageId).to.equal(mail.messageId);
      expect(result.accepted).to.deep.equal([GP]);
      expect(result.rejected).to.deep.equal([]);
      expect(result.response).to.match(/^250/);
      const [received] = relay.byMessageId(mail.messageId);
      expect(received.secure).to.equal(true);
      expect(received.envelope).to.deep.equal({ from: 'dcc@chu-demo.mssante.fr', to: [GP] });
      expect(received.subject).to.equal(mail.subject);
      expect(received.headers.get('x-dcc-delivery-id')).to.equal(mail.headers['X-DCC-Delivery-Id']);
      expect(received.text).to.contain('Mme Jeanne DUPONT-MARTIN');
      expect(received.attachments).to.have.length(1);
      expect(received.attachments[0].filename).to.equal('fiche-rcp.pdf');
      expect(received.attachments[0].contentType).to.equal('application/pdf');
      expect(received.attachments[0].content.equals(PDF)).to.equal(true);
    });

    it('refuses a relay whose certificate is not trusted, without sending anything', async () => {
      const relay = await catcher({ tls: rogueServerCert });
      const mail = compose();
      const err = await sendError(new MailSender(configFor(relay, { ca: ca.certPem })), mail);
      const verdict = classifyMailError(err);
      expect(verdict.permanent).to.equal(false);
      expect(verdict.message).to.match(/TLS.*certificat du relais non reconnu/);
      expect(relay.byMessageId(mail.messageId)).to.deep.equal([]);
    });

    it('accepts that relay only when verification is explicitly off (demo setting)', async () => {
      const relay = await catcher({ tls: rogueServerCert });
      const sender = new MailSender(configFor(relay, { rejectUnauthorized: false }));
      const mail = compose();
      await sender.send(mail);
      sender.close();
      expect(relay.byMessageId(mail.messageId)[0].secure).to.equal(true);
    });

    it('with requireTls, refuses a relay that does not offer STARTTLS rather than send in clear', async () => {
      const relay = await catcher({ noStartTls: true });
      const mail = compose();
      const err = await sendError(new MailSender(configFor(relay, { ca: ca.certPem })), mail);
      expect(classifyMailError(err)).to.deep.include({ permanent: false });
      expect(classifyMailError(err).message).to.match(/TLS/);
      expect(relay.byMessageId(mail.messageId)).to.deep.equal([]);

      // The same relay without requireTls (the demo) takes the message, in clear.
      const demo = new MailSender(configFor(relay, { requireTls: false }));
      const plain = compose();
      await demo.send(plain);
      demo.close();
      expect(relay.byMessageId(plain.messageId)[0].secure).to.equal(false);
    });

    it('sends with implicit TLS (port-465 style)', async () => {
      const relay = await catcher({ implicitTls: true });
      const sender = new MailSender(configFor(relay, { secure: true, ca: ca.certPem }));
      const mail = compose();
      await sender.send(mail);
      sender.close();
      expect(relay.byMessageId(mail.messageId)[0].secure).to.equal(true);
    });

    it('authenticates with the application certificate when the relay asks for one (MSSanté application mailbox)', async () => {
      const client = await issueProfessionalCertificate(ca, { idnps: '810002813839', family: 'DCC', given: 'Application', title: 'Médecin' });
      const relay = await catcher({ clientCa: ca.certPem });
      const withCert = new MailSender(configFor(relay, { ca: ca.certPem, clientCert: client }));
      const mail = compose();
      await withCert.send(mail);
      withCert.close();
      expect(relay.byMessageId(mail.messageId)[0].clientCertificateCn).to.contain('810002813839');

      const refused = compose();
      const err = await sendError(new MailSender(configFor(relay, { ca: ca.certPem })), refused);
      expect(classifyMailError(err).permanent).to.equal(false);
      expect(relay.byMessageId(refused.messageId)).to.deep.equal([]);
    });
  });

  describe('relay answers and failures', () => {
    it('550 unknown mailbox is permanent', async () => {
      const relay = await catcher();
      relay.refuseRecipient(GP, 550);
      const mail = compose();
      const err = await sendError(new MailSender(configFor(relay, { ca: ca.certPem })), mail);
      const verdict = classifyMailError(err);
      expect(verdict.permanent).to.equal(true);
      expect(verdict.message).to.contain(GP).and.to.contain('550').and.to.contain('refusé');
      expect(relay.messages).to.deep.equal([]);
    });

    it('451 on the recipient is temporary', async () => {
      const relay = await catcher();
      relay.refuseRecipient(GP, 451);
      const err = await sendError(new MailSender(configFor(relay, { ca: ca.certPem })), compose());
      const verdict = classifyMailError(err);
      expect(verdict.permanent).to.equal(false);
      expect(verdict.message).to.contain('451').and.to.contain('momentanément');
    });

    it('421 on every session is temporary', async () => {
      const relay = await catcher();
      relay.refuseAll(421);
      const err = await sendError(new MailSender(configFor(relay, { ca: ca.certPem })), compose());
      expect(relay.refusedSessions).to.equal(1);
      expect(classifyMailError(err)).to.deep.equal({ permanent: false, message: 'Relais SMTP indisponible (421) (réponse du relais : 421 Service momentanément indisponible)' });
    });

    it('a relay that is down is temporary; once it is back on the same port the same message goes, once', async () => {
      const relay = await catcher();
      const port = relay.port;
      const mail = compose();
      await relay.stop();
      const err = await sendError(new MailSender(configFor(relay, { ca: ca.certPem })), mail);
      expect(classifyMailError(err)).to.deep.equal({ permanent: false, message: 'Relais SMTP injoignable : connexion refusée' });

      await relay.start();
      expect(relay.port).to.equal(port);
      const sender = new MailSender(configFor(relay, { ca: ca.certPem }));
      await sender.send(mail);
      sender.close();
      expect(relay.byMessageId(mail.messageId)).to.have.length(1);
    });

    it('a connection dropped in the middle of DATA is temporary and leaves no message; the retry delivers one', async () => {
      const relay = await catcher();
      relay.dropDuringData();
      const mail = compose();
      const err = await sendError(new MailSender(configFor(relay, { ca: ca.certPem })), mail);
      const verdict = classifyMailError(err);
      expect(verdict.permanent).to.equal(false);
      expect(verdict.message).to.match(/interrompue/);
      expect(relay.droppedTransfers).to.equal(1);
      expect(relay.byMessageId(mail.messageId)).to.deep.equal([]);

      const sender = new MailSender(configFor(relay, { ca: ca.certPem }));
      await sender.send(mail);
      sender.close();
      const received = relay.byMessageId(mail.messageId);
      expect(received).to.have.length(1);
      expect(received[0].attachments[0].content.equals(PDF)).to.equal(true);
    });

    it('authenticates over TLS; wrong credentials are a relay problem (temporary), not the message\'s', async () => {
      const relay = await catcher({ auth: { user: 'dcc-app', pass: 'secret-de-test' } });
      const good = new MailSender(configFor(relay, { ca: ca.certPem, auth: { user: 'dcc-app', pass: 'secret-de-test' } }));
      const mail = compose();
      await good.verify();
      await good.send(mail);
      good.close();
      expect(relay.byMessageId(mail.messageId)[0].user).to.equal('dcc-app');

      const err = await sendError(new MailSender(configFor(relay, { ca: ca.certPem, auth: { user: 'dcc-app', pass: 'faux' } })), compose());
      const verdict = classifyMailError(err);
      expect(verdict.permanent).to.equal(false);
      expect(verdict.message).to.match(/^Authentification refusée/).and.to.contain('535');

      const anonymous = compose();
      const refused = await sendError(new MailSender(configFor(relay, { ca: ca.certPem })), anonymous);
      // 530 on MAIL FROM: our settings lack credentials; fixing them lets the queued mail go.
      expect(classifyMailError(refused)).to.deep.include({ permanent: false });
      expect(classifyMailError(refused).message).to.match(/^Authentification refusée.*530/);
      expect(relay.byMessageId(anonymous.messageId)).to.deep.equal([]);
    });

    it('a relay that accepts the connection but never greets does not hold the worker: timeout, temporary', async () => {
      const sockets: net.Socket[] = [];
      const silent = net.createServer((socket) => { sockets.push(socket); /* never says 220 */ });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as AddressInfo).port;
        const err = await sendError(new MailSender({
          host: '127.0.0.1', port, secure: false, requireTls: true, rejectUnauthorized: true, ca: ca.certPem,
          from: FROM, messageIdDomain: 'x.fr', publicBaseUrl: 'https://dcc.example.fr', connectionTimeoutMs: 300,
        }), compose());
        expect(classifyMailError(err)).to.deep.equal({ permanent: false, message: 'Relais SMTP muet : délai dépassé' });
      } finally {
        sockets.forEach((s) => s.destroy());
        silent.close();
      }
    });

    it('never sends a password in clear to a remote relay', () => {
      expect(() => new MailSender({
        host: 'relais.example.fr', port: 25, secure: false, requireTls: false, rejectUnauthorized: true,
        auth: { user: 'u', pass: 'p' }, from: FROM, messageIdDomain: 'x.fr', publicBaseUrl: 'https://dcc.example.fr',
      })).to.throw(/sans TLS/);
    });

    it('classifies errors without an SMTP exchange', () => {
      expect(classifyMailError(Object.assign(new Error('connect'), { code: 'ESOCKET', originalCode: 'ECONNRESET' })).permanent).to.equal(false);
      expect(classifyMailError(Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' }))).to.deep.equal({ permanent: false, message: 'Relais SMTP muet : délai dépassé' });
      expect(classifyMailError(Object.assign(new Error('x'), { code: 'EENVELOPE', rejected: [GP] })).permanent).to.equal(true);
      expect(classifyMailError(Object.assign(new Error('x'), { code: 'EMESSAGE', responseCode: 554, response: '554 5.7.1 Contenu refusé', command: 'DATA' })).permanent).to.equal(true);
      expect(classifyMailError(Object.assign(new Error('x'), { code: 'EPROTOCOL', responseCode: 554, response: '554 Pas de service', command: 'CONN' })).permanent).to.equal(false);
      expect(classifyMailError('boom')).to.deep.equal({ permanent: false, message: 'Échec d\'envoi : boom' });
    });
  });

  describe('configuration from the environment', () => {
    it('is off without SMTP_HOST and secure by default', () => {
      expect(mailConfigFromEnv({})).to.equal(undefined);
      const config = mailConfigFromEnv({ SMTP_HOST: 'smtp.mssante.example', SMTP_FROM: FROM, DCC_PUBLIC_URL: 'https://dcc.example.fr/' })!;
      expect(config).to.deep.include({
        host: 'smtp.mssante.example', port: 587, secure: false, requireTls: true, rejectUnauthorized: true,
        from: FROM, messageIdDomain: 'chu-demo.mssante.fr', publicBaseUrl: 'https://dcc.example.fr',
      });
      expect(config.auth).to.equal(undefined);
      expect(mailConfigFromEnv({ SMTP_HOST: 'h', SMTP_FROM: FROM, SMTP_SECURE: 'true' })!.port).to.equal(465);
    });

    it('reads the CA, credentials and the demo switches; refuses unsafe production settings', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-mail-'));
      const caFile = path.join(dir, 'ca.crt');
      fs.writeFileSync(caFile, ca.certPem);
      const config = mailConfigFromEnv({
        SMTP_HOST: '127.0.0.1', SMTP_PORT: '2525', SMTP_FROM: 'dcc@demo.fr', SMTP_CA_FILE: caFile, SMTP_USER: 'u', SMTP_PASS: 'p',
        SMTP_REQUIRE_TLS: 'false', SMTP_TLS_REJECT_UNAUTHORIZED: 'false', SMTP_CONNECTION_TIMEOUT_MS: '3000',
      })!;
      expect(config).to.deep.include({ port: 2525, requireTls: false, rejectUnauthorized: false, ca: ca.certPem, auth: { user: 'u', pass: 'p' }, connectionTimeoutMs: 3000, messageIdDomain: 'demo.fr' });
      expect(config.publicBaseUrl).to.equal('http://127.0.0.1:8080');
      fs.rmSync(dir, { recursive: true });

      expect(() => mailConfigFromEnv({ SMTP_HOST: 'h' })).to.throw(/SMTP_FROM/);
      expect(() => mailConfigFromEnv({ SMTP_HOST: 'h', SMTP_FROM: FROM, SMTP_USER: 'u' })).to.throw(/SMTP_PASS/);
      const production = { NODE_ENV: 'production', SMTP_HOST: 'relais.example.fr', SMTP_FROM: FROM, DCC_PUBLIC_URL: 'https://dcc.example.fr' };
      expect(() => mailConfigFromEnv({ ...production, SMTP_TLS_REJECT_UNAUTHORIZED: 'false' })).to.throw(/interdit en production/);
      expect(() => mailConfigFromEnv({ ...production, SMTP_REQUIRE_TLS: 'false' })).to.throw(/interdit en production/);
      expect(() => mailConfigFromEnv({ ...production, DCC_PUBLIC_URL: '' })).to.throw(/DCC_PUBLIC_URL/);
    });
  });

  describe('demo mailbox', () => {
    it('catches mail on 127.0.0.1, writes .eml files and keeps its index across restarts', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-demo-mailbox-'));
      try {
        const mailbox = await startDemoMailbox({ port: 0, dir });
        const sender = new MailSender({
          host: '127.0.0.1', port: mailbox.port, secure: false, requireTls: false, rejectUnauthorized: true,
          from: FROM, messageIdDomain: 'chu-demo.mssante.fr', publicBaseUrl: 'http://127.0.0.1:8080', connectionTimeoutMs: 5_000,
        });
        const mail = compose();
        await sender.send(mail);
        sender.close();
        const [entry] = mailbox.messages();
        expect(entry).to.deep.include({ to: [GP], from: 'dcc@chu-demo.mssante.fr', subject: mail.subject, messageId: mail.messageId });
        expect(path.dirname(entry.file)).to.equal(path.resolve(dir));
        expect(fs.readFileSync(entry.file, 'utf8')).to.contain(`Message-ID: ${mail.messageId}`);
        await mailbox.close();

        const again = await startDemoMailbox({ port: 0, dir });
        expect(again.messages().map((m) => m.id)).to.deep.equal([entry.id]);
        await again.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('offers STARTTLS when given a certificate', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-demo-mailbox-'));
      try {
        const mailbox = await startDemoMailbox({ port: 0, dir, tls: serverCert });
        const sender = new MailSender({
          host: '127.0.0.1', port: mailbox.port, secure: false, requireTls: true, rejectUnauthorized: true, ca: ca.certPem,
          from: FROM, messageIdDomain: 'chu-demo.mssante.fr', publicBaseUrl: 'http://127.0.0.1:8080', connectionTimeoutMs: 5_000,
        });
        await sender.send(compose());
        sender.close();
        expect(mailbox.messages()).to.have.length(1);
        await mailbox.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
