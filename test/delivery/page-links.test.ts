import { expect } from 'chai';
import { patientPageLink } from '../../server/delivery/page-links.ts';

/** The page a mail links to: one the recipient's role may open (client/src/app/routes.tsx). */
describe('patient page links in the mails, by recipient', () => {
  const base = 'https://dcc.test/';
  it('a city GP, nurse or pharmacist: the city page, at the section the mail announces', () => {
    expect(patientPageLink(base, 'p1', 'rcp-report', { role: 'general-practitioner', roles: ['gp'] })).to.equal('https://dcc.test/patients/p1#rcp-proposal');
    expect(patientPageLink(base, 'p1', 'pps-shared', { role: 'general-practitioner', roles: ['gp'] })).to.equal('https://dcc.test/patients/p1#pps');
    expect(patientPageLink(base, 'p1', 'oral-treatment-changed', { role: 'nurse', roles: ['nurse'] })).to.equal('https://dcc.test/patients/p1#home-treatments');
    expect(patientPageLink(base, 'p1', 'oral-treatment-changed', { role: 'pharmacist', roles: ['pharmacist'] })).to.equal('https://dcc.test/patients/p1#oral-treatments');
  });
  it('the requesting hospital physician (or a hospital correspondent): the hospital record', () => {
    expect(patientPageLink(base, 'p1', 'rcp-report', { role: 'requester', roles: ['physician'] })).to.equal('https://dcc.test/hopital/patients/p1');
    expect(patientPageLink(base, 'p1', 'rcp-report', { role: 'correspondent', roles: ['physician', 'coordinator'] })).to.equal('https://dcc.test/hopital/patients/p1');
  });
  it('a 3C coordinator who is not a physician: the 3C view of the record', () => {
    expect(patientPageLink(base, 'p1', 'rcp-report', { role: 'requester', roles: ['coordinator'] })).to.equal('https://dcc.test/coordination/patients/p1');
  });
  it('a city GP who requested the RCP: the city page', () => {
    expect(patientPageLink(base, 'p1', 'rcp-report', { role: 'requester', roles: ['gp'] })).to.equal('https://dcc.test/patients/p1#rcp-proposal');
  });
});
