import { Anchor, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { directoriesApi, type TrialInclusion } from '../../api/directories.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { formatDate } from '../../lib/dates.ts';

/**
 * The trials the patient is in (ResearchSubject of a directory trial), with whom to call: shown in
 * the hospital record and on the GP's patient page. Hidden when there is none and `hideEmpty`.
 */
export function TrialInclusionsCard({ patientId, hideEmpty = false }: { patientId: string; hideEmpty?: boolean }) {
  const inclusions = useQuery({ queryKey: ['directories', 'inclusions', patientId], queryFn: () => directoriesApi.inclusions(patientId), retry: false });
  if (hideEmpty && (!inclusions.data || inclusions.data.inclusions.length === 0)) return null;
  return (
    <Card withBorder component="section" id="essais-cliniques" aria-labelledby="titre-essais" data-testid="trial-inclusions">
      <Title order={2} size="h4" id="titre-essais" mb={4}>Essais cliniques</Title>
      {inclusions.isPending && <Loading label="Chargement des essais…" />}
      {inclusions.error && <ErrorMessage error={inclusions.error} />}
      {inclusions.data && inclusions.data.inclusions.length === 0 && <Text size="sm" c="dimmed">Ce patient n’est inclus dans aucun essai clinique.</Text>}
      <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {inclusions.data?.inclusions.map((i) => <InclusionItem key={i.reference} inclusion={i} />)}
      </Stack>
    </Card>
  );
}

function InclusionItem({ inclusion: i }: { inclusion: TrialInclusion }) {
  const contact = i.trial?.contact;
  return (
    <li data-testid="trial-inclusion">
      <Group gap="xs" wrap="wrap">
        <Text fw={600}>{i.trial?.title ?? 'Essai clinique'}</Text>
        {i.trial?.registryNumber && <Badge variant="outline" color="gray">{i.trial.registryNumber}</Badge>}
        <Badge color={i.end ? 'gray.7' : 'teal.9'} variant="filled">{i.statusLabel}</Badge>
      </Group>
      <Text size="sm">
        {i.start && <>Inclusion le {formatDate(i.start)}</>}
        {i.end && <> · sortie le {formatDate(i.end)}</>}
        {i.subjectNumber && <> · n° patient dans l’essai : {i.subjectNumber}</>}
        {i.trial?.phase && <> · {i.trial.phase.label}</>}
      </Text>
      {contact && (
        <Text size="sm">
          Contact de l’essai : {contact.name ?? '—'}
          {contact.phone && <> · <Anchor href={`tel:${contact.phone.replace(/\s/g, '')}`}>{contact.phone}</Anchor></>}
          {contact.email && <> · <Anchor href={`mailto:${contact.email}`}>{contact.email}</Anchor></>}
        </Text>
      )}
      {i.trial?.sites.length ? <Text size="sm" c="dimmed">Centres : {i.trial.sites.map((s) => [s.name, s.city].filter(Boolean).join(', ')).join(' ; ')}</Text> : null}
      {i.recordedBy && <Text size="xs" c="dimmed">Enregistrée par {i.recordedBy}</Text>}
    </li>
  );
}
