import { NativeSelect, TextInput } from '@mantine/core';
import type { ResearchStudy } from '@medplum/fhirtypes';
import { PHASE_LABEL, TRIAL_INCLUSION_EXT } from '../../api/directories.ts';

/** What the 3C types about a trial, in the add form and in the edit form alike. */
export interface TrialDraft {
  title: string;
  phase: string;
  sites: string;
  criteria: string;
  contact: string;
  phone: string;
}

export const EMPTY_TRIAL: TrialDraft = { title: '', phase: 'phase-2', sites: '', criteria: '', contact: '', phone: '' };

const PHASE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/research-study-phase';
const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10';

/** The fields of a trial shown to the 3C (the registry number is asked only when adding). */
export function TrialFields({ value, onChange }: { value: TrialDraft; onChange: (next: TrialDraft) => void }) {
  const set = (k: keyof TrialDraft) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => onChange({ ...value, [k]: e.currentTarget.value });
  return (
    <>
      <TextInput label="Titre" required value={value.title} onChange={set('title')} />
      <NativeSelect label="Phase de l’essai" value={value.phase} onChange={set('phase')} data={Object.entries(PHASE_LABEL).map(([v, label]) => ({ value: v, label }))} />
      <TextInput label="Localisations ciblées (CIM-10)" placeholder="C18, C20" required value={value.sites} onChange={set('sites')} />
      <TextInput label="Critères principaux" value={value.criteria} onChange={set('criteria')} />
      <TextInput label="Contact" value={value.contact} onChange={set('contact')} />
      <TextInput label="Téléphone du contact" value={value.phone} onChange={set('phone')} />
    </>
  );
}

/** The form's starting values from a stored trial. */
export function draftOf(study: ResearchStudy): TrialDraft {
  const contact = study.contact?.[0];
  return {
    title: study.title ?? '',
    phase: study.phase?.coding?.[0]?.code ?? 'n-a',
    sites: (study.condition ?? []).flatMap((c) => c.coding ?? []).map((c) => c.code).filter(Boolean).join(', '),
    criteria: study.extension?.find((e) => e.url === TRIAL_INCLUSION_EXT)?.valueMarkdown ?? '',
    contact: contact?.name ?? '',
    phone: contact?.telecom?.find((x) => x.system === 'phone')?.value ?? '',
  };
}

/**
 * The trial with the typed values: what the form does not show (sites, sponsor, period,
 * identifiers, the contact's e-mail, other contacts and extensions) is kept as it was.
 */
export function withDraft(study: ResearchStudy, f: TrialDraft): ResearchStudy {
  const contact = study.contact?.[0];
  const otherTelecom = (contact?.telecom ?? []).filter((x) => x.system !== 'phone');
  const telecom = [...(f.phone.trim() ? [{ system: 'phone' as const, value: f.phone.trim() }] : []), ...otherTelecom];
  const firstContact = f.contact.trim() || telecom.length ? [{ ...(f.contact.trim() ? { name: f.contact.trim() } : {}), ...(telecom.length ? { telecom } : {}) }] : [];
  const updated: ResearchStudy = {
    ...study,
    title: f.title.trim(),
    phase: { coding: [{ system: PHASE_SYSTEM, code: f.phase }] },
    condition: f.sites.split(/[\s,;]+/).filter(Boolean).map((code) => ({ coding: [{ system: ICD10_SYSTEM, code: code.toUpperCase() }] })),
    extension: [
      ...(study.extension ?? []).filter((e) => e.url !== TRIAL_INCLUSION_EXT),
      ...(f.criteria.trim() ? [{ url: TRIAL_INCLUSION_EXT, valueMarkdown: f.criteria.trim() }] : []),
    ],
    contact: [...firstContact, ...(study.contact ?? []).slice(1)],
  };
  if (!updated.extension?.length) delete updated.extension;
  if (!updated.contact?.length) delete updated.contact;
  return updated;
}
