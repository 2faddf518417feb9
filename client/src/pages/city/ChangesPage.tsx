import { Anchor, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { cityApi, type CityChange } from '../../api/city.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDateTime } from '../../lib/dates.ts';

/**
 * /changements — "Ce qui a changé": for all my patients, newest first (RCP reports, PPS and PPAC,
 * oral treatments), until acknowledged by « Marquer comme vu » (per patient; opening a record does not).
 */
export default function ChangesPage() {
  const queryClient = useQueryClient();
  const feed = useInfiniteQuery({
    queryKey: ['city', 'feed'],
    queryFn: ({ pageParam }) => cityApi.changes({ cursor: pageParam, count: 20 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.cursor,
  });
  const seen = useMutation({
    // Up to this patient's newest change in the list (newest first): one recorded meanwhile stays new.
    mutationFn: (patient: CityChange['patient']) => cityApi.markSeen(patient.id, items.find((c) => c.patient.id === patient.id)?.date),
    onSuccess: async (_data, patient) => {
      await queryClient.invalidateQueries({ queryKey: ['city'] });
      notifications.show({ message: `Changements de ${patient.name} marqués comme vus`, color: 'teal' });
    },
  });
  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Page title="Ce qui a changé" subtitle="Les nouveautés des dossiers de vos patients que vous n'avez pas encore marquées comme vues, les plus récentes d'abord">
      {feed.isPending && <Loading label="Chargement des changements…" />}
      {feed.error && <ErrorMessage error={feed.error} onRetry={() => void feed.refetch()} />}
      {seen.error && <ErrorMessage error={seen.error} />}
      {feed.data && items.length === 0 && <Text role="status">Rien de nouveau dans les dossiers de vos patients.</Text>}
      <Stack gap="sm" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Changements, les plus récents d'abord">
        {items.map((c) => (
          <Card key={`${c.resource.reference}/${c.resource.versionId}`} component="li" withBorder padding="sm" data-testid="change-item">
            <Group justify="space-between" align="flex-start" gap="xs">
              <div style={{ minWidth: 0 }}>
                <Group gap={6}>
                  <Badge size="sm" variant="outline" color="dark">{c.kind.label}</Badge>
                  <Text size="xs" c="dimmed">{formatDateTime(c.date)}</Text>
                </Group>
                <Anchor component={Link} to={`/patients/${c.patient.id}`} fw={600} size="sm">{c.patient.name}</Anchor>
                <Text size="sm">{c.description}{c.reason && !c.description.includes(c.reason) ? ` (motif : ${c.reason})` : ''}</Text>
              </div>
              <Button size="xs" variant="default" loading={seen.isPending && seen.variables?.id === c.patient.id} onClick={() => seen.mutate(c.patient)}
                aria-label={`Marquer comme vu : ${c.patient.name}`}>
                Marquer comme vu
              </Button>
            </Group>
          </Card>
        ))}
      </Stack>
      {feed.hasNextPage && (
        <Group><Button variant="default" onClick={() => void feed.fetchNextPage()} loading={feed.isFetchingNextPage}>Afficher les changements plus anciens</Button></Group>
      )}
    </Page>
  );
}
