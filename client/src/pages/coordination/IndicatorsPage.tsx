import { Anchor, Button, Group, Paper, SimpleGrid, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { buildUrl } from '../../api/http.ts';
import { rcp } from '../../api/rcp.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { parisDay } from '../../lib/dates.ts';
import { QualityCriteria } from './QualityCriteria.tsx';

const IndicatorCharts = lazy(() => import('./IndicatorCharts.tsx'));

const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
const oneDecimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
const days = (h: number | null) => (h === null ? '—' : `${oneDecimal.format(h / 24)} j`);

/**
 * /coordination/indicateurs — the 3C indicators of a period: sessions held, cases per session,
 * quorum rate, delays (registration → session → signature → sent), PPS handed over, trial
 * proposals; charts loaded on demand, the figures in a table, and the CSV the server computes.
 */
export default function IndicatorsPage() {
  const today = parisDay();
  const [from, setFrom] = useState(parisDay(new Date(Date.now() - 365 * 86_400_000)));
  const [to, setTo] = useState(parisDay(new Date(Date.now() + 86_400_000)));
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from < to;
  const report = useQuery({ queryKey: ['rcp', 'indicators', from, to], queryFn: () => rcp.indicators({ from, to }), enabled: valid, placeholderData: keepPreviousData });
  const csv = buildUrl('/api/rcp/indicators', { from, to, format: 'csv' });
  const t = report.data?.total;
  return (
    <Page title="Indicateurs des RCP" subtitle="Activité des RCP du 3C sur la période choisie">
      <Group align="flex-end">
        <TextInput type="date" label="Du" value={from} max={today} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput type="date" label="Au" value={to} onChange={(e) => setTo(e.currentTarget.value)} error={valid ? undefined : 'La fin de la période doit suivre son début'} />
        <Button component="a" href={csv} download variant="light" disabled={!valid}>Télécharger le CSV</Button>
      </Group>
      {report.isPending && valid && <Loading label="Calcul des indicateurs…" />}
      {report.error && <ErrorMessage error={report.error} onRetry={() => void report.refetch()} />}
      {t && report.data && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <Figure label="Séances tenues" value={String(t.sessionsHeld)} />
            <Figure label="Dossiers présentés" value={String(t.casesPresented)} />
            <Figure label="Taux de quorum" value={percent(t.quorumRate)} />
            <Figure label="Comptes rendus signés" value={String(t.casesSigned)} />
          </SimpleGrid>
          <Suspense fallback={<Loading label="Chargement des graphiques…" />}>
            <IndicatorCharts report={report.data} />
          </Suspense>
          <section aria-labelledby="table-title">
            <Title order={2} size="h3" id="table-title" mb="xs">Par RCP</Title>
            <Table.ScrollContainer minWidth={900}>
              <Table striped data-testid="indicators-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>RCP</Table.Th><Table.Th>Séances tenues</Table.Th><Table.Th>Dossiers présentés</Table.Th><Table.Th>Reportés</Table.Th><Table.Th>Quorum</Table.Th>
                    <Table.Th>Inscription → séance</Table.Th><Table.Th>Séance → signature</Table.Th><Table.Th>Signature → envoi</Table.Th><Table.Th>PPS remis</Table.Th><Table.Th>Essais proposés</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...report.data.boards.map((b) => ({ name: b.board.name, i: b as typeof t })), { name: 'Total', i: t }].map(({ name, i }) => (
                    <Table.Tr key={name}>
                      <Table.Td>{name}</Table.Td><Table.Td>{i.sessionsHeld}</Table.Td><Table.Td>{i.casesPresented}</Table.Td><Table.Td>{i.casesCarriedOver}</Table.Td><Table.Td>{percent(i.quorumRate)}</Table.Td>
                      <Table.Td>{days(i.delays.registrationToSession.medianHours)}</Table.Td><Table.Td>{days(i.delays.sessionToSignature.medianHours)}</Table.Td><Table.Td>{days(i.delays.signatureToSent.medianHours)}</Table.Td>
                      <Table.Td>{percent(i.ppsHandedOverShare)}</Table.Td><Table.Td>{percent(i.trialProposalShare)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Text size="xs" c="dimmed">Délais : médianes en jours. <Anchor href={csv} download size="xs">CSV détaillé</Anchor></Text>
          </section>
          {report.data.quality && <QualityCriteria establishments={report.data.quality} csv={buildUrl('/api/rcp/indicators', { from, to, format: 'csv', table: 'quality' })} />}
        </>
      )}
    </Page>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="sm" c="dimmed">{label}</Text>
      <Text fw={700} size="xl">{value}</Text>
    </Paper>
  );
}
