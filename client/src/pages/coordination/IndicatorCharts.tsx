import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Paper, SimpleGrid, Text, Title } from '@mantine/core';
import type { IndicatorReport } from '../../api/rcp.ts';

/**
 * The 3C indicators as charts (@mantine/charts over recharts). Loaded on demand by the indicators
 * page only: recharts never weighs on the first page of anyone. Each chart has a text summary
 * beside it for screen readers (the SVG itself is hidden from them).
 */
export default function IndicatorCharts({ report }: { report: IndicatorReport }) {
  const boards = report.boards.map((b) => ({
    rcp: b.board.name.replace(/^RCP /, ''),
    'Séances tenues': b.sessionsHeld,
    'Dossiers par séance': b.sessionsHeld ? Math.round((b.casesPresented / b.sessionsHeld) * 10) / 10 : 0,
    'Taux de quorum (%)': b.quorumRate === null ? 0 : Math.round(b.quorumRate * 100),
    'Essais proposés (%)': b.trialProposalShare === null ? 0 : Math.round(b.trialProposalShare * 100),
    'PPS remis (%)': b.ppsHandedOverShare === null ? 0 : Math.round(b.ppsHandedOverShare * 100),
  }));
  const t = report.total;
  const hours = (v: number | null) => (v === null ? 0 : Math.round((v / 24) * 10) / 10);
  const delays = [
    { étape: 'Inscription → séance', 'Médiane (jours)': hours(t.delays.registrationToSession.medianHours), '90e centile (jours)': hours(t.delays.registrationToSession.p90Hours) },
    { étape: 'Séance → signature', 'Médiane (jours)': hours(t.delays.sessionToSignature.medianHours), '90e centile (jours)': hours(t.delays.sessionToSignature.p90Hours) },
    { étape: 'Signature → envoi au médecin traitant', 'Médiane (jours)': hours(t.delays.signatureToSent.medianHours), '90e centile (jours)': hours(t.delays.signatureToSent.p90Hours) },
  ];
  const chart = (title: string, summary: string, body: React.ReactNode, testId: string) => (
    <Paper withBorder p="md" data-testid={testId}>
      <Title order={3} size="h5" mb="xs">{title}</Title>
      <Text size="xs" c="dimmed" mb="xs">{summary}</Text>
      <div aria-hidden="true">{body}</div>
    </Paper>
  );
  const list = (key: keyof (typeof boards)[number]) => boards.map((b) => `${b.rcp} : ${b[key]}`).join(' ; ');
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      {chart('Séances tenues', list('Séances tenues'), <BarChart barChartProps={{ accessibilityLayer: false }} h={220} data={boards} dataKey="rcp" series={[{ name: 'Séances tenues', color: 'blue.7' }]} />, 'chart-sessions')}
      {chart('Dossiers par séance', list('Dossiers par séance'), <BarChart barChartProps={{ accessibilityLayer: false }} h={220} data={boards} dataKey="rcp" series={[{ name: 'Dossiers par séance', color: 'teal.7' }]} />, 'chart-cases')}
      {chart('Taux de quorum', list('Taux de quorum (%)'), <BarChart barChartProps={{ accessibilityLayer: false }} h={220} data={boards} dataKey="rcp" series={[{ name: 'Taux de quorum (%)', color: 'green.7' }]} yAxisProps={{ domain: [0, 100] }} />, 'chart-quorum')}
      {chart('Délais (tous dossiers)', delays.map((d) => `${d.étape} : médiane ${d['Médiane (jours)']} j`).join(' ; '), <BarChart barChartProps={{ accessibilityLayer: false }} h={220} data={delays} dataKey="étape" series={[{ name: 'Médiane (jours)', color: 'indigo.7' }, { name: '90e centile (jours)', color: 'grape.7' }]} />, 'chart-delays')}
      {chart('PPS remis et essais cliniques proposés', `${list('PPS remis (%)')} — essais : ${list('Essais proposés (%)')}`, <BarChart barChartProps={{ accessibilityLayer: false }} h={220} data={boards} dataKey="rcp" series={[{ name: 'PPS remis (%)', color: 'orange.7' }, { name: 'Essais proposés (%)', color: 'cyan.7' }]} yAxisProps={{ domain: [0, 100] }} />, 'chart-pps')}
    </SimpleGrid>
  );
}
