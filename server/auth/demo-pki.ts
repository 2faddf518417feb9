import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { IDNPS_SYSTEM } from '../identity/index.ts';
import { createCertificateAuthority, issueProfessionalCertificate, issueServerCertificate } from './pki.ts';
import { foldForComparison } from '../fhir-kit/text.ts';

const TITLE_OF_PROFESSION: Record<string, string> = { '10': 'Médecin', '21': 'Pharmacien', '60': 'Infirmier' };

export interface DemoPki {
  folder: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  users: { file: string; name: string; title: string }[];
}

/**
 * Demo sign-in material, written once to `<dataDir>/demo-pki`: a demo CA, the server's certificate
 * and one CPS-like client certificate per demo professional. Refused in production.
 */
export async function ensureDemoPki(dataDir: string, demoBundle: Bundle, production: boolean): Promise<DemoPki> {
  if (production) throw new Error('La PKI de démonstration est interdite en production (NODE_ENV=production)');
  const folder = path.join(dataDir, 'demo-pki');
  const pki: DemoPki = { folder, caFile: path.join(folder, 'ca.crt'), certFile: path.join(folder, 'server.crt'), keyFile: path.join(folder, 'server.key'), users: [] };
  const users = demoProfessionals(demoBundle);
  pki.users = users.map((u) => ({ file: path.join(folder, `${u.slug}.crt`), name: `${u.given} ${u.family}`, title: u.title }));
  if (fs.existsSync(pki.caFile)) return pki;

  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority();
  // Key pairs are generated on libuv's thread pool: issued together, they use every core.
  const [server, ...cards] = await Promise.all([issueServerCertificate(ca), ...users.map((user) => issueProfessionalCertificate(ca, user))]);
  fs.writeFileSync(pki.certFile, server!.certPem);
  fs.writeFileSync(pki.keyFile, server!.keyPem, { mode: 0o600 });
  users.forEach((user, i) => {
    fs.writeFileSync(path.join(folder, `${user.slug}.crt`), cards[i]!.certPem);
    fs.writeFileSync(path.join(folder, `${user.slug}.key`), cards[i]!.keyPem, { mode: 0o600 });
  });
  // The CA last: its presence is what says the folder is complete (checked above).
  fs.writeFileSync(pki.caFile, ca.certPem);
  return pki;
}

/** The demo professionals (from the demo bundle): the demo PKI's cards and the demo sign-in's choices. */
export interface DemoProfessional {
  idnps: string;
  family: string;
  given: string;
  /** Profession as on a CPS card: Médecin, Pharmacien, Infirmier. */
  title: string;
  /** DCC role they sign in with: gp, physician, nurse, pharmacist, coordinator, admin. */
  role: string;
  slug: string;
}

export function demoProfessionals(bundle: Bundle): DemoProfessional[] {
  const resources = (bundle.entry ?? []).map((e) => ({ fullUrl: e.fullUrl, resource: e.resource }));
  const roles = resources.map((r) => r.resource).filter((r): r is PractitionerRole => r?.resourceType === 'PractitionerRole');
  return resources
    .filter((r) => r.resource?.resourceType === 'Practitioner')
    .map(({ fullUrl, resource }) => {
      const practitioner = resource as Practitioner;
      const role = roles.find((r) => r.practitioner?.reference === fullUrl);
      const profession = role?.code?.flatMap((c) => c.coding ?? []).find((c) => TITLE_OF_PROFESSION[c.code ?? '']);
      const family = practitioner.name?.[0]?.family ?? 'inconnu';
      const title = TITLE_OF_PROFESSION[profession?.code ?? '10'];
      // File names say who the newcomer signs in as: role first, then the name.
      const codes = (role?.code ?? []).concat(role?.specialty ?? []).flatMap((c) => c.coding ?? []).map((c) => c.code);
      const organization = resources.find((r) => r.fullUrl === role?.organization?.reference)?.resource as { type?: { coding?: { code?: string }[] }[] } | undefined;
      const label = codes.includes('admin') ? 'administrateur'
        : organization?.type?.some((t) => t.coding?.some((c) => c.code === '3C')) ? 'coordinateur-3c'
        : codes.includes('SM54') ? 'medecin-generaliste'
        : profession?.code === '10' ? 'medecin-hospitalier' : title;
      const dccRole = codes.includes('admin') ? 'admin'
        : label === 'coordinateur-3c' ? 'coordinator'
        : label === 'medecin-generaliste' ? 'gp'
        : label === 'medecin-hospitalier' ? 'physician'
        : profession?.code === '21' ? 'pharmacist' : 'nurse';
      return {
        role: dccRole,
        idnps: practitioner.identifier?.find((i) => i.system === IDNPS_SYSTEM)?.value ?? '',
        family,
        given: practitioner.name?.[0]?.given?.[0] ?? '',
        title,
        slug: foldForComparison(`${label}-${family}`).replace(/[^a-z0-9]+/g, '-'),
      };
    })
    .filter((p) => p.idnps);
}
