import { Anchor, Badge, Button, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ACTION_LABEL, auditCsv, security, type AuditAction } from '../../api/security.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDateTime } from '../../lib/dates.ts';

const ROLE_LABEL: Record<string, string> = { physician: 'médecin', gp: 'médecin généraliste', nurse: 'infirmier', pharmacist: 'pharmacien', coordinator: '3C', admin: 'administrateur', system: 'système' };

/**
 * /securite — "Qui a consulté ce dossier": the audit trail of a patient's record (every read and
 * write is traced by the server), filtered by professional, period and action, exported as CSV
 * for the answer to the patient.
 */
export default function SecurityHomePage() {
  const [params, setParams] = useSearchParams();
  const [input, setInput] = useState(params.get('patient') ?? '');
  const patientId = (params.get('patient') ?? '').replace(/^Patient\//, '').trim();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [professional, setProfessional] = useState<string | null>(null);
  const [action, setAction] = useState<string | null>(null);
  const trail = useQuery({ queryKey: ['audit', patientId, from, to], queryFn: () => security.trail(patientId, { from, to }), enabled: /^[A-Za-z0-9\-.]{1,64}$/.test(patientId) });
  const professionals = [...new Set((trail.data ?? []).map((l) => l.professional))].sort();
  const lines = (trail.data ?? []).filter((l) => (!professional || l.professional === professional) && (!action || l.action === action));
  const download = () => {
    const url = URL.createObjectURL(new Blob([`\uFEFF${auditCsv(lines)}`], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `acces-dossier-${patientId}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Page title="Qui a consulté ce dossier" subtitle="Journal des accès au dossier d'un patient" actions={<Button component={Link} to="/securite/acces-urgence" variant="light">Accès d'urgence à relire</Button>}>
      <form role="search" onSubmit={(e) => { e.preventDefault(); setParams(input.trim() ? { patient: input.trim().replace(/^Patient\//, '') } : {}); }}>
        <Group align="flex-end">
          <TextInput label="Identifiant du dossier patient" description="Patient/… tel qu'il figure dans la demande du patient" value={input} onChange={(e) => setInput(e.currentTarget.value)} w={360} />
          <Button type="submit">Afficher les accès</Button>
        </Group>
      </form>
      {patientId && (
        <Group align="flex-end">
          <Select label="Professionnel" data={professionals} value={professional} onChange={setProfessional} clearable searchable w={260} placeholder="Tous" />
          <TextInput type="date" label="Du" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput type="date" label="Au" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          <Select label="Action" data={Object.entries(ACTION_LABEL).map(([value, label]) => ({ value, label }))} value={action} onChange={setAction} clearable w={180} placeholder="Toutes" />
          <Button variant="light" onClick={download} disabled={!lines.length}>Exporter en CSV</Button>
        </Group>
      )}
      {trail.isFetching && <Loading label="Chargement du journal…" />}
      {trail.error && <ErrorMessage error={trail.error} onRetry={() => void trail.refetch()} />}
      {trail.data && (lines.length === 0 ? <Text>Aucun accès enregistré avec ces critères.</Text> : (
        <>
          <Text size="sm" role="status">{lines.length} accès{trail.data.length >= 500 ? ' (les 500 plus récents : resserrez la période)' : ''}</Text>
          <Table.ScrollContainer minWidth={760}>
            <Table striped data-testid="audit-trail">
              <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>Professionnel</Table.Th><Table.Th>Action</Table.Th><Table.Th>Objet</Table.Th><Table.Th>Résultat</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {lines.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>{formatDateTime(l.recorded)}</Table.Td>
                    <Table.Td>{l.professional}<Text size="xs" c="dimmed">{l.roles.map((r) => ROLE_LABEL[r] ?? r).join(', ')}</Text></Table.Td>
                    <Table.Td>{l.action ? ACTION_LABEL[l.action as AuditAction] : '—'}</Table.Td>
                    <Table.Td>{l.what}{l.detail && <Text size="xs">{l.detail}</Text>}</Table.Td>
                    <Table.Td>
                      {l.success ? <Badge color="#1e6b32" variant="filled">Autorisé</Badge> : <Badge color="red.9" variant="filled">Refusé</Badge>}
                      {l.breakGlass && <Badge color="red.9" ml={4}>Bris de glace</Badge>}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      ))}
      {!patientId && <Text size="sm">Saisissez l'identifiant du dossier pour voir qui l'a consulté. <Anchor component={Link} to="/securite/acces-urgence">Les accès d'urgence</Anchor> y mènent aussi.</Text>}
    </Page>
  );
}
