import { Anchor, Badge, Button, Card, Group, List, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { hospitalApi, IDENTITY_STATUS_LABEL } from '../../api/hospital.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { ageOn, formatDate } from '../../lib/dates.ts';
import { identityStatusOf, insOf, patientDisplayName, searchQueryOf, usedName } from '../../lib/patient-identity.ts';
import { CreatePatientForm } from './CreatePatientForm.tsx';

/**
 * /hopital — the hospital physician's entry: find a patient (name, birth date or INS) among the
 * records they may open, or create one with the French identity rules and a warning before a
 * probable duplicate.
 */
export default function HospitalHomePage() {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [creating, setCreating] = useState(false);
  const [debounced] = useDebouncedValue(search, 300);
  const parsed = searchQueryOf(debounced);
  const patients = useQuery({
    queryKey: ['hospital', 'patients', parsed?.query],
    queryFn: () => hospitalApi.searchPatients(parsed!.query),
    enabled: Boolean(parsed),
    placeholderData: keepPreviousData,
  });
  const found = (patients.data?.entry ?? []).map((e) => e.resource).filter((p): p is Patient => Boolean(p));

  return (
    <Page
      title="Dossiers patients"
      subtitle="Retrouvez un patient que vous suivez, ou créez son dossier"
      actions={!creating ? <Button onClick={() => setCreating(true)}>Nouveau patient</Button> : undefined}
    >
      {creating && <CreatePatientForm onCancel={() => setCreating(false)} />}
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <TextInput
          label="Rechercher un patient"
          description="Nom, date de naissance (JJ/MM/AAAA) ou INS (15 caractères)"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setParams(e.currentTarget.value.trim() ? { q: e.currentTarget.value } : {}, { replace: true });
          }}
          type="search"
          autoComplete="off"
          maw={520}
        />
      </form>
      {parsed && patients.isPending && <Loading label="Recherche…" />}
      {patients.error && <ErrorMessage error={patients.error} onRetry={() => void patients.refetch()} />}
      {parsed && patients.data && (
        <Stack gap="xs">
          <Text size="sm" role="status">
            {found.length === 0
              ? `Aucun patient de votre cercle de soins ne correspond à « ${debounced.trim()} ».`
              : `${found.length} patient${found.length > 1 ? 's' : ''} correspondant${found.length > 1 ? 's' : ''} à « ${debounced.trim()} »`}
          </Text>
          {found.map((p) => <PatientCard key={p.id} patient={p} />)}
          {found.length === 0 && (
            <Text size="sm" c="dimmed">
              Un patient suivi par d’autres équipes n’apparaît pas : ouvrez son dossier depuis le lien reçu, en urgence (bris de glace), ou créez-le s’il n’existe pas.
            </Text>
          )}
        </Stack>
      )}
      {!parsed && !creating && (
        <Card withBorder>
          <Title order={2} size="h4">Pour une fiche RCP</Title>
          <List size="sm" mt="xs">
            <List.Item>Retrouvez le patient (ou créez-le), ouvrez son dossier ;</List.Item>
            <List.Item>« Inscrire en RCP » : choisissez la séance, posez la question ;</List.Item>
            <List.Item>complétez la fiche : elle s’enregistre pendant la saisie.</List.Item>
          </List>
        </Card>
      )}
    </Page>
  );
}

function PatientCard({ patient }: { patient: Patient }) {
  const status = identityStatusOf(patient);
  const ins = insOf(patient);
  const used = usedName(patient);
  return (
    <Card withBorder padding="sm" data-testid="patient-result">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Stack gap={2}>
          <Anchor component={Link} to={`/hopital/patients/${patient.id}`} fw={600}>{patientDisplayName(patient)}</Anchor>
          <Text size="sm" c="dimmed">
            {patient.gender === 'female' ? 'Née' : 'Né'} le {formatDate(patient.birthDate)}
            {ageOn(patient.birthDate) !== undefined ? ` (${ageOn(patient.birthDate)} ans)` : ''}
            {used ? ` — nom utilisé ${used}` : ''}
            {ins ? ` — INS ${ins}` : ''}
          </Text>
        </Stack>
        {status && <Badge variant="light" color={status === 'QUAL' ? 'green' : status === 'PROV' ? 'orange' : 'blue'}>{IDENTITY_STATUS_LABEL[status]}</Badge>}
      </Group>
    </Card>
  );
}
