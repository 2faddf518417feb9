import { expect } from 'chai';
import { auditCsv, auditLineOf, type AuditLine } from '../../client/src/api/security.ts';
import { roleLabel } from '../../client/src/lib/roles.ts';

const line = (recorded: string, roles: string[]): AuditLine => ({
  id: '1', recorded, professional: 'Dr Sophie Lambert', practitioner: 'Practitioner/p1', roles, action: 'R', what: 'Identité du patient', success: true, breakGlass: false,
});

describe('Client: the audit trail as CSV says what the screen says (client/src/api/security.ts auditCsv)', () => {
  it('dates in Paris time with the zone named, roles in the words of every page; the recorded instant kept in its own column', () => {
    // It wrote 2026-12-07T18:14:31.250Z and "admin physician" where the screen read 19:14 and French roles.
    const rows = auditCsv([line('2026-12-07T18:14:31.250Z', ['physician', 'coordinator']), line('2026-07-01T22:30:05Z', ['admin'])]).trim().split('\r\n').map((r) => r.split(';'));
    const header = rows[0]!;
    const column = (name: string) => header.indexOf(name);
    expect(header[0]).to.equal('Date et heure (Europe/Paris)');
    expect(rows.slice(1).map((r) => r[0])).to.deep.equal(['07/12/2026 19:14:31', '02/07/2026 00:30:05']);
    // The screen's roleLabel, the menus' words: the trail said « médecin, 3C » and « administrateur »
    // where the header said « Médecin hospitalier » and « Responsable sécurité ».
    expect(rows.slice(1).map((r) => r[column('Rôles')])).to.deep.equal([roleLabel(['physician', 'coordinator']), 'Responsable sécurité']);
    expect(rows[1]![column('Rôles')]).to.equal('Médecin hospitalier, Coordination 3C');
    expect(rows.slice(1).map((r) => r[column('Horodatage (UTC, ISO 8601)')])).to.deep.equal(['2026-12-07T18:14:31.250Z', '2026-07-01T22:30:05Z']);
  });

  it('names each professional by name and national number (RPPS or ADELI), not only Practitioner/<uuid>', () => {
    // QA: the CSV identified professionals by « Practitioner/<uuid> », which means nothing outside the DCC.
    const event = (idnps?: string) => auditLineOf({
      resourceType: 'AuditEvent', recorded: '2026-12-07T18:14:31Z', type: { code: 'rest' }, action: 'R', outcome: '0', source: { observer: { display: 'DCC' } },
      agent: [{ requestor: true, who: { reference: 'Practitioner/p1', display: 'Sophie Lambert', ...(idnps ? { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: idnps } } : {}) } }],
    });
    const rows = auditCsv([event('810003456785'), event('0123456789'), event()]).trim().split('\r\n').map((r) => r.split(';'));
    const column = rows[0]!.indexOf('RPPS / ADELI');
    expect(column).to.equal(rows[0]!.indexOf('Professionnel') + 1);
    expect(rows.slice(1).map((r) => [r[rows[0]!.indexOf('Professionnel')], r[column]])).to.deep.equal([
      ['Sophie Lambert', 'RPPS 10003456785'], ['Sophie Lambert', 'ADELI 123456789'], ['Sophie Lambert', ''],
    ]);
  });
});
