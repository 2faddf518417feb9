import { Badge, Button, List, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { rcp } from '../../api/rcp.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDate, formatDateTime } from '../../lib/dates.ts';
import { missingRecipientText, reportSendingTitle } from '../../lib/report-sending.ts';

/**
 * /coordination/envois — the alerts of the 3C: patients without a declared GP (their reports reach
 * nobody in the city) and documents that could not be delivered, each failed copy retried here
 * once the directory is fixed.
 */
export default function DeliveriesPage() {
  const queryClient = useQueryClient();
  const alerts = useQuery({ queryKey: ['deliveries', 'alerts'], queryFn: () => rcp.alerts() });
  const retry = useMutation({
    mutationFn: (id: string) => rcp.retry(id),
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ['deliveries'] }); notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: 'Envoi relancé : il repart avec l’annuaire à jour' }); },
  });
  return (
    <Page title="Envois et alertes" subtitle="Ce qui n'a pas pu être remis, et à qui rien ne peut l'être">
      {alerts.isPending && <Loading label="Chargement des alertes…" />}
      {alerts.error && <ErrorMessage error={alerts.error} onRetry={() => void alerts.refetch()} />}
      {alerts.data && (
        <Stack gap="lg">
          <section aria-labelledby="undelivered-title">
            <Title order={2} size="h3" id="undelivered-title" mb="xs">Documents non remis ({alerts.data.undelivered.length})</Title>
            {retry.error && <ErrorMessage error={retry.error} />}
            {alerts.data.undelivered.length === 0 ? <Text>Aucun échec d'envoi.</Text> : (
              <Stack gap="xs">
                {alerts.data.undelivered.map((doc) => (
                  <Paper key={doc.event.id} withBorder p="sm">
                    <Badge color="red.9" variant="filled">{doc.stateLabel}</Badge>
                    <Text size="sm">{doc.report ? reportSendingTitle(doc.report) : `Document du ${formatDateTime(doc.event.createdAt)}`}</Text>
                    <List size="sm">
                      {doc.missing.map((m) => <List.Item key={`missing-${m.roleLabel}`}>{missingRecipientText(m)}</List.Item>)}
                      {doc.deliveries.map((l) => (
                        <List.Item key={l.id}>
                          {l.roleLabel ?? l.channel} {l.display ?? l.recipient} : {l.statusLabel}{l.lastError ? ` (${l.lastError})` : ''}
                          {l.status === 'dead' && <Button size="compact-xs" ml="xs" variant="light" onClick={() => retry.mutate(l.id)} loading={retry.isPending && retry.variables === l.id}>Relancer</Button>}
                        </List.Item>
                      ))}
                    </List>
                  </Paper>
                ))}
              </Stack>
            )}
          </section>
          <section aria-labelledby="nogp-title">
            <Title order={2} size="h3" id="nogp-title" mb="xs">Patients sans médecin traitant déclaré ({alerts.data.missingGpMore ? `les ${alerts.data.missingGp.length} premiers par nom, d'autres suivent` : alerts.data.missingGp.length})</Title>
            {alerts.data.missingGp.length === 0 ? <Text>Tous les patients ont un médecin traitant déclaré.</Text> : (
              <Table.ScrollContainer minWidth={480}>
                <Table>
                  <Table.Thead><Table.Tr><Table.Th>Patient</Table.Th><Table.Th>Date de naissance</Table.Th><Table.Th>Conséquence</Table.Th></Table.Tr></Table.Thead>
                  <Table.Tbody>
                    {alerts.data.missingGp.map((p) => (
                      <Table.Tr key={p.patient}><Table.Td>{p.display}</Table.Td><Table.Td>{formatDate(p.birthDate)}</Table.Td><Table.Td>{p.message}</Table.Td></Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </section>
        </Stack>
      )}
    </Page>
  );
}
