import { Anchor, Badge, Button, Card, Group, Stack, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { cityApi, type MyPatientItem } from '../../api/city.ts';
import { hasRole, useCurrentUser } from '../../api/session.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { ageOn, formatDate, formatDateTime } from '../../lib/dates.ts';
import { capitalBornWord } from '../../lib/patient-identity.ts';

const PAGE_SIZE = 20;

/**
 * /patients — "Mes patients" (GP, nurse, pharmacist): the patients I follow (declared GP or care
 * team), by name, searchable, page by page, with the number of changes since I last opened each.
 */
export default function MyPatientsPage() {
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('nom') ?? '');
  const [name] = useDebouncedValue(search.trim(), 300);
  // The cursors of the pages seen so far: "page précédente" goes back without the server keeping state.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const pageIndex = cursors.length - 1;
  const patients = useQuery({
    queryKey: ['city', 'patients', name, cursors[pageIndex]],
    queryFn: () => cityApi.patients({ name: name || undefined, cursor: cursors[pageIndex], count: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  const onSearch = (value: string) => {
    setSearch(value);
    setCursors([undefined]);
    setParams(value.trim() ? { nom: value } : {}, { replace: true });
  };
  const total = patients.data?.total;

  return (
    <Page
      title="Mes patients"
      subtitle={hasRole(user, 'gp') ? 'Les patients dont vous êtes le médecin traitant ou dans l’équipe de soins' : 'Les patients dont vous êtes dans l’équipe de soins'}
      actions={<Button component={Link} to="/changements" variant="light">Ce qui a changé</Button>}
    >
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <TextInput
          label="Rechercher un patient par son nom"
          description="Nom de naissance, nom d'usage ou prénom ; les accents sont ignorés"
          value={search}
          onChange={(e) => onSearch(e.currentTarget.value)}
          type="search"
          autoComplete="off"
          maw={480}
        />
      </form>
      {patients.isPending && <Loading label="Chargement de vos patients…" />}
      {patients.error && <ErrorMessage error={patients.error} onRetry={() => void patients.refetch()} />}
      {patients.data && (
        <>
          {/* While the next search loads, the previous list stays (no blank flash) but its count is not
              announced as the answer to the new name: the status says a search is under way. */}
          <Text size="sm" role="status" aria-live="polite">
            {patients.isPlaceholderData
              ? `Recherche en cours${name ? ` de « ${name} »` : ''}…`
              : total === 0
              ? name ? `Aucun de vos patients ne correspond à « ${name} ».` : 'Aucun patient ne vous est rattaché pour le moment.'
              : `${total} patient${(total ?? 0) > 1 ? 's' : ''}${name ? ` correspondant à « ${name} »` : ''} — page ${pageIndex + 1}`}
          </Text>
          <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0, opacity: patients.isPlaceholderData ? 0.6 : 1 }} aria-label="Liste de vos patients" aria-busy={patients.isPlaceholderData}>
            {patients.data.items.map((p) => <PatientCard key={p.id} patient={p} />)}
          </Stack>
          {(pageIndex > 0 || patients.data.cursor) && (
            <Group component="nav" aria-label="Pages de la liste" gap="sm">
              <Button variant="default" disabled={pageIndex === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>Page précédente</Button>
              <Button variant="default" disabled={!patients.data.cursor} onClick={() => setCursors((c) => [...c, patients.data!.cursor])}>Page suivante</Button>
            </Group>
          )}
        </>
      )}
    </Page>
  );
}

function PatientCard({ patient }: { patient: MyPatientItem }) {
  const age = ageOn(patient.birthDate);
  const changes = patient.changesSinceLastView;
  return (
    <Card component="li" withBorder padding="sm" data-testid="patient-card">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <div style={{ minWidth: 0 }}>
          <Anchor component={Link} to={`/patients/${patient.id}`} fw={600}>{patient.name}</Anchor>
          <Text size="sm" c="dimmed">
            {patient.birthDate ? `${capitalBornWord(patient.gender)} le ${formatDate(patient.birthDate)}${age !== undefined ? ` (${age} ans)` : ''}` : 'Date de naissance inconnue'}
            {' · '}
            {patient.reasons.map((r) => (r.role ? `${r.label} (${r.role})` : r.label)).join(', ')}
          </Text>
          {patient.lastChange && <Text size="xs" c="dimmed">Dernière modification : {formatDateTime(patient.lastChange)}</Text>}
        </div>
        {changes > 0
          ? (
            <Badge color="red.9" variant="filled" size="lg" data-testid="changes-badge">
              {changes} changement{changes > 1 ? 's' : ''}<VisuallyHidden> pas encore marqués comme vus</VisuallyHidden>
            </Badge>
          )
          : <Text size="xs" c="dimmed">Rien de nouveau</Text>}
      </Group>
    </Card>
  );
}
