import { Alert, Badge, Button, Group, SegmentedControl, Select, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { professionalNumber, security, signInMethodLabel, signInsCsv, type SignInLine } from '../../api/security.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDateTime } from '../../lib/dates.ts';

type Result = 'all' | 'success' | 'failure';

/** A professional as the filter lists them: the name, and the RPPS that tells namesakes apart. */
const professionalOf = (l: SignInLine) => (l.idnps ? `${l.professional} (${professionalNumber(l.idnps)})` : l.professional);

/**
 * /securite/connexions — who signed in, how (CPS card, SAML, Pro Santé Connect), from where, and
 * the refused sign-ins with their reason: the trail held them, no page showed them. Result and
 * period are asked of the server (which traces the reading); the professional filters the list read.
 */
export default function SignInsPage() {
  const [result, setResult] = useState<Result>('all');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [professional, setProfessional] = useState<string | null>(null);
  const signIns = useQuery({
    queryKey: ['sign-ins', result, from, to],
    queryFn: () => security.signIns({ ...(result !== 'all' ? { outcome: result } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) }),
  });
  const all = signIns.data?.signIns ?? [];
  const professionals = [...new Set(all.map(professionalOf))].sort((a, b) => a.localeCompare(b, 'fr'));
  const lines = all.filter((l) => !professional || professionalOf(l) === professional);
  const partial = signIns.data?.truncated ? `Les ${all.length} connexions les plus récentes sont affichées : affinez par période pour voir les autres.` : undefined;
  const download = () => {
    const url = URL.createObjectURL(new Blob([`\uFEFF${signInsCsv(lines, partial && `Extrait partiel — ${partial}`)}`], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `connexions${result === 'failure' ? '-refusees' : result === 'success' ? '-reussies' : ''}${partial ? '-partiel' : ''}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Page
      title="Connexions"
      subtitle="Connexions et connexions refusées au DCC"
      actions={<><Button component={Link} to="/securite" variant="light">Qui a consulté ce dossier</Button><Button component={Link} to="/securite/acces-urgence" variant="light">Accès d'urgence</Button></>}
    >
      <Group align="flex-end">
        <SegmentedControl value={result} onChange={(v) => setResult(v as Result)} aria-label="Résultat" data={[{ value: 'all', label: 'Toutes' }, { value: 'success', label: 'Réussies' }, { value: 'failure', label: 'Refusées' }]} />
        <Select label="Professionnel" data={professionals} value={professional} onChange={setProfessional} clearable searchable w={300} placeholder="Tous" />
        <TextInput type="date" label="Du" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput type="date" label="Au" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        <Button variant="light" onClick={download} disabled={!lines.length}>{partial ? 'Exporter en CSV (extrait partiel)' : 'Exporter en CSV'}</Button>
      </Group>
      {signIns.isFetching && <Loading label="Chargement des connexions…" />}
      {signIns.error && <ErrorMessage error={signIns.error} onRetry={() => void signIns.refetch()} />}
      {partial && <Alert color="orange" title="Liste partielle">{partial}</Alert>}
      {signIns.data && (lines.length === 0 ? <Text>Aucune connexion enregistrée avec ces critères.</Text> : (
        <>
          <Text size="sm" role="status">{lines.length} connexion{lines.length > 1 ? 's' : ''}{lines.length !== all.length ? ` (filtrées parmi ${all.length})` : ''}</Text>
          <Table.ScrollContainer minWidth={860}>
            <Table striped data-testid="sign-ins">
              <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>Professionnel</Table.Th><Table.Th>Méthode</Table.Th><Table.Th>Adresse</Table.Th><Table.Th>Résultat</Table.Th><Table.Th>Motif</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {lines.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>{formatDateTime(l.recorded)}</Table.Td>
                    <Table.Td>{l.professional}{l.idnps && <Text size="xs" c="dimmed">{professionalNumber(l.idnps)}</Text>}</Table.Td>
                    <Table.Td>{signInMethodLabel(l.method)}</Table.Td>
                    <Table.Td>{l.address ?? '—'}</Table.Td>
                    <Table.Td>{l.success ? <Badge color="#1e6b32" variant="filled">Réussie</Badge> : <Badge color="red.9" variant="filled">Refusée</Badge>}</Table.Td>
                    <Table.Td>{l.reason ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      ))}
    </Page>
  );
}
