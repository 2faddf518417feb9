import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { rcp, SESSION_STATE_LABEL, type PendingRegistration, type Session } from '../../api/rcp.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDateTime, formatWeekday, parisDay } from '../../lib/dates.ts';
import { describeRrule } from '../../lib/recurrence.ts';
import { sessionPlaceText } from '../../lib/agenda-words.ts';

const CALENDAR_DAYS = 60;

/**
 * /coordination — the 3C coordinator's home: the boards of the 3C (create, edit) and the calendar
 * of their coming sessions (the next two months), each opening its agenda; first, the requests
 * awaiting the 3C's answer across all its sessions (the QA opened 19 sessions to find 3).
 */
export default function CoordinationHomePage() {
  const boards = useQuery({ queryKey: ['rcp', 'boards'], queryFn: () => rcp.boards() });
  const today = parisDay();
  const until = parisDay(new Date(Date.now() + CALENDAR_DAYS * 86_400_000));
  const sessions = useQueries({
    queries: (boards.data ?? []).filter((b) => b.active !== false).map((b) => ({
      queryKey: ['rcp', 'sessions', b.id, today, until],
      queryFn: () => rcp.sessions(b.id, { from: today, to: until }),
    })),
  });
  const calendar: Session[] = sessions.flatMap((s) => s.data ?? []).sort((a, b) => a.start.localeCompare(b.start));
  const sessionsError = sessions.find((s) => s.error)?.error;

  return (
    <Page
      title="Coordination RCP"
      subtitle="Les RCP du 3C, leurs séances et leur suivi"
      actions={
        <>
          <Button component={Link} to="/coordination/rcp/nouvelle">Nouvelle RCP</Button>
          <Button component={Link} to="/coordination/indicateurs" variant="light">Indicateurs</Button>
          <Button component={Link} to="/coordination/envois" variant="light">Envois et alertes</Button>
        </>
      }
    >
      <Stack gap="lg">
        <PendingRequests />
        <section aria-labelledby="boards-title">
          <Title order={2} size="h3" id="boards-title" mb="xs">Les RCP</Title>
          {boards.isPending && <Loading label="Chargement des RCP…" />}
          {boards.error && <ErrorMessage error={boards.error} onRetry={() => void boards.refetch()} />}
          {boards.data && (boards.data.length === 0 ? <Text>Aucune RCP pour le moment : créez-en une.</Text> : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr><Table.Th>RCP</Table.Th><Table.Th>Nature</Table.Th><Table.Th>Rythme</Table.Th><Table.Th>Membres</Table.Th><Table.Th>Capacité</Table.Th></Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {boards.data.map((b) => (
                    <Table.Tr key={b.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/coordination/rcp/${b.id}`}>{b.name}</Anchor>
                        {b.active === false && <Badge ml="xs" color="gray.7" variant="filled">inactive</Badge>}
                      </Table.Td>
                      <Table.Td>{b.kind === 'organ' ? `Organe${b.organ ? ` (${b.organ})` : ''}` : 'Transversale'}</Table.Td>
                      <Table.Td>{b.schedule ? describeRrule(b.schedule.rrule, b.schedule.startTime) : '—'}</Table.Td>
                      <Table.Td>{b.members.length}</Table.Td>
                      <Table.Td>{b.capacity} dossiers</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ))}
        </section>

        <section aria-labelledby="calendar-title">
          <Title order={2} size="h3" id="calendar-title" mb="xs">Calendrier des séances (deux prochains mois)</Title>
          {sessionsError ? <ErrorMessage error={sessionsError} /> : null}
          {boards.data && sessions.some((s) => s.isPending) && <Loading label="Chargement des séances…" />}
          {boards.data && !sessions.some((s) => s.isPending) && (calendar.length === 0 ? <Text>Aucune séance prévue.</Text> : (
            <Table.ScrollContainer minWidth={560}>
              <Table>
                <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>RCP</Table.Th><Table.Th>État</Table.Th><Table.Th>Lieu</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {calendar.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/coordination/seances/${s.id}`}>{formatWeekday(s.start)}</Anchor>
                        <Text size="xs" c="dimmed">{formatDateTime(s.start).split(' à ')[1] ?? ''}</Text>
                      </Table.Td>
                      <Table.Td>{s.boardName}</Table.Td>
                      <Table.Td><Badge variant="filled" color={s.state === 'cancelled' ? 'gray.7' : s.state === 'in-progress' ? '#9a4400' : 'blue.9'}>{SESSION_STATE_LABEL[s.state]}</Badge></Table.Td>
                      <Table.Td>{sessionPlaceText(s)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ))}
          <Group mt="xs"><Text size="sm" c="dimmed">Chaque RCP a son lien iCal (page de la RCP) pour l'agenda des membres.</Text></Group>
        </section>
      </Stack>
    </Page>
  );
}

/** « Demandes en attente »: every request awaiting the 3C's answer, each opening its session's queue. */
function PendingRequests() {
  const pending = useQuery({ queryKey: ['rcp', 'registrations', 'pending'], queryFn: () => rcp.pendingRegistrations() });
  const rows: PendingRegistration[] = pending.data ?? [];
  return (
    <section aria-labelledby="pending-title" data-testid="pending-requests">
      <Title order={2} size="h3" id="pending-title" mb="xs">Demandes en attente{pending.data ? ` (${rows.length})` : ''}</Title>
      {pending.isPending && <Loading label="Chargement des demandes…" />}
      {pending.error && <ErrorMessage error={pending.error} onRetry={() => void pending.refetch()} />}
      {pending.data && (rows.length === 0 ? <Text>Aucune demande d’inscription en attente.</Text> : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped>
            <Table.Thead>
              <Table.Tr><Table.Th>Patient</Table.Th><Table.Th>Demandeur</Table.Th><Table.Th>RCP</Table.Th><Table.Th>Séance demandée</Table.Th><Table.Th>Demandée le</Table.Th><Table.Th>Action</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.case}>
                  <Table.Td><Text fw={600} size="sm">{r.patientName ?? 'Patient'}</Text>{r.birthYear && <Text size="xs">né(e) en {r.birthYear}</Text>}</Table.Td>
                  <Table.Td>{r.requesterDisplay ?? r.requester}</Table.Td>
                  <Table.Td>{r.boardName}</Table.Td>
                  <Table.Td>{r.sessionStart ? formatDateTime(r.sessionStart) : '—'}{r.late && <Badge color="red.9" variant="filled" ml={4}>Demande tardive</Badge>}</Table.Td>
                  <Table.Td>{formatDateTime(r.registeredAt)}</Table.Td>
                  <Table.Td>
                    {r.sessionId
                      ? <Anchor component={Link} to={`/coordination/seances/${r.sessionId}`} aria-label={`Examiner la demande pour ${r.patientName ?? 'ce patient'}`}>Examiner</Anchor>
                      : '—'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ))}
    </section>
  );
}
