import { Alert, Anchor, Badge, Button, Group, List, Modal, Paper, Select, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCurrentUser } from '../../api/session.ts';
import { FLAG_LABEL, MOTIF_LABEL, rcp, SESSION_STATE_LABEL, type DocumentDelivery, type SessionDetails } from '../../api/rcp.ts';
import { ErrorMessage, LoadError, loadErrorTitle } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDateTime, formatWeekday, parisDay } from '../../lib/dates.ts';
import { useCompleteness, useSessionAgenda, type AgendaRow } from './session-data.ts';
import { placesWords, sessionPlaceText, stateWithNote } from '../../lib/agenda-words.ts';
import { bornWord } from '../../lib/patient-identity.ts';
import { signersText } from '../../lib/signers.ts';
import { missingRecipientText, reportSendingTitle } from '../../lib/report-sending.ts';

const ACTIVE = ['scheduled', 'discussed', 'recorded', 'quorum-not-reached', 'postponed'];

/**
 * /coordination/seances/:id — a session before and after it: the agenda (patient, birth year,
 * motif, requester, what the file lacks), the registration queue (accept, reject with its reason,
 * move to another session), late requests, places left; after it, what is left to sign and by
 * whom, and where each report went.
 */
export default function SessionPage() {
  const { id } = useParams();
  const { details, rows, cases } = useSessionAgenda(id!);
  const d = details.data;
  const title = d ? `Séance du ${formatWeekday(d.session.start)}` : details.error ? loadErrorTitle('session', details.error) : 'Séance de RCP';
  return (
    <Page
      title={title}
      subtitle={d ? `${d.board.name} — ${formatDateTime(d.session.start)}` : undefined}
      actions={d && (d.session.state === 'planned' || d.session.state === 'in-progress')
        ? <Button component={Link} to={`/coordination/seances/${id}/reunion`}>Mode réunion</Button>
        : undefined}
    >
      {details.isPending && <Loading label="Chargement de la séance…" />}
      {details.error && <LoadError kind="session" error={details.error} onRetry={() => void details.refetch()} />}
      {d && <SessionSummary details={d} />}
      {d && <Agenda details={d} rows={rows.filter((r) => ACTIVE.includes(r.flag) && r.state !== 'pending')} loadingCases={cases.isPending} />}
      {d && d.session.state !== 'closed' && d.session.state !== 'cancelled' && <Queue details={d} rows={rows.filter((r) => r.state === 'pending' && r.flag === 'scheduled')} />}
      {d && <LeftAgenda rows={rows.filter((r) => !ACTIVE.includes(r.flag))} />}
      {d && (d.session.state === 'closed' || rows.some((r) => r.state === 'signed')) && <AfterSession rows={rows.filter((r) => ['discussed', 'recorded'].includes(r.flag))} />}
    </Page>
  );
}

function SessionSummary({ details }: { details: SessionDetails }) {
  const { session, agenda, board } = details;
  const places = placesWords(session.state, agenda?.places.used ?? 0, board.capacity);
  return (
    <Stack gap="sm">
      {/* The planned date stays said: the members had it in their diaries (opened ahead of it, a session is planned anew there). */}
      {session.override === 'moved' && session.originalStart && (
        <Alert color="blue" data-testid="original-date">
          Séance {new Date(session.originalStart) > new Date(session.start) ? 'avancée' : 'reprogrammée'} — initialement prévue le {formatDateTime(session.originalStart)}{session.overrideReason ? ` (motif : ${session.overrideReason})` : ''}.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: places ? 4 : 3 }}>
        <Paper withBorder p="sm"><Text size="sm" c="dimmed">État</Text><Text fw={600}>{SESSION_STATE_LABEL[session.state]}</Text>{session.cancellationReason && <Text size="sm">{session.cancellationReason}</Text>}</Paper>
        {places && <Paper withBorder p="sm"><Text size="sm" c="dimmed">{places.label}</Text><Text fw={600} data-testid="places-left">{places.value}</Text></Paper>}
        <Paper withBorder p="sm">
          <Text size="sm" c="dimmed">Clôture des inscriptions</Text>
          {/* Opened, closed or cancelled, the session takes no registration whatever its deadline said. */}
          {session.state === 'planned'
            ? <Text fw={600} data-testid="registration-deadline">{formatDateTime(details.registrationDeadline)}</Text>
            : <><Text fw={600} data-testid="registration-deadline">Inscriptions closes</Text>{session.state !== 'cancelled' && <Text size="sm">depuis le {formatDateTime(details.registrationDeadline)}</Text>}</>}
        </Paper>
        <Paper withBorder p="sm"><Text size="sm" c="dimmed">Lieu</Text><Text fw={600}>{sessionPlaceText(session)}</Text>{session.videoLink && <Anchor href={session.videoLink} size="sm" target="_blank" rel="noreferrer">Lien de visioconférence</Anchor>}</Paper>
      </SimpleGrid>
    </Stack>
  );
}

function PatientCell({ row }: { row: AgendaRow }) {
  if (!row.visible) return <Text c="dimmed">Dossier hors de votre cercle de soins</Text>;
  const name = row.patientName ?? row.patient;
  // The record the 3C checks before the meeting (what the file lacks is in the next column).
  return (
    <>
      {row.patientId ? <Anchor component={Link} to={`/coordination/patients/${row.patientId}`} fw={600}>{name}</Anchor> : <Text fw={600}>{name}</Text>}
      {row.birthYear && <Text size="xs">{bornWord(row.gender)} en {row.birthYear}</Text>}
    </>
  );
}

function CompletenessCell({ caseId, query }: { caseId: string; query: ReturnType<typeof useCompleteness> extends Map<string, infer Q> ? Q | undefined : never }) {
  if (!query || query.isPending) return <Text size="sm" c="dimmed">vérification…</Text>;
  if (query.error) return <Text size="sm" c="dimmed">non vérifiable</Text>;
  const missing = query.data.missing.filter((m) => m.severity === 'error');
  if (!missing.length) return <Badge color="#1e6b32" variant="filled">Dossier complet</Badge>;
  return (
    <div data-testid={`missing-${caseId}`}>
      <Badge color="#9a4400" variant="filled">Incomplet</Badge>
      <List size="xs" mt={4}>{missing.map((m) => <List.Item key={m.label}>{m.label}</List.Item>)}</List>
    </div>
  );
}

function Agenda({ details, rows, loadingCases }: { details: SessionDetails; rows: AgendaRow[]; loadingCases: boolean }) {
  const completeness = useCompleteness(rows.filter((r) => r.visible).map((r) => r.case));
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['rcp'] });
  const [moving, setMoving] = useState<AgendaRow | undefined>();
  const [withdrawing, setWithdrawing] = useState<AgendaRow | undefined>();
  // Before the session the 3C may still move an accepted case or withdraw it (the server checks it
  // runs the board: withdrawCase, moveCase); once the session is open the meeting mode decides.
  const manages = useCurrentUser().roles.includes('coordinator') && details.session.state === 'planned';
  const actionable = (r: AgendaRow) => manages && r.flag === 'scheduled' && r.state === 'accepted';
  const actions = rows.some(actionable);
  return (
    <section aria-labelledby="agenda-title">
      <Title order={2} size="h3" id="agenda-title" mb="xs">Ordre du jour ({rows.length})</Title>
      {loadingCases && <Loading label="Chargement des dossiers…" />}
      {rows.length === 0 ? <Text>Aucun dossier accepté pour cette séance.</Text> : (
        <Table.ScrollContainer minWidth={760}>
          <Table striped data-testid="agenda">
            <Table.Thead><Table.Tr><Table.Th>N°</Table.Th><Table.Th>Patient</Table.Th><Table.Th>Motif et question</Table.Th><Table.Th>Demandeur</Table.Th><Table.Th>Complétude</Table.Th><Table.Th>État</Table.Th>{actions && <Table.Th>Actions</Table.Th>}</Table.Tr></Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.case}>
                  <Table.Td>{r.position}</Table.Td>
                  <Table.Td><PatientCell row={r} /></Table.Td>
                  <Table.Td>{r.rcpCase && <Text size="sm" fw={600}>{MOTIF_LABEL[r.rcpCase.motif] ?? r.rcpCase.motif}</Text>}<Text size="sm">{r.question}</Text></Table.Td>
                  <Table.Td>{r.requester}</Table.Td>
                  <Table.Td>{r.visible ? <CompletenessCell caseId={r.case} query={completeness.get(r.case)} /> : '—'}</Table.Td>
                  <Table.Td>
                    <Badge variant="filled">{FLAG_LABEL[r.flag]}</Badge>
                    {r.late && <Badge color="red.9" variant="filled" ml={4}>Demande tardive</Badge>}
                    {r.origin === 'carried-over' && <Text size="xs">{r.note}</Text>}
                  </Table.Td>
                  {actions && (
                    <Table.Td>
                      {actionable(r) && (
                        <Group gap={4}>
                          <Button size="compact-xs" variant="default" aria-label={`Déplacer le dossier de ${r.patientName ?? r.patient}`} onClick={() => setMoving(r)}>Déplacer</Button>
                          <Button size="compact-xs" variant="outline" color="red.9" aria-label={`Retirer de la séance le dossier de ${r.patientName ?? r.patient}`} onClick={() => setWithdrawing(r)}>Retirer de la séance</Button>
                        </Group>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {moving && <MoveDialog row={moving} boardId={details.board.id} sessionId={details.session.id} onClose={() => setMoving(undefined)} onDone={refresh} />}
      {withdrawing && <WithdrawDialog row={withdrawing} onClose={() => setWithdrawing(undefined)} onDone={refresh} />}
    </section>
  );
}

/** Withdrawing a case is final (the request is revoked): the dialog asks for the reason, given to the requester, and confirms. */
function WithdrawDialog({ row, onClose, onDone }: { row: AgendaRow; onClose: () => void; onDone: () => Promise<unknown> }) {
  const [reason, setReason] = useState('');
  const withdraw = useMutation({
    mutationFn: () => rcp.withdraw(row.case, reason.trim()),
    onSuccess: async () => { await onDone(); notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: 'Dossier retiré de la séance' }); onClose(); },
  });
  return (
    <Modal opened onClose={onClose} title={`Retirer le dossier de la séance ? — ${row.patientName ?? row.patient}`}>
      <form onSubmit={(e) => { e.preventDefault(); withdraw.mutate(); }}>
        <Stack>
          <Text size="sm">Le dossier quitte l’ordre du jour et la demande d’inscription est close : il ne sera pas discuté. Pour le présenter à une autre séance, déplacez-le plutôt.</Text>
          <Textarea label="Motif du retrait" description="Gardé dans l’historique du dossier" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
          {withdraw.error && <ErrorMessage error={withdraw.error} />}
          <Group justify="flex-end"><Button variant="default" onClick={onClose}>Annuler</Button><Button type="submit" color="red.9" loading={withdraw.isPending} disabled={!reason.trim()}>Retirer de la séance</Button></Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Queue({ details, rows }: { details: SessionDetails; rows: AgendaRow[] }) {
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState<AgendaRow | undefined>();
  const [moving, setMoving] = useState<AgendaRow | undefined>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['rcp'] });
  // A request answered stays answered until the list is read again: a second click (a double click,
  // or one while the list reloads) met « Modification concurrente — le dossier est déjà accepté ».
  const answered = useRef(new Set<string>());
  const [, setAnswered] = useState(0);
  const accept = useMutation({
    mutationFn: (row: AgendaRow) => rcp.accept(row.case),
    onError: (_e, row) => { answered.current.delete(row.case); setAnswered((n) => n + 1); },
    onSuccess: async (_c, row) => { await refresh(); notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: `Dossier de ${row.patientName ?? row.patient} accepté` }); },
  });
  const acceptOnce = (row: AgendaRow) => {
    // Marked before the request leaves: two clicks in one frame both ran before any re-render.
    if (answered.current.has(row.case)) return;
    answered.current.add(row.case);
    setAnswered((n) => n + 1);
    accept.mutate(row);
  };
  const left = details.board.capacity - (details.agenda?.places.used ?? 0);
  return (
    <section aria-labelledby="queue-title">
      <Title order={2} size="h3" id="queue-title" mb="xs">Demandes d'inscription à traiter ({rows.length})</Title>
      {left <= 0 && rows.length > 0 && <Alert color="orange" role="status" mb="xs">La séance est complète : déplacez les demandes vers une autre séance.</Alert>}
      {accept.error && <ErrorMessage error={accept.error} />}
      {rows.length === 0 ? <Text>Aucune demande en attente.</Text> : (
        <Stack gap="xs" data-testid="queue">
          {rows.map((r) => (
            <Paper key={r.case} withBorder p="sm" aria-label={`Demande : ${r.patientName ?? r.patient ?? r.case}`} component="article">
              <Group justify="space-between" align="flex-start">
                <div>
                  <PatientCell row={r} />
                  <Text size="sm">{r.rcpCase ? `${MOTIF_LABEL[r.rcpCase.motif] ?? r.rcpCase.motif} — ` : ''}{r.question}</Text>
                  <Text size="sm" c="dimmed">Demandé par {r.requester}{r.late ? '' : ''}</Text>
                  {r.late && <Badge color="red.9" variant="filled">Demande tardive (après la clôture des inscriptions)</Badge>}
                </div>
                <Group gap="xs">
                  <Button size="xs" onClick={() => acceptOnce(r)} loading={answered.current.has(r.case)}>Accepter</Button>
                  <Button size="xs" variant="light" color="red" onClick={() => setRejecting(r)}>Refuser</Button>
                  <Button size="xs" variant="default" onClick={() => setMoving(r)}>Déplacer</Button>
                </Group>
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
      {rejecting && <RejectDialog row={rejecting} onClose={() => setRejecting(undefined)} onDone={refresh} />}
      {moving && <MoveDialog row={moving} boardId={details.board.id} sessionId={details.session.id} onClose={() => setMoving(undefined)} onDone={refresh} />}
    </section>
  );
}

function RejectDialog({ row, onClose, onDone }: { row: AgendaRow; onClose: () => void; onDone: () => Promise<unknown> }) {
  const [reason, setReason] = useState('');
  const reject = useMutation({
    mutationFn: () => rcp.reject(row.case, reason.trim()),
    onSuccess: async () => { await onDone(); notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: 'Demande refusée : le médecin demandeur en est informé' }); onClose(); },
  });
  return (
    <Modal opened onClose={onClose} title={`Refuser la demande — ${row.patientName ?? row.patient}`}>
      <form onSubmit={(e) => { e.preventDefault(); reject.mutate(); }}>
        <Stack>
          <Textarea label="Motif du refus" description="Communiqué au médecin demandeur" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
          {reject.error && <ErrorMessage error={reject.error} />}
          <Group justify="flex-end"><Button variant="default" onClick={onClose}>Annuler</Button><Button type="submit" color="red.9" loading={reject.isPending} disabled={!reason.trim()}>Refuser la demande</Button></Group>
        </Stack>
      </form>
    </Modal>
  );
}

function MoveDialog({ row, boardId, sessionId, onClose, onDone }: { row: AgendaRow; boardId: string; sessionId: string; onClose: () => void; onDone: () => Promise<unknown> }) {
  const sessions = useQuery({ queryKey: ['rcp', 'sessions', boardId, 'planned'], queryFn: () => rcp.sessions(boardId, { state: 'planned', from: parisDay() }) });
  const [target, setTarget] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const move = useMutation({
    mutationFn: () => rcp.move(row.case, target!, reason.trim()),
    onSuccess: async () => { await onDone(); notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: 'Dossier déplacé' }); onClose(); },
  });
  return (
    <Modal opened onClose={onClose} title={`Déplacer le dossier — ${row.patientName ?? row.patient}`}>
      <form onSubmit={(e) => { e.preventDefault(); move.mutate(); }}>
        <Stack>
          {sessions.error && <ErrorMessage error={sessions.error} />}
          <Select label="Nouvelle séance" data={(sessions.data ?? []).filter((s) => s.id !== sessionId).map((s) => ({ value: s.id, label: formatDateTime(s.start) }))} value={target} onChange={setTarget} required />
          <Textarea label="Raison" value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
          {move.error && <ErrorMessage error={move.error} />}
          <Group justify="flex-end"><Button variant="default" onClick={onClose}>Annuler</Button><Button type="submit" loading={move.isPending} disabled={!target}>Déplacer</Button></Group>
        </Stack>
      </form>
    </Modal>
  );
}

function LeftAgenda({ rows }: { rows: AgendaRow[] }) {
  if (!rows.length) return null;
  return (
    <section aria-labelledby="left-title">
      <Title order={2} size="h3" id="left-title" mb="xs">Dossiers sortis de l'ordre du jour</Title>
      <List size="sm">
        {/* A case carried over at the close keeps its number in the session (the server's rule): the meeting showed it. */}
        {rows.map((r) => <List.Item key={`${r.case}-${r.flag}`}>{r.position ? `${r.position}. ` : ''}{r.patientName ?? (r.visible ? r.patient : 'Dossier hors de votre cercle de soins')} — {stateWithNote(FLAG_LABEL[r.flag], r.note)}</List.Item>)}
      </List>
    </section>
  );
}

const DELIVERY_COLOR: Record<string, string> = { delivered: '#1e6b32', 'in-progress': 'blue.9', queued: 'blue.9', failed: 'red.9', withheld: 'gray.7', 'no-recipient': '#9a4400', incomplete: '#9a4400' };

function AfterSession({ rows }: { rows: AgendaRow[] }) {
  const queryClient = useQueryClient();
  const signed = rows.filter((r) => r.state === 'signed' || r.rcpCase?.report);
  const toSign = rows.filter((r) => !(r.state === 'signed' || r.rcpCase?.report));
  const deliveries = useQueries({
    queries: signed.map((r) => ({ queryKey: ['deliveries', 'case', r.case], queryFn: () => rcp.deliveriesOfCase(r.case), retry: false })),
  });
  const retry = useMutation({
    mutationFn: (id: string) => rcp.retry(id),
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ['deliveries'] }); notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: 'Envoi relancé' }); },
  });
  return (
    <section aria-labelledby="after-title">
      <Title order={2} size="h3" id="after-title" mb="xs">Après la séance</Title>
      <Title order={3} size="h4" mb="xs">Comptes rendus à signer ({toSign.length})</Title>
      {/* Nothing discussed nor recorded: there is no report at all, not « all signed ». */}
      {rows.length === 0 ? <Text mb="sm" data-testid="no-report">Aucun compte rendu à signer : aucun dossier n’a été discuté ni enregistré lors de cette séance.</Text>
        : toSign.length === 0 ? <Text mb="sm">Tous les comptes rendus sont signés.</Text> : (
        <List size="sm" mb="sm" data-testid="to-sign">
          {/* The case's status after the patient's name: at the end it read as a note on the last signer. */}
          {toSign.map((r) => <List.Item key={r.case}>{r.patientName ?? r.patient} (dossier {FLAG_LABEL[r.flag].toLowerCase()}) — à signer par {r.signers ? signersText(r.signers, r.rcpCase?.requester) : 'un médecin qui a participé à la discussion du dossier'}</List.Item>)}
        </List>
      )}
      <Title order={3} size="h4" mb="xs">Envoi des comptes rendus</Title>
      {retry.error && <ErrorMessage error={retry.error} />}
      <Stack gap="xs" data-testid="deliveries">
        {signed.map((r, i) => {
          const q = deliveries[i]!;
          const documents: DocumentDelivery[] = q.data?.documents ?? [];
          return (
            <Paper key={r.case} withBorder p="sm">
              <Text fw={600}>{r.patientName ?? r.patient}</Text>
              {q.isPending && <Text size="sm" c="dimmed">Chargement…</Text>}
              {q.error && <Text size="sm">Aucun envoi enregistré pour ce compte rendu (pas de médecin traitant ?)</Text>}
              {documents.map((doc) => (
                <div key={doc.event.id} data-testid="report-sending">
                  {doc.report && <Text size="sm" fw={600}>{reportSendingTitle(doc.report)}</Text>}
                  <Badge color={DELIVERY_COLOR[doc.state] ?? 'gray.7'} variant="filled">{doc.stateLabel}</Badge>
                  <List size="sm">
                    {doc.missing.map((m) => <List.Item key={`missing-${m.roleLabel}`}>{missingRecipientText(m)}</List.Item>)}
                    {doc.deliveries.map((l) => (
                      <List.Item key={l.id}>
                        {l.roleLabel ?? l.channel} {l.display ?? l.recipient} : {l.statusLabel}{l.sentAt ? ` le ${formatDateTime(l.sentAt)}` : ''}{l.lastError ? ` (${l.lastError})` : ''}
                        {l.status === 'dead' && <Button size="compact-xs" ml="xs" variant="light" onClick={() => retry.mutate(l.id)}>Relancer</Button>}
                      </List.Item>
                    ))}
                  </List>
                </div>
              ))}
            </Paper>
          );
        })}
        {signed.length === 0 && <Text size="sm">Aucun compte rendu signé pour le moment.</Text>}
      </Stack>
    </section>
  );
}
