import {
  Alert, Anchor, Badge, Button, Checkbox, CopyButton, Group, List, MultiSelect, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Bundle, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError } from '../../api/http.ts';
import { useCurrentUser } from '../../api/session.ts';
import { rcp, SESSION_STATE_LABEL, type Board, type BoardSettings, type DateOverride } from '../../api/rcp.ts';
import { ErrorMessage, LoadError, loadErrorTitle } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDateTime, formatWeekday, parisDay } from '../../lib/dates.ts';
import { fieldErrorsOf, unplacedIssues } from '../../lib/field-errors.ts';
import {
  describeRecurrence, describeRrule, FREQUENCY_LABEL, fromRrule, RANK_LABEL, toRrule, WEEKDAY_LABEL, type Frequency, type Rank, type Weekday,
} from '../../lib/recurrence.ts';
import { specialityName } from '../../lib/quorum-words.ts';
import { nextDates } from './recurrence-preview.ts';

const R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

/** The fields of the board form and the paths of the server's rules shown beside each. */
const BOARD_FIELDS = {
  name: ['name'],
  members: ['members'],
  quorum: ['quorum'],
  startTime: ['schedule.startTime'],
  endTime: ['schedule.endTime'],
  schedule: ['schedule'],
  overrides: ['overrides'],
  videoLink: ['videoLink'],
} satisfies Record<string, string[]>;

/** The error with only the issues no field of the form shows (undefined when every issue has its field). */
function unplacedError(error: ApiError, fields: Record<string, string[]>): ApiError | undefined {
  const rest = unplacedIssues(error.outcome?.issue, fields);
  if (!rest.length) return undefined;
  const texts = [...new Set(rest.map((i) => i.details?.text ?? i.diagnostics).filter((t): t is string => Boolean(t)))];
  return new ApiError(error.status, texts.join(' ') || error.message, { ...error.outcome!, issue: rest });
}

interface Professional { ref: string; name: string; speciality?: { code: string; display?: string } }

function professionalOf(p: Practitioner): Professional {
  const n = p.name?.[0];
  const coding = p.qualification?.flatMap((q) => q.code.coding ?? []).find((c) => c.system === R38 && c.code);
  return {
    ref: `Practitioner/${p.id}`,
    name: [n?.prefix?.[0], ...(n?.given ?? []), n?.family].filter(Boolean).join(' ') || `Practitioner/${p.id}`,
    ...(coding ? { speciality: { code: coding.code!, ...(coding.display ? { display: coding.display } : {}) } } : {}),
  };
}

interface FormState {
  name: string;
  kind: 'organ' | 'transversal';
  organ: string;
  members: string[];
  chair: string | null;
  mandated: string[];
  minSpecialities: number;
  writtenOpinionCounts: boolean;
  frequency: Frequency;
  rank: Rank;
  weekday: Weekday;
  startTime: string;
  endTime: string;
  from: string;
  rrule?: string; // a rule the form does not offer, kept as it is
  overrides: DateOverride[];
  registrationCutoffHours: number;
  capacity: number;
  place: string;
  videoLink: string;
  active: boolean;
}

function formOf(board: Board | undefined): FormState {
  const r = fromRrule(board?.schedule?.rrule);
  return {
    name: board?.name ?? '',
    kind: board?.kind ?? 'organ',
    organ: board?.organ ?? '',
    members: board?.members.map((m) => m.practitioner) ?? [],
    chair: board?.members.find((m) => m.chair)?.practitioner ?? null,
    mandated: board?.quorum.mandated.flatMap((m) => m.anyOf.slice(0, 1).map((s) => s.code)) ?? [],
    minSpecialities: board?.quorum.minSpecialities ?? 3,
    writtenOpinionCounts: board?.quorum.writtenOpinionCounts ?? false,
    frequency: r?.frequency ?? 'monthly',
    rank: r?.rank ?? 2,
    weekday: r?.weekday ?? 'TU',
    startTime: board?.schedule?.startTime ?? '13:00',
    endTime: board?.schedule?.endTime ?? '14:30',
    from: board?.schedule?.from ?? parisDay(),
    ...(board?.schedule && !r ? { rrule: board.schedule.rrule } : {}),
    overrides: board?.overrides ?? [],
    registrationCutoffHours: board?.registrationCutoffHours ?? 48,
    capacity: board?.capacity ?? 20,
    place: board?.place ?? '',
    videoLink: board?.videoLink ?? '',
    active: board?.active !== false,
  };
}

/**
 * /coordination/rcp/nouvelle and /coordination/rcp/:id — a board's charter: organ or transversal,
 * members and mandated specialities, quorum, recurrence said in French with its next dates,
 * holidays and moved dates, cut-off, capacity, place, video link; then its sessions (generate,
 * list) and its iCal link.
 */
export default function BoardPage() {
  const { id } = useParams();
  const board = useQuery({ queryKey: ['rcp', 'board', id], queryFn: () => rcp.board(id!), enabled: Boolean(id) });
  if (id && board.isPending) return <Page title="RCP"><Loading /></Page>;
  if (id && board.error) return <Page title={loadErrorTitle('board', board.error)}><LoadError kind="board" error={board.error} onRetry={() => void board.refetch()} /></Page>;
  return (
    <Page title={board.data ? board.data.name : 'Nouvelle RCP'} subtitle={board.data?.coordinationCentreDisplay}>
      <BoardForm key={board.data?.version ?? 'new'} board={board.data} />
      {board.data && <BoardSessions board={board.data} />}
    </Page>
  );
}

function BoardForm({ board }: { board: Board | undefined }) {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>(() => formOf(board));
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const directory = useQuery({
    queryKey: ['directory', 'practitioners'],
    queryFn: async () => ((await api<Bundle<Practitioner>>('/fhir/Practitioner', { query: { _count: 200 } })).entry ?? []).map((e) => professionalOf(e.resource!)),
    staleTime: 600_000,
  });
  // The 3C of a new board: the organisation of the coordinator's role (the server checks it).
  const centre = useQuery({
    queryKey: ['directory', 'my-centre', user?.practitionerId],
    enabled: !board && Boolean(user?.practitionerId),
    queryFn: async () => {
      const boards = await rcp.boards();
      if (boards[0]) return boards[0].coordinationCentre;
      const roles = await api<Bundle<PractitionerRole>>('/fhir/PractitionerRole', { query: { practitioner: `Practitioner/${user!.practitionerId}` } });
      return roles.entry?.map((e) => e.resource?.organization?.reference).find(Boolean) ?? '';
    },
  });
  const professionals = directory.data ?? [];
  const byRef = useMemo(() => new Map(professionals.map((p) => [p.ref, p])), [professionals]);
  const memberSpecialities = [...new Map(form.members.map((m) => byRef.get(m)?.speciality).filter((s): s is NonNullable<typeof s> => Boolean(s)).map((s) => [s.code, s])).values()];

  const recurrence = { frequency: form.frequency, weekday: form.weekday, ...(form.frequency === 'monthly' ? { rank: form.rank } : {}) };
  const rrule = form.rrule ?? toRrule(recurrence);
  const preview = nextDates(rrule, form.from, 4, form.startTime, parisDay());

  const settings = (): BoardSettings => ({
    ...(board?.code ? { code: board.code } : {}),
    name: form.name.trim(),
    kind: form.kind,
    ...(form.organ.trim() ? { organ: form.organ.trim() } : {}),
    coordinationCentre: board?.coordinationCentre ?? centre.data ?? '',
    members: form.members.map((ref) => {
      const previous = board?.members.find((m) => m.practitioner === ref);
      const p = byRef.get(ref);
      const speciality = previous?.speciality ?? p?.speciality;
      const display = previous?.display ?? p?.name;
      return { practitioner: ref, ...(display ? { display } : {}), ...(speciality ? { speciality } : {}), membership: previous?.membership ?? 'fixed', ...(form.chair === ref ? { chair: true } : {}) };
    }),
    quorum: {
      minSpecialities: form.minSpecialities,
      relevantSpecialities: board?.quorum.relevantSpecialities ?? [],
      mandated: form.mandated.map((code) => {
        const kept = board?.quorum.mandated.find((m) => m.anyOf[0]?.code === code);
        if (kept) return kept;
        const s = memberSpecialities.find((x) => x.code === code);
        return { label: s?.display ? specialityName(s.display) : code, anyOf: [{ code, ...(s?.display ? { display: s.display } : {}) }] };
      }),
      writtenOpinionCounts: form.writtenOpinionCounts,
    },
    schedule: { rrule, startTime: form.startTime, endTime: form.endTime, from: form.from, timeZone: 'Europe/Paris', ...(board?.schedule?.until ? { until: board.schedule.until } : {}) },
    overrides: form.overrides,
    registrationCutoffHours: form.registrationCutoffHours,
    capacity: form.capacity,
    ...(form.place.trim() ? { place: form.place.trim() } : {}),
    ...(form.videoLink.trim() ? { videoLink: form.videoLink.trim() } : {}),
    horizonDays: board?.horizonDays ?? 90,
    active: form.active,
  });

  const save = useMutation({
    mutationFn: () => (board ? rcp.updateBoard(board.id, settings(), board.version) : rcp.createBoard(settings())),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['rcp'] });
      notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: board ? 'RCP enregistrée' : 'RCP créée : générez maintenant ses séances' });
      for (const w of saved.warnings ?? []) notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, color: 'orange', message: w });
      if (!board) void navigate(`/coordination/rcp/${saved.id}`, { replace: true });
    },
  });
  // Each rule of the server beside the one field it names (longest path wins: a start time error is not
  // repeated under "À partir du"); the alert under the form only says what no field shows, so a
  // message never appears twice.
  const fieldErrors = save.error instanceof ApiError ? fieldErrorsOf(save.error.outcome?.issue, BOARD_FIELDS) : {};
  const fieldError = (field: keyof typeof BOARD_FIELDS) => fieldErrors[field];
  const unplaced = save.error instanceof ApiError && Object.keys(fieldErrors).length ? unplacedError(save.error, BOARD_FIELDS) : save.error;

  // Specialities named as everywhere else (no R38 « (SM) »): the directory's records carry it.
  const options = professionals.map((p) => ({ value: p.ref, label: `${p.name}${p.speciality?.display ? ` — ${specialityName(p.speciality.display)}` : ''}` }));
  return (
    <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }} aria-labelledby="charter-title">
      <Stack gap="md">
        <Title order={2} size="h3" id="charter-title">Charte de la RCP</Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Nom de la RCP" required value={form.name} onChange={(e) => set('name', e.currentTarget.value)} error={fieldError('name')} />
          <Select label="Nature" data={[{ value: 'organ', label: "RCP d'organe" }, { value: 'transversal', label: 'RCP transversale' }]} value={form.kind} onChange={(v) => set('kind', (v ?? 'organ') as FormState['kind'])} allowDeselect={false} />
          <TextInput label="Organe ou thème" value={form.organ} onChange={(e) => set('organ', e.currentTarget.value)} />
          <Checkbox label="RCP active" checked={form.active} onChange={(e) => set('active', e.currentTarget.checked)} mt="xl" />
        </SimpleGrid>

        <Paper withBorder p="md">
          <Stack gap="sm">
            <Title order={3} size="h4">Membres et quorum</Title>
            {directory.error && <ErrorMessage error={directory.error} />}
            <MultiSelect label="Membres permanents" data={options} value={form.members} onChange={(v) => set('members', v)} searchable error={fieldError('members')} />
            <Select label="Médecin coordonnateur de la RCP" data={options.filter((o) => form.members.includes(o.value))} value={form.chair} onChange={(v) => set('chair', v)} clearable />
            <MultiSelect
              label="Spécialités obligatoires au quorum"
              description="En plus de 3 spécialités différentes au moins"
              data={memberSpecialities.map((s) => ({ value: s.code, label: s.display ? specialityName(s.display) : s.code }))}
              value={form.mandated}
              onChange={(v) => set('mandated', v)}
              error={fieldError('quorum')}
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <NumberInput label="Spécialités différentes requises" min={3} max={10} value={form.minSpecialities} onChange={(v) => set('minSpecialities', Number(v) || 3)} />
              <Checkbox label="Un avis écrit compte dans le quorum" checked={form.writtenOpinionCounts} onChange={(e) => set('writtenOpinionCounts', e.currentTarget.checked)} mt="xl" />
            </SimpleGrid>
          </Stack>
        </Paper>

        <Paper withBorder p="md">
          <Stack gap="sm">
            <Title order={3} size="h4">Récurrence</Title>
            {form.rrule ? (
              <Alert color="blue" role="status">Récurrence particulière, conservée telle quelle : séance {describeRrule(form.rrule, form.startTime)}. <Anchor component="button" type="button" onClick={() => set('rrule', undefined)}>La remplacer</Anchor></Alert>
            ) : (
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <Select label="Fréquence" data={Object.entries(FREQUENCY_LABEL).map(([value, label]) => ({ value, label }))} value={form.frequency} onChange={(v) => set('frequency', (v ?? 'monthly') as Frequency)} allowDeselect={false} />
                {form.frequency === 'monthly' && (
                  <Select label="Semaine du mois" data={Object.entries(RANK_LABEL).map(([value, label]) => ({ value, label }))} value={String(form.rank)} onChange={(v) => set('rank', Number(v ?? 1) as Rank)} allowDeselect={false} />
                )}
                <Select label="Jour" data={Object.entries(WEEKDAY_LABEL).map(([value, label]) => ({ value, label }))} value={form.weekday} onChange={(v) => set('weekday', (v ?? 'TU') as Weekday)} allowDeselect={false} />
              </SimpleGrid>
            )}
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput type="time" label="Début" value={form.startTime} onChange={(e) => set('startTime', e.currentTarget.value)} required error={fieldError('startTime')} />
              <TextInput type="time" label="Fin" value={form.endTime} onChange={(e) => set('endTime', e.currentTarget.value)} required error={fieldError('endTime')} />
              <TextInput type="date" label="À partir du" value={form.from} onChange={(e) => set('from', e.currentTarget.value)} required error={fieldError('schedule')} />
            </SimpleGrid>
            {!form.rrule && <Text fw={600} data-testid="recurrence-sentence">Séance {describeRecurrence(recurrence, form.startTime)}</Text>}
            <div>
              <Text size="sm">Prochaines dates :</Text>
              <List size="sm" data-testid="recurrence-preview">
                {preview.map((d) => <List.Item key={d}>{formatWeekday(d)}{form.overrides.some((o) => o.date === d && o.kind === 'holiday') ? ' — férié, pas de séance' : ''}</List.Item>)}
              </List>
            </div>
            <Overrides overrides={form.overrides} onChange={(o) => set('overrides', o)} error={fieldError('overrides')} />
          </Stack>
        </Paper>

        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NumberInput label="Clôture des inscriptions (heures avant la séance)" min={0} max={720} value={form.registrationCutoffHours} onChange={(v) => set('registrationCutoffHours', Number(v) || 0)} />
          <NumberInput label="Capacité (dossiers par séance)" min={1} max={500} value={form.capacity} onChange={(v) => set('capacity', Number(v) || 1)} />
          <TextInput label="Lieu" value={form.place} onChange={(e) => set('place', e.currentTarget.value)} />
          <TextInput label="Lien de visioconférence" placeholder="https://…" value={form.videoLink} onChange={(e) => set('videoLink', e.currentTarget.value)} error={fieldError('videoLink')} />
        </SimpleGrid>
        {unplaced && <ErrorMessage error={unplaced} />}
        <Group>
          <Button type="submit" loading={save.isPending} disabled={!board && !centre.data}>{board ? 'Enregistrer la RCP' : 'Créer la RCP'}</Button>
          <Button component={Link} to="/coordination" variant="subtle">Retour</Button>
        </Group>
      </Stack>
    </form>
  );
}

function Overrides({ overrides, onChange, error }: { overrides: DateOverride[]; onChange: (o: DateOverride[]) => void; error?: string | undefined }) {
  const [date, setDate] = useState('');
  const [kind, setKind] = useState<'holiday' | 'moved'>('holiday');
  const [newDate, setNewDate] = useState('');
  const [reason, setReason] = useState('');
  const add = () => {
    if (!date) return;
    onChange([...overrides.filter((o) => o.date !== date), { date, kind, ...(kind === 'moved' && newDate ? { newDate } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) }]);
    setDate(''); setNewDate(''); setReason('');
  };
  return (
    <Stack gap="xs">
      <Title order={4} size="h5">Jours fériés et dates déplacées</Title>
      {overrides.length > 0 && (
        <List size="sm">
          {overrides.map((o) => (
            <List.Item key={`${o.date}-${o.kind}`}>
              {formatWeekday(o.date)} : {o.kind === 'holiday' ? 'pas de séance' : o.kind === 'moved' ? `déplacée au ${formatWeekday(o.newDate ?? o.date)}` : 'séance supplémentaire'}
              {o.reason ? ` (${o.reason})` : ''}{' '}
              <Anchor component="button" type="button" size="sm" onClick={() => onChange(overrides.filter((x) => x !== o))}>Retirer</Anchor>
            </List.Item>
          ))}
        </List>
      )}
      <SimpleGrid cols={{ base: 1, sm: 4 }}>
        <TextInput type="date" label="Date de la séance" value={date} onChange={(e) => setDate(e.currentTarget.value)} />
        <Select label="Exception" data={[{ value: 'holiday', label: 'Pas de séance (férié)' }, { value: 'moved', label: 'Séance déplacée' }]} value={kind} onChange={(v) => setKind((v ?? 'holiday') as 'holiday' | 'moved')} allowDeselect={false} />
        {kind === 'moved' ? <TextInput type="date" label="Nouvelle date" value={newDate} onChange={(e) => setNewDate(e.currentTarget.value)} /> : <div />}
        <TextInput label="Motif de l'exception" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
      </SimpleGrid>
      {error && <Text c="red.8" size="sm" role="alert">{error}</Text>}
      <Group><Button variant="light" size="xs" onClick={add} disabled={!date}>Ajouter l'exception</Button></Group>
    </Stack>
  );
}

function BoardSessions({ board }: { board: Board }) {
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: ['rcp', 'sessions', board.id], queryFn: () => rcp.sessions(board.id, { from: parisDay(new Date(Date.now() - 30 * 86_400_000)) }) });
  const generate = useMutation({
    mutationFn: () => rcp.generate(board.id),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['rcp', 'sessions'] });
      const r = result as { created?: unknown[] };
      notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: `${r.created?.length ?? 0} séance(s) créée(s)` });
    },
  });
  const ical = `${window.location.origin}/api/rcp/boards/${board.id}/calendar.ics`;
  return (
    <section aria-labelledby="sessions-title">
      <Stack gap="sm" mt="lg">
        <Group justify="space-between">
          <Title order={2} size="h3" id="sessions-title">Séances</Title>
          <Button onClick={() => generate.mutate()} loading={generate.isPending} variant="light">Générer les séances</Button>
        </Group>
        {generate.error && <ErrorMessage error={generate.error} />}
        <Group gap="xs" align="flex-end">
          <TextInput label="Lien iCal (agenda des membres)" value={ical} readOnly style={{ flex: 1 }} />
          <CopyButton value={ical}>
            {({ copied, copy }) => <Button variant="default" onClick={copy}>{copied ? 'Lien copié' : 'Copier le lien'}</Button>}
          </CopyButton>
        </Group>
        {sessions.isPending && <Loading label="Chargement des séances…" />}
        {sessions.error && <ErrorMessage error={sessions.error} onRetry={() => void sessions.refetch()} />}
        {sessions.data && (sessions.data.length === 0 ? <Text>Aucune séance : générez-les à partir de la récurrence.</Text> : (
          <Table.ScrollContainer minWidth={480}>
            <Table data-testid="board-sessions">
              <Table.Thead><Table.Tr><Table.Th>Séance</Table.Th><Table.Th>État</Table.Th><Table.Th>Remarque</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {sessions.data.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td><Anchor component={Link} to={`/coordination/seances/${s.id}`}>{formatDateTime(s.start)}</Anchor></Table.Td>
                    <Table.Td><Badge variant="filled" color={s.state === 'cancelled' ? 'gray.7' : 'blue.9'}>{SESSION_STATE_LABEL[s.state]}</Badge></Table.Td>
                    <Table.Td>{s.cancellationReason ?? s.overrideReason ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ))}
      </Stack>
    </section>
  );
}

