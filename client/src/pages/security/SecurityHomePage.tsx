import { Alert, Anchor, Badge, Button, Group, Select, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ACTION_LABEL, auditCsv, professionalNumber, security, TRAIL_CAP, type AuditAction, type AuditPatient, type AuditTrail } from '../../api/security.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { roleLabel } from '../../lib/roles.ts';
import { formatDate, formatDateTime } from '../../lib/dates.ts';
import { deName } from '../../lib/elision.ts';
import { isFhirId } from '../../lib/fhir-id.ts';


/** `Patient/<id>` or a bare record id (as the emergency-access page links it): no lookup needed. */
const RECORD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function recordIdOf(text: string): string | undefined {
  const value = text.trim();
  if (/^Patient\//.test(value)) return value.replace(/^Patient\//, '').trim();
  return RECORD_ID.test(value) ? value : undefined;
}

const count = (n: number) => n.toLocaleString('fr-FR');

/** Why the list is not the whole trail, or undefined when it is. */
function partialNote(trail: AuditTrail): string | undefined {
  if (!trail.truncated) return undefined;
  const of = trail.total !== undefined ? ` sur ${count(trail.total)}` : '';
  return `Les ${count(trail.lines.length)} accès les plus récents${of} sont affichés (au plus ${count(TRAIL_CAP)}) : affinez par période pour voir les autres.`;
}

/**
 * /securite — "Qui a consulté ce dossier": the audit trail of a patient's record (every read and
 * write is traced by the server), filtered by professional, period and action, exported as CSV
 * for the answer to the patient. The patient is found by INS or name (a request quotes those, not
 * our record id): "no patient found" must never read as "nobody accessed the record".
 */
export default function SecurityHomePage() {
  const [params, setParams] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const [input, setInput] = useState(params.get('patient') ? `Patient/${params.get('patient')}` : q);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [professional, setProfessional] = useState<string | null>(null);
  const [action, setAction] = useState<string | null>(null);
  // An INS or a name: which patients it designates (one is shown at once, several are chosen from).
  const lookup = useQuery({ queryKey: ['audit-patients', q], queryFn: () => security.patients(q), enabled: Boolean(q) });
  const matches = lookup.data?.patients ?? [];
  const chosen: AuditPatient | undefined = params.get('patient') ? undefined : (matches.length === 1 && !lookup.data?.more ? matches[0] : undefined);
  const patientId = (params.get('patient') ?? chosen?.id ?? '').trim();
  const identity = matches.find((p) => p.id === patientId);
  const validId = isFhirId(patientId);
  // Opened by record id (the emergency accesses link so): the patient named as that list names him,
  // the read traced; the trail is read after it, so that it holds that read (a count taken before
  // it and lines read after it said « partial » for a whole trail).
  const byId = useQuery({ queryKey: ['audit-patient', patientId], queryFn: () => security.patient(patientId), enabled: validId && !identity && !(q && lookup.isPending), retry: false });
  const trail = useQuery({ queryKey: ['audit', patientId, from, to], queryFn: () => security.trail(patientId, { from, to }), enabled: validId && byId.fetchStatus !== 'fetching' });
  const professionals = [...new Set((trail.data?.lines ?? []).map((l) => l.professional))].sort();
  const lines = (trail.data?.lines ?? []).filter((l) => (!professional || l.professional === professional) && (!action || l.action === action));
  const partial = trail.data ? partialNote(trail.data) : undefined;
  const download = () => {
    const url = URL.createObjectURL(new Blob([`\uFEFF${auditCsv(lines, partial && `Extrait partiel — ${partial}`)}`], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `acces-dossier-${patientId}${partial ? '-partiel' : ''}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  // Another patient: the previous one's filters would hide lines and read as "no access".
  const show = (next: Record<string, string>) => {
    setProfessional(null);
    setAction(null);
    setParams(next);
  };
  const search = (text: string) => {
    const id = recordIdOf(text);
    show(id ? { patient: id } : text.trim() ? { q: text.trim() } : {});
  };
  return (
    <Page title="Qui a consulté ce dossier" subtitle="Journal des accès au dossier d'un patient" actions={<><Button component={Link} to="/securite/acces-urgence" variant="light">Accès d'urgence à relire</Button><Button component={Link} to="/securite/connexions" variant="light">Connexions</Button></>}>
      <form role="search" onSubmit={(e) => { e.preventDefault(); search(input); }}>
        <Group align="flex-end">
          <TextInput label="Patient" description="INS (15 caractères), nom de naissance ou identifiant du dossier (Patient/…)" value={input} onChange={(e) => setInput(e.currentTarget.value)} w={420} />
          <Button type="submit">Afficher les accès</Button>
        </Group>
      </form>
      {lookup.isFetching && <Loading label="Recherche du patient…" />}
      {lookup.error && <ErrorMessage error={lookup.error} onRetry={() => void lookup.refetch()} />}
      {q && lookup.data && !params.get('patient') && matches.length === 0 && (
        <Text role="status">Aucun patient trouvé pour « {q} ». Vérifiez l'INS ou l'orthographe du nom de naissance.</Text>
      )}
      {q && lookup.data && !params.get('patient') && !chosen && matches.length > 0 && (
        <>
          <Text role="status">{lookup.data.more ? `Plus de ${matches.length} patients pour « ${q} » : précisez (prénom, INS). Les ${matches.length} premiers :` : `${matches.length} patients pour « ${q} » : choisissez celui de la demande.`}</Text>
          <Table striped data-testid="audit-patients">
            <Table.Thead><Table.Tr><Table.Th>Patient</Table.Th><Table.Th>Né(e) le</Table.Th><Table.Th>INS</Table.Th><Table.Th><VisuallyHidden>Choix</VisuallyHidden></Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {matches.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{p.name}</Table.Td>
                  <Table.Td>{formatDate(p.birthDate)}</Table.Td>
                  <Table.Td>{p.ins ?? '—'}</Table.Td>
                  <Table.Td><Button size="xs" variant="light" onClick={() => show({ q, patient: p.id })} aria-label={`Voir les accès au dossier ${deName(p.name)}, né(e) le ${formatDate(p.birthDate)}`}>Voir les accès</Button></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
      {patientId && (
        <Text data-testid="audit-patient">
          {identity ? <>Dossier de <strong>{identity.name}</strong>, né(e) le {formatDate(identity.birthDate)}{identity.ins ? ` (INS ${identity.ins})` : ''}</>
            : byId.data ? <>Dossier de <strong>{byId.data.identity ?? byId.data.name}</strong>{byId.data.ins ? ` (INS ${byId.data.ins})` : ''}</>
            : byId.isPending && byId.fetchStatus !== 'idle' ? <>Dossier…</>
            : <>Dossier Patient/{patientId}{byId.error ? ' (identité du patient introuvable)' : ''}</>}
          {q && matches.length > 1 && <> · <Anchor component="button" type="button" onClick={() => show({ q })}>Choisir un autre patient</Anchor></>}
        </Text>
      )}
      {patientId && (
        <Group align="flex-end">
          <Select label="Professionnel" data={professionals} value={professional} onChange={setProfessional} clearable searchable w={260} placeholder="Tous" />
          <TextInput type="date" label="Du" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput type="date" label="Au" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          <Select label="Action" data={Object.entries(ACTION_LABEL).map(([value, label]) => ({ value, label }))} value={action} onChange={setAction} clearable w={180} placeholder="Toutes" />
          <Button variant="light" onClick={download} disabled={!lines.length}>{partial ? 'Exporter en CSV (extrait partiel)' : 'Exporter en CSV'}</Button>
        </Group>
      )}
      {trail.isFetching && <Loading label="Chargement du journal…" />}
      {trail.error && <ErrorMessage error={trail.error} onRetry={() => void trail.refetch()} />}
      {partial && <Alert color="orange" title="Journal partiel" data-testid="audit-partial">{partial}</Alert>}
      {trail.data && (lines.length === 0 ? <Text>Aucun accès enregistré avec ces critères.</Text> : (
        <>
          <Text size="sm" role="status">{count(lines.length)} accès{lines.length !== trail.data.lines.length ? ` (filtrés parmi ${count(trail.data.lines.length)})` : ''}</Text>
          <Table.ScrollContainer minWidth={760}>
            <Table striped data-testid="audit-trail">
              <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>Professionnel</Table.Th><Table.Th>Action</Table.Th><Table.Th>Objet</Table.Th><Table.Th>Résultat</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {lines.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>{formatDateTime(l.recorded)}</Table.Td>
                    <Table.Td>{l.professional}<Text size="xs" c="dimmed">{roleLabel(l.roles)}{l.idnps ? ` · ${professionalNumber(l.idnps)}` : ''}</Text></Table.Td>
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
      {!patientId && !q && <Text size="sm">Saisissez l'INS, le nom de naissance ou l'identifiant du dossier du patient pour voir qui l'a consulté. <Anchor component={Link} to="/securite/acces-urgence">Les accès d'urgence</Anchor> y mènent aussi.</Text>}
    </Page>
  );
}
