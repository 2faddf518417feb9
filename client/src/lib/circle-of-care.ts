import type { CareTeam, Patient } from '@medplum/fhirtypes';

/**
 * Each professional once, with every role they hold: care teams (one per RCP case, per programme…)
 * name the same people again and again, and the declared GP is often one of them.
 */
export function circleMembers(patient: Patient, teams: CareTeam[]): { key: string; name: string; roles: string[] }[] {
  const byMember = new Map<string, { key: string; name: string; roles: string[] }>();
  const add = (reference: string | undefined, display: string | undefined, role: string | undefined) => {
    const key = reference ?? display;
    if (!key) return;
    const member = byMember.get(key) ?? { key, name: display ?? 'Professionnel sans nom', roles: [] };
    if (display && member.name === 'Professionnel sans nom') member.name = display;
    // 'Médecin traitant' in a care team is the 'médecin traitant' already said.
    if (role && !member.roles.some((r) => r.localeCompare(role, 'fr', { sensitivity: 'base' }) === 0)) member.roles.push(role);
    byMember.set(key, member);
  };
  for (const gp of patient.generalPractitioner ?? []) add(gp.reference, gp.display, 'médecin traitant');
  for (const m of teams.flatMap((t) => t.participant ?? [])) add(m.member?.reference, m.member?.display, m.role?.[0]?.text ?? m.role?.[0]?.coding?.[0]?.display);
  return [...byMember.values()];
}
