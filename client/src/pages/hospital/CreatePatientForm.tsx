import { Alert, Anchor, Button, Card, Group, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import type { Extension, Identifier, Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  BIRTH_PLACE_EXTENSION, hospitalApi, IDENTITY_RELIABILITY_EXTENSION_URL, IDENTITY_STATUS_LABEL, IDENTITY_STATUS_SYSTEM, IDENTITY_VALIDATION_MODE_SYSTEM,
  INS_NIR_TEST_SYSTEM, INSEE_CODE_EXTENSION, R13_COMMUNE_SYSTEM, type IdentityStatus,
} from '../../api/hospital.ts';
import { ApiError } from '../../api/http.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useFocusFirstInvalid } from '../../components/useFocusFirstInvalid.ts';
import { formatDate, parisDay } from '../../lib/dates.ts';
import { fieldErrorsOf } from '../../lib/field-errors.ts';
import { cleanIns, duplicateReason, patientDisplayName, searchQueryOf } from '../../lib/patient-identity.ts';

interface Form {
  family: string;
  given: string;
  usedFamily: string;
  birthDate: string;
  gender: string;
  birthPlaceInsee: string;
  birthPlaceCity: string;
  status: IdentityStatus;
  ins: string;
  document: string;
}

const EMPTY: Form = { family: '', given: '', usedFamily: '', birthDate: '', gender: '', birthPlaceInsee: '', birthPlaceCity: '', status: 'PROV', ins: '', document: '' };

// RNIV: only an identity retrieved from INSi (RECUP, QUAL) carries an INS; VALI and QUAL need a high-trust document.
const STATUS_HELP: Record<IdentityStatus, string> = {
  PROV: 'Ni INS ni pièce d’identité vérifiée',
  RECUP: 'INS récupéré par le téléservice INSi, pièce non vérifiée',
  VALI: 'Pièce d’identité à haut niveau de confiance vérifiée, pas d’INS',
  QUAL: 'INS récupéré (INSi) et pièce d’identité vérifiée',
};
const needsIns = (s: IdentityStatus) => s === 'RECUP' || s === 'QUAL';
const needsDocument = (s: IdentityStatus) => s === 'VALI' || s === 'QUAL';

// Where the server's rules point (FHIR paths) → the field that shows them.
const FIELDS: Record<keyof Form, string[]> = {
  family: ['Patient.name'], given: ['Patient.name.given'], usedFamily: [], birthDate: ['Patient.birthDate'], gender: ['Patient.gender'],
  birthPlaceInsee: ['Patient.extension.where(url=\'http://hl7.org/fhir/StructureDefinition/patient-birthPlace\')'], birthPlaceCity: [],
  status: [`Patient.extension('${IDENTITY_RELIABILITY_EXTENSION_URL}')`, 'Patient.extension'], ins: ['Patient.identifier'], document: [],
};

function patientOf(form: Form): Patient {
  const given = form.given.trim().split(/\s+/).filter(Boolean);
  const ins = needsIns(form.status) ? cleanIns(form.ins) : undefined;
  const reliability: Extension = {
    url: IDENTITY_RELIABILITY_EXTENSION_URL,
    extension: [
      { url: 'identityStatus', valueCoding: { system: IDENTITY_STATUS_SYSTEM, code: form.status, display: IDENTITY_STATUS_LABEL[form.status] } },
      ...(needsDocument(form.status) && form.document ? [{ url: 'validationMode', valueCoding: { system: IDENTITY_VALIDATION_MODE_SYSTEM, code: form.document } }] : []),
    ],
  };
  const birthPlace: Extension | undefined = form.birthPlaceInsee.trim() || form.birthPlaceCity.trim() ? {
    url: BIRTH_PLACE_EXTENSION,
    valueAddress: {
      ...(form.birthPlaceCity.trim() ? { city: form.birthPlaceCity.trim() } : {}),
      ...(form.birthPlaceInsee.trim() ? { extension: [{ url: INSEE_CODE_EXTENSION, valueCoding: { system: R13_COMMUNE_SYSTEM, code: form.birthPlaceInsee.trim().toUpperCase() } }] } : {}),
    },
  } : undefined;
  const identifier: Identifier[] = ins ? [{ use: 'official', system: INS_NIR_TEST_SYSTEM, value: ins }] : [];
  return {
    resourceType: 'Patient',
    extension: [reliability, ...(birthPlace ? [birthPlace] : [])],
    ...(identifier.length ? { identifier } : {}),
    active: true,
    name: [
      { use: 'official', family: form.family.trim(), ...(given.length ? { given } : {}) },
      ...(form.usedFamily.trim() ? [{ use: 'usual' as const, family: form.usedFamily.trim(), ...(given.length ? { given: [given[0]!] } : {}) }] : []),
    ],
    ...(form.gender ? { gender: form.gender as Patient['gender'] } : {}),
    ...(form.birthDate ? { birthDate: form.birthDate } : {}),
  };
}

/** What the page checks before asking the server (the server checks again: INS key, status rules). */
function localProblems(form: Form): Partial<Record<keyof Form, string>> {
  const p: Partial<Record<keyof Form, string>> = {};
  if (!form.family.trim()) p.family = 'Le nom de naissance est obligatoire';
  if (!form.given.trim()) p.given = 'Le premier prénom de naissance est obligatoire';
  if (!form.birthDate) p.birthDate = 'La date de naissance est obligatoire';
  // Today in Paris, as the server counts it (server/identity/identity-rules.ts).
  else if (form.birthDate > parisDay()) p.birthDate = 'La date de naissance ne peut pas être dans le futur';
  if (!form.gender) p.gender = 'Le sexe est obligatoire';
  if (needsIns(form.status) && !cleanIns(form.ins)) p.ins = `Un statut ${form.status} suppose l’INS récupéré par INSi (15 caractères)`;
  if (needsDocument(form.status) && !form.document) p.document = `Un statut ${form.status} suppose la pièce d’identité vérifiée`;
  return p;
}

/**
 * Creation of a patient with the five strict traits (birth name, first names, birth date, sex,
 * birthplace), the identity status and, for RECUP/QUAL, the INS; a probable duplicate (same INS,
 * or same birth name + first name + birth date) is shown before anything is created.
 */
export function CreatePatientForm({ onCancel }: { onCancel: () => void }) {
  const navigate = useNavigate();
  const [form, setForm] = useState<Form>(EMPTY);
  const [problems, setProblems] = useState<Partial<Record<keyof Form, string>>>({});
  const [duplicates, setDuplicates] = useState<{ patient: Patient; reason: string }[] | undefined>();
  const [refusals, setRefusals] = useState(0);
  const formRef = useFocusFirstInvalid(refusals);
  const set = (key: keyof Form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  const create = useMutation({
    mutationFn: () => hospitalApi.createPatient(patientOf(form)),
    onSuccess: ({ id, warnings }) => {
      notifications.show({ message: `Dossier de ${patientDisplayName(patientOf(form))} créé` });
      // A look-alike the page could not see (outside the circle of care) is still a probable duplicate:
      // the server handed it to the identity-vigilance cell and says so, without naming it.
      const duplicate = warnings.find((w) => w.details?.coding?.some((c) => c.code === 'probable-duplicate'));
      if (duplicate) {
        notifications.show({
          // No title: a titled notification's dimmed text fails the contrast rule (axe).
          id: 'probable-duplicate', color: 'orange', autoClose: false,
          message: 'Doublon probable signalé à la cellule d’identitovigilance : un autre dossier porte les mêmes nom de naissance, premier prénom et date de naissance. La cellule vérifiera s’il s’agit de la même personne.',
        });
      }
      navigate(`/hopital/patients/${id}`);
    },
    onError: (error) => {
      if (error instanceof ApiError) {
        setProblems(fieldErrorsOf(error.outcome?.issue, FIELDS) as Partial<Record<keyof Form, string>>);
        setRefusals((n) => n + 1);
      }
    },
  });
  const check = useMutation({
    mutationFn: async () => {
      const candidate = { family: form.family, given: form.given, birthDate: form.birthDate, ins: needsIns(form.status) ? cleanIns(form.ins) : undefined };
      // Everyone born that day, compared by duplicateReason: a family search would miss « Le-Bihan » for « LE BIHAN ».
      const searches = [hospitalApi.patientsBornOn(form.birthDate)];
      const insQuery = candidate.ins ? searchQueryOf(candidate.ins) : undefined;
      if (insQuery?.kind === 'ins') searches.push(hospitalApi.searchPatients(insQuery.query));
      const found = (await Promise.all(searches)).flatMap((b) => (b.entry ?? []).map((e) => e.resource).filter((p): p is Patient => Boolean(p)));
      const unique = [...new Map(found.map((p) => [p.id, p])).values()];
      return unique.map((patient) => ({ patient, reason: duplicateReason(candidate, patient) })).filter((m): m is { patient: Patient; reason: string } => Boolean(m.reason));
    },
    onSuccess: (matches) => {
      if (matches.length) setDuplicates(matches);
      else create.mutate();
    },
  });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const local = localProblems(form);
    setProblems(local);
    setDuplicates(undefined);
    if (Object.keys(local).length) {
      setRefusals((n) => n + 1);
      return;
    }
    check.mutate();
  };
  const unmapped = create.error instanceof ApiError && !Object.keys(fieldErrorsOf(create.error.outcome?.issue, FIELDS)).length ? create.error : create.error && !(create.error instanceof ApiError) ? create.error : undefined;

  return (
    <Card withBorder component="section" aria-labelledby="new-patient-title">
      <form ref={formRef} onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h3" id="new-patient-title">Nouveau patient</Title>
          <Text size="sm" c="dimmed">Traits stricts de l’identité tels qu’ils figurent sur la pièce d’identité ou l’attestation INSi (RNIV).</Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Nom de naissance" required value={form.family} onChange={(e) => set('family')(e.currentTarget.value)} error={problems.family} autoComplete="off" />
            <TextInput label="Prénoms de naissance" description="Dans l’ordre de l’état civil, séparés par un espace" required value={form.given} onChange={(e) => set('given')(e.currentTarget.value)} error={problems.given} autoComplete="off" />
            <TextInput label="Date de naissance" type="date" required max={parisDay()} value={form.birthDate} onChange={(e) => set('birthDate')(e.currentTarget.value)} error={problems.birthDate} />
            <Select
              label="Sexe" required value={form.gender || null} onChange={(v) => set('gender')(v ?? '')} error={problems.gender}
              data={[{ value: 'female', label: 'Féminin' }, { value: 'male', label: 'Masculin' }, { value: 'other', label: 'Indéterminé' }]}
            />
            <TextInput label="Lieu de naissance : code INSEE" description="5 caractères (ex. 13055 ; 99… à l’étranger)" value={form.birthPlaceInsee} onChange={(e) => set('birthPlaceInsee')(e.currentTarget.value)} error={problems.birthPlaceInsee} maxLength={5} />
            <TextInput label="Lieu de naissance : commune" value={form.birthPlaceCity} onChange={(e) => set('birthPlaceCity')(e.currentTarget.value)} />
            <TextInput label="Nom utilisé (si différent)" value={form.usedFamily} onChange={(e) => set('usedFamily')(e.currentTarget.value)} />
            <Select
              label="Statut de l’identité" required value={form.status} onChange={(v) => set('status')(v ?? 'PROV')} error={problems.status}
              description={STATUS_HELP[form.status]} allowDeselect={false}
              data={(['PROV', 'RECUP', 'VALI', 'QUAL'] as IdentityStatus[]).map((s) => ({ value: s, label: `${s} — ${IDENTITY_STATUS_LABEL[s]}` }))}
            />
            {needsIns(form.status) && (
              <TextInput label="INS (matricule INS, 15 caractères)" description="Tel que renvoyé par le téléservice INSi, clé comprise" required value={form.ins} onChange={(e) => set('ins')(e.currentTarget.value)} error={problems.ins} autoComplete="off" />
            )}
            {needsDocument(form.status) && (
              <Select
                label="Pièce d’identité vérifiée" required value={form.document || null} onChange={(v) => set('document')(v ?? '')} error={problems.document}
                data={[{ value: 'CN', label: 'Carte nationale d’identité' }, { value: 'PA', label: 'Passeport' }, { value: 'TS', label: 'Titre de séjour' }]}
              />
            )}
          </SimpleGrid>
          {duplicates && (
            <Alert color="orange" role="alert" title="Doublon probable : ce patient existe peut-être déjà" data-testid="duplicate-warning">
              <Stack gap="xs">
                {duplicates.map(({ patient, reason }) => (
                  <Text size="sm" key={patient.id}>
                    <Anchor component={Link} to={`/hopital/patients/${patient.id}`}>{patientDisplayName(patient)}</Anchor>, né(e) le {formatDate(patient.birthDate)} — {reason}
                  </Text>
                ))}
                <Text size="sm">Ouvrez le dossier existant. Ne créez un nouveau dossier que s’il s’agit bien d’une autre personne (identitovigilance).</Text>
                <Group gap="xs">
                  <Button variant="default" onClick={() => setDuplicates(undefined)}>Revenir au formulaire</Button>
                  <Button color="orange" onClick={() => create.mutate()} loading={create.isPending}>Créer quand même</Button>
                </Group>
              </Stack>
            </Alert>
          )}
          {check.error && <ErrorMessage error={check.error} />}
          {unmapped && <ErrorMessage error={unmapped} />}
          {!duplicates && (
            <Group gap="xs">
              <Button type="submit" loading={check.isPending || create.isPending}>Créer le dossier</Button>
              <Button variant="default" onClick={onCancel}>Annuler</Button>
            </Group>
          )}
        </Stack>
      </form>
    </Card>
  );
}
