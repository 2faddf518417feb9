import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Paper, SimpleGrid, Text, Title } from '@mantine/core';
import type { IndicatorReport } from '../../api/rcp.ts';
import { boardShortName } from '../../lib/board-name.ts';

/**
 * The 3C indicators as charts (@mantine/charts over recharts). Loaded on demand by the indicators
 * page only: recharts never weighs on the first page of anyone. Each chart has a text summary
 * beside it for screen readers (the SVG itself is hidden from them).
 */
const FRENCH = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
const frenchNumber = (value: number) => FRENCH.format(value);

export default function IndicatorCharts({ report }: { report: IndicatorReport }) {
  const boards = report.boards.map((b) => ({
    rcp: boardShortName(b.board.name),
    'Séances tenues': b.sessionsHeld,
    'Dossiers par séance': b.sessionsHeld ? Math.round((b.casesPresented / b.sessionsHeld) * 10) / 10 : 0,
    // No session held, no rate: no bar and « non mesuré » (it said 0 where the table said —).
    'Taux de quorum (%)': b.quorumRate === null ? null : Math.round(b.quorumRate * 100),
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
  // Section titles under the page's h1 (an h3 here skipped a level).
  const chart = (title: string, summary: string, body: React.ReactNode, testId: string) => (
    <Paper withBorder p="md" data-testid={testId}>
      <Title order={2} size="h5" mb="xs">{title}</Title>
      <Text size="xs" c="dimmed" mb="xs">{summary}</Text>
      <div aria-hidden="true">{body}</div>
    </Paper>
  );
  const list = (key: keyof (typeof boards)[number]) => boards.map((b) => `${b.rcp} : ${typeof b[key] === 'number' ? frenchNumber(b[key] as number) : b[key] ?? 'non mesuré'}`).join(' ; ');
  // Numbers written the French way (1,5 not 1.5); bars laid out horizontally, so each board's whole
  // name is written beside its bar (under vertical bars, long names were dropped or cut).
  const common = { barChartProps: { accessibilityLayer: false }, valueFormatter: frenchNumber, withTooltip: true } as const;
  const byBoard = { ...common, orientation: 'vertical' as const, dataKey: 'rcp', h: Math.max(160, boards.length * 40 + 40), yAxisProps: { width: 190 } };
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      {chart('Séances tenues', list('Séances tenues'), <BarChart {...byBoard} data={boards} series={[{ name: 'Séances tenues', color: 'blue.7' }]} xAxisProps={{ allowDecimals: false }} />, 'chart-sessions')}
      {chart('Dossiers par séance', list('Dossiers par séance'), <BarChart {...byBoard} data={boards} series={[{ name: 'Dossiers par séance', color: 'teal.7' }]} />, 'chart-cases')}
      {chart('Taux de quorum', list('Taux de quorum (%)'), <BarChart {...byBoard} data={boards} series={[{ name: 'Taux de quorum (%)', color: 'green.7' }]} xAxisProps={{ domain: [0, 100] }} />, 'chart-quorum')}
      {chart('Délais (tous dossiers)', delays.map((d) => `${d.étape} : médiane ${frenchNumber(d['Médiane (jours)'])} j`).join(' ; '), <BarChart {...common} orientation="vertical" yAxisProps={{ width: 150 }} withLegend h={260} data={delays} dataKey="étape" series={[{ name: 'Médiane (jours)', color: 'indigo.7' }, { name: '90e centile (jours)', color: 'grape.7' }]} />, 'chart-delays')}
      {chart('PPS remis et essais cliniques proposés', `${list('PPS remis (%)')} — essais : ${list('Essais proposés (%)')}`, <BarChart {...byBoard} withLegend h={Math.max(200, boards.length * 56 + 60)} data={boards} series={[{ name: 'PPS remis (%)', color: 'orange.7' }, { name: 'Essais proposés (%)', color: 'cyan.7' }]} xAxisProps={{ domain: [0, 100] }} />, 'chart-pps')}
    </SimpleGrid>
  );
}
