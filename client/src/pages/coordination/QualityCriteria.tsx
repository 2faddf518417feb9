import { Anchor, Badge, Card, Group, List, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { EstablishmentQuality, QualityCriterion } from '../../api/rcp.ts';

const ORDER: QualityCriterion[] = ['announcement', 'rcp', 'pps-handed-over', 'guidelines', 'supportive-care', 'trials-innovation'];

/**
 * The six transversal quality criteria of the authorised establishments (annonce, RCP, PPS remis,
 * référentiels, soins de support, essais), per establishment over the period, with the cases that
 * miss each listed for follow-up — each name opens the patient's record.
 */
export function QualityCriteria({ establishments, csv }: { establishments: EstablishmentQuality[]; csv: string }) {
  return (
    <section aria-labelledby="quality-title" data-testid="quality-criteria">
      <Title order={2} size="h3" id="quality-title" mb="xs">Critères qualité transversaux</Title>
      <Text size="sm" c="dimmed" mb="xs">Nouveaux cancers de la période, par établissement : part des cas qui satisfont chacun des six critères (dispositif d’autorisation du traitement du cancer). <Anchor href={csv} download size="sm">CSV des critères qualité</Anchor></Text>
      {establishments.length === 0 && <Text size="sm">Aucun nouveau cancer enregistré sur la période.</Text>}
      <Stack gap="md">
        {establishments.map((e) => (
          <Card key={e.establishment.reference} withBorder component="article" aria-label={e.establishment.name ?? e.establishment.reference}>
            <Group justify="space-between" mb="xs">
              <Title order={3} size="h4">{e.establishment.name ?? e.establishment.reference}</Title>
              <Badge variant="light">{e.cases} cas</Badge>
            </Group>
            <Table.ScrollContainer minWidth={600}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr><Table.Th>Critère</Table.Th><Table.Th>Satisfait</Table.Th><Table.Th>Taux</Table.Th><Table.Th>Cas à suivre</Table.Th></Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {ORDER.map((k) => {
                    const c = e.criteria[k];
                    return (
                      <Table.Tr key={k} data-criterion={k}>
                        <Table.Td>{c.label}</Table.Td>
                        <Table.Td>{c.met} / {e.cases}</Table.Td>
                        <Table.Td>{c.rate.toLocaleString('fr-FR')} %</Table.Td>
                        <Table.Td>
                          {c.missing.length === 0 ? <Text size="sm" c="dimmed">Aucun</Text> : (
                            <List size="sm" spacing={2}>
                              {c.missing.map((m) => (
                                <List.Item key={`${m.patient}-${m.condition}`}>
                                  <Anchor component={Link} to={`/coordination/patients/${m.patient.split('/')[1]}`}>{m.name ?? m.patient}</Anchor>
                                </List.Item>
                              ))}
                            </List>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
        ))}
      </Stack>
    </section>
  );
}
