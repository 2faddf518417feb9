import { Alert, Anchor, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title, Autocomplete } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CarePlan, CareTeam, Condition, Consent, Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { hasDecision, hospitalApi, IDENTITY_STATUS_LABEL, idOf, printLinks, type RcpCase, type TimelineEvent } from '../../api/hospital.ts';
import { api, ApiError } from '../../api/http.ts';
import { useCurrentUser } from '../../api/session.ts';
import { ErrorMessage, LoadError, loadErrorTitle } from '../../components/ErrorMessage.tsx';
import { circleMembers } from '../../lib/circle-of-care.ts';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { RecordInclusionForm } from '../directories/RecordInclusionForm.tsx';
import { TrialInclusionsCard } from '../directories/TrialInclusionsCard.tsx';
import { DiagnosesCard } from './DiagnosesCard.tsx';
import { carePlanStatusLabel, decisionStandingLabel, type ProgrammeKind } from '../../lib/care-plan-status.ts';
import { ageOn, formatDate, formatDateTime, parisDay } from '../../lib/dates.ts';
import { fieldErrorsOf } from '../../lib/field-errors.ts';
import { isFhirId } from '../../lib/fhir-id.ts';
import { CIM10_TOPOGRAPHIES, ICD10_SYSTEM, ICDO3_MORPHOLOGIES, ICDO3_SYSTEM, parsePick, pickLabel } from '../../lib/oncology-codes.ts';
import { identityStatusOf, insOf, patientDisplayName, usedName } from '../../lib/patient-identity.ts';

const KIND_LABEL: Record<TimelineEvent['kind'], string> = {
  diagnostic: 'Diagnostic', 'antécédent': 'Antécédent', rcp: 'RCP', 'décision': 'Décision', pps: 'PPS', ppac: 'PPAC', document: 'Document', traitement: 'Traitement', examen: 'Examen',
  annonce: 'Annonce', essai: 'Essai clinique',
};

/** Where a timeline item opens: the sheet, the programme (a decision opens its PPS page), else nowhere. */
function linkOf(reference: string): { to: string; label: string } | undefined {
  const [type, id] = reference.split('/');
  if (type === 'Composition') return { to: `/hopital/fiches/${id}`, label: 'Ouvrir la fiche' };
  if (type === 'CarePlan') return { to: `/hopital/programmes/${id}`, label: 'Ouvrir' };
  return undefined;
}

/**
 * /hopital/patients/:id — the patient's record for the hospital physician: identity, the patient's
 * objection, RCP cases, programmes, the timeline, the circle of care; out of the circle of care,
 * the emergency access ("bris de glace") with its reason and its 4-hour limit.
 */
export default function PatientRecordPage() {
  const { id = '' } = useParams();
  // A malformed id names no record: nothing to read, nothing to open in an emergency.
  const malformed = !isFhirId(id);
  const patient = useQuery({ queryKey: ['hospital', 'patient', id], queryFn: () => hospitalApi.patient(id), retry: false, enabled: !malformed });
  // The 3C opens a record from its quality follow-up (/coordination/patients/:id): reading only.
  const physician = useCurrentUser().roles.includes('physician');
  // Read under an emergency access, the record says so for as long as the access lasts: the server
  // says it (any tab, any browser); only a physician can hold one.
  const emergency = useQuery({ queryKey: ['hospital', 'emergency-access', id], queryFn: () => hospitalApi.emergencyAccess(id), enabled: physician && !malformed, retry: false });
  const emergencyUntil = runningUntil(emergency.data?.until);
  const denied = patient.error instanceof ApiError && (patient.error.status === 404 || patient.error.status === 403);
  // Just opened: the record is being read again under the new access (the notice, not the form).
  const opening = Boolean(emergencyUntil) && denied && patient.isFetching;
  return (
    <Page
      title={malformed ? 'Lien invalide' : patient.data ? patientDisplayName(patient.data) : patient.error && !denied ? loadErrorTitle('patient', patient.error) : 'Dossier patient'}
      subtitle={physician ? <Anchor component={Link} to="/hopital">← Dossiers patients</Anchor> : <Anchor component={Link} to="/coordination/indicateurs">← Indicateurs</Anchor>}
      actions={patient.data && physician ? <Button component={Link} to={`/hopital/patients/${id}/inscription`}>Inscrire en RCP</Button> : undefined}
    >
      {malformed && (
        <Alert color="orange" role="alert" title="Lien invalide">
          Ce lien ne mène à aucun dossier patient : son identifiant est mal formé. Ouvrez le dossier depuis la liste des patients.
        </Alert>
      )}
      {patient.isPending && !malformed && <Loading label="Chargement du dossier…" />}
      {patient.error && !denied && <LoadError kind="patient" error={patient.error} onRetry={() => void patient.refetch()} />}
      {denied && physician && !opening && <BreakGlass patientId={id} onOpened={async () => { await emergency.refetch(); await patient.refetch(); }} />}
      {denied && !physician && <Alert color="red" role="alert" title="Dossier inaccessible">Ce dossier n’existe pas, ou il n’est pas dans votre périmètre.</Alert>}
      {(patient.data || opening) && emergencyUntil && (
        <Alert color="orange" role="status" mb="md" data-testid="break-glass-open" title="Dossier ouvert en urgence (bris de glace)">
          Accès d’urgence ouvert jusqu’au {formatDateTime(emergencyUntil)}. Chaque consultation est tracée et sera relue par le responsable de la sécurité.
        </Alert>
      )}
      {patient.data && <Record patient={patient.data} physician={physician} />}
    </Page>
  );
}

function Record({ patient, physician }: { patient: Patient; physician: boolean }) {
  const id = patient.id!;
  const timeline = useQuery({ queryKey: ['hospital', 'timeline', id], queryFn: () => hospitalApi.timeline(id) });
  const cases = useQuery({ queryKey: ['hospital', 'cases', id], queryFn: () => hospitalApi.cases(id) });
  const teams = useQuery({ queryKey: ['hospital', 'care-teams', id], queryFn: () => hospitalApi.careTeams(id) });
  const consents = useQuery({ queryKey: ['hospital', 'consents', id], queryFn: () => hospitalApi.consents(id) });
  const programmes = useQuery({ queryKey: ['hospital', 'programmes', id], queryFn: () => hospitalApi.programmesOf(id) });
  const status = identityStatusOf(patient);
  const ins = insOf(patient);
  const used = usedName(patient);
  const objections = (consents.data?.entry ?? []).map((e) => e.resource as Consent).filter((c) => c?.provision?.type === 'deny');
  // A decision a later RCP replaced says so (the server's standings, read with the timeline).
  const replacedLabel = (p: CarePlan) => decisionStandingLabel(timeline.data?.decisions?.find((s) => s.decision === `CarePlan/${p.id}`), formatDate);
  const plans = (programmes.data?.entry ?? []).map((e) => e.resource as CarePlan).filter((c) => c?.category?.some((cat) => cat.coding?.some((x) => x.code === 'pps' || x.code === 'ppac' || x.code === 'rcp-decision')));

  return (
    <Stack gap="lg">
      <Card withBorder padding="sm" data-testid="patient-identity">
        <Group gap="xs" wrap="wrap">
          <Text size="sm">{patient.gender === 'female' ? 'Née' : 'Né'} le {formatDate(patient.birthDate)}{ageOn(patient.birthDate) !== undefined ? ` (${ageOn(patient.birthDate)} ans)` : ''}</Text>
          {used && <Text size="sm">— nom utilisé {used}</Text>}
          {ins && <Text size="sm">— INS {ins}</Text>}
          {status && <Badge variant="light" color={status === 'QUAL' ? 'green' : status === 'PROV' ? 'orange' : 'blue'}>{IDENTITY_STATUS_LABEL[status]}</Badge>}
        </Group>
      </Card>

      {objections.map((c) => (
        <Alert key={c.id} color="orange" title="Opposition du patient au partage" role="note" data-testid="objection">
          {c.provision?.actor?.length
            ? <>Son dossier est masqué pour : {c.provision.actor.map((a) => a.reference?.display ?? a.reference?.reference).join(', ')}.</>
            : <>Son dossier n’est visible que de son équipe de soins (aucun accès au-delà, sauf urgence).</>}
          {c.dateTime ? <> Depuis le {formatDate(c.dateTime)}.</> : null}
        </Alert>
      ))}

      <section aria-labelledby="cases-title">
        <Group justify="space-between">
          <Title order={2} size="h3" id="cases-title">Dossiers présentés en RCP</Title>
        </Group>
        {cases.isPending && <Loading />}
        {cases.error && <ErrorMessage error={cases.error} />}
        {cases.data && cases.data.length === 0 && <Text size="sm" c="dimmed">Aucun dossier inscrit en RCP. « Inscrire en RCP » pour commencer une fiche.</Text>}
        {cases.data && cases.data.length > 0 && <CasesTable cases={cases.data} />}
      </section>

      {plans.length > 0 && (
        <section aria-labelledby="programmes-title">
          <Title order={2} size="h3" id="programmes-title">Programmes de soins</Title>
          <Stack gap={4} mt="xs">
            {plans.map((p) => {
              const kind = p.category?.flatMap((c) => c.coding ?? []).find((x) => ['pps', 'ppac', 'rcp-decision'].includes(x.code ?? ''))?.code as ProgrammeKind | undefined;
              return (
                <Group key={p.id} gap="xs">
                  <Anchor component={Link} to={`/hopital/programmes/${p.id}`}>{kind === 'pps' ? 'PPS' : kind === 'ppac' ? 'PPAC' : 'Décision de RCP'} — {p.title ?? formatDate(p.created)}</Anchor>
                  <Badge variant="light" size="sm" color={replacedLabel(p) ? 'gray' : undefined}>{replacedLabel(p) ?? carePlanStatusLabel(p.status, kind)}</Badge>
                  {kind !== 'rcp-decision' && <Anchor href={printLinks.programme(p.id!)} target="_blank" size="sm">PDF</Anchor>}
                </Group>
              );
            })}
          </Stack>
        </section>
      )}

      {/* Trial inclusions are read by the physicians and GPs of the circle, not by the 3C. */}
      {physician && (
        <Stack gap="xs">
          <TrialInclusionsCard patientId={id} />
          <RecordInclusionForm patientId={id} />
        </Stack>
      )}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <section aria-labelledby="timeline-title">
          <Title order={2} size="h3" id="timeline-title">Chronologie</Title>
          {timeline.isPending && <Loading />}
          {timeline.error && <ErrorMessage error={timeline.error} />}
          {timeline.data && (
            <Stack gap={6} mt="xs" component="ol" style={{ listStyle: 'none', padding: 0 }} data-testid="timeline">
              {timeline.data.events.length === 0 && <Text size="sm" c="dimmed" component="li">Rien encore dans le dossier.</Text>}
              {timeline.data.events.map((e, i) => {
                const link = linkOf(e.reference);
                return (
                  <li key={`${e.reference}-${i}`}>
                    {/* minWidth 0: on a phone the label wraps in the room left, not past the screen's edge. */}
                    <Group gap="xs" wrap="nowrap" align="flex-start">
                      <Text size="sm" w={110} c="dimmed" style={{ flexShrink: 0 }}>{formatDate(e.date)}</Text>
                      <Badge variant="light" size="sm" style={{ flexShrink: 0 }}>{KIND_LABEL[e.kind]}</Badge>
                      {link
                        ? <Anchor component={Link} to={link.to} size="sm" style={{ minWidth: 0, overflowWrap: 'anywhere' }}>{e.label}</Anchor>
                        : <Text size="sm" style={{ minWidth: 0, overflowWrap: 'anywhere' }}>{e.label}</Text>}
                    </Group>
                  </li>
                );
              })}
            </Stack>
          )}
        </section>
        <Stack gap="lg">
          <CircleOfCare patient={patient} teams={(teams.data?.entry ?? []).map((e) => e.resource as CareTeam)} loading={teams.isPending} />
          {physician && <GeneralPractitionerForm patient={patient} />}
          {physician && <DiagnosesCard patientId={id} />}
          {physician && <DiagnosisForm patientId={id} />}
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}

function CasesTable({ cases }: { cases: RcpCase[] }) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped data-testid="cases">
        <Table.Thead>
          <Table.Tr><Table.Th>Inscrit le</Table.Th><Table.Th>Question</Table.Th><Table.Th>État</Table.Th><Table.Th>Ouvrir</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...cases].reverse().map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{formatDate(c.registeredAt)}</Table.Td>
              <Table.Td>{c.question}</Table.Td>
              <Table.Td><Badge variant="light">{c.stateLabel}</Badge>{c.statusReason && <Text size="xs" c="dimmed">{c.statusReason}</Text>}</Table.Td>
              <Table.Td>
                <Group gap="xs">
                  {c.sheet && <Anchor component={Link} to={`/hopital/fiches/${idOf(c.sheet)}`} size="sm">Fiche RCP</Anchor>}
                  {/* Not yet discussed, withdrawn or refused, the case page holds the request (and « Retirer la demande »:
                      the refusal of a « saisie erronée » sends the physician there), not a decision. */}
                  <Anchor component={Link} to={`/hopital/dossiers/${c.id}`} size="sm">{hasDecision(c) ? 'Décision' : 'Dossier'}</Anchor>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function CircleOfCare({ patient, teams, loading }: { patient: Patient; teams: CareTeam[]; loading: boolean }) {
  const members = circleMembers(patient, teams);
  return (
    <section aria-labelledby="circle-title">
      <Title order={2} size="h3" id="circle-title">Cercle de soins</Title>
      {loading && <Loading />}
      <Stack gap={4} mt="xs" data-testid="circle-of-care">
        {members.map((m) => (
          <Text size="sm" key={m.key}>{m.name}{m.roles.length ? ` — ${m.roles.join(', ')}` : ''}</Text>
        ))}
        {!loading && !members.length && <Text size="sm" c="dimmed">Aucun professionnel déclaré.</Text>}
      </Stack>
      {/* The access rule (dcc_in_circle) reaches wider than this list: say who else may open the
          record, so that a colleague seen in the trace is not taken for an intrusion. */}
      <Text size="xs" c="dimmed" mt="xs" data-testid="circle-of-care-rule">
        Ont aussi accès au dossier : le médecin traitant déclaré, le médecin qui a demandé une
        inscription en RCP et, pour chaque dossier inscrit en RCP, le 3C qui organise la réunion, ses
        membres et les participants de la séance qui l'examine. Tout autre accès est un accès
        d'urgence, motivé et tracé.
      </Text>
    </section>
  );
}

/**
 * Declares or changes the médecin traitant (a GP of the directory): without one, reports and
 * programmes reach no GP (« pas de médecin traitant déclaré »). Only that field changes, on the
 * version read (If-Match): the identity is never re-sent from the page.
 */
function GeneralPractitionerForm({ patient }: { patient: Patient }) {
  const queryClient = useQueryClient();
  const current = patient.generalPractitioner?.find((g) => g.reference?.startsWith('Practitioner/'));
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const gps = useQuery({ queryKey: ['hospital', 'general-practitioners'], queryFn: hospitalApi.generalPractitioners, enabled: open, staleTime: 5 * 60_000 });
  const save = useMutation({
    mutationFn: () => hospitalApi.declareGeneralPractitioner(patient.id!, choice!, patient.meta?.versionId),
    onSuccess: (updated) => {
      notifications.show({ message: `Médecin traitant déclaré : ${updated.generalPractitioner?.[0]?.display ?? ''}` });
      setOpen(false);
      setChoice(null);
      queryClient.setQueryData(['hospital', 'patient', patient.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['hospital'] });
    },
  });
  const fieldError = save.error instanceof ApiError ? fieldErrorsOf(save.error.outcome?.issue, { practitioner: ['practitioner'] }).practitioner : undefined;
  const label = current ? 'Changer de médecin traitant' : 'Déclarer le médecin traitant';
  if (!open) {
    return (
      <Group gap="xs" data-testid="general-practitioner">
        <Text size="sm">{current ? <>Médecin traitant : {current.display ?? current.reference}</> : <>Pas de médecin traitant déclaré : les comptes rendus et programmes ne lui sont pas envoyés.</>}</Text>
        <Button variant="light" size="xs" onClick={() => setOpen(true)}>{label}</Button>
      </Group>
    );
  }
  return (
    <Card withBorder component="section" aria-labelledby="gp-title">
      <form onSubmit={(e) => {
        e.preventDefault();
        if (!choice) { setMissing(true); return; }
        setMissing(false);
        save.mutate();
      }} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4" id="gp-title">{label}</Title>
          <Select
            label="Médecin traitant"
            description="Le médecin généraliste que le patient a déclaré à l’Assurance maladie (annuaire des médecins généralistes)"
            placeholder={gps.isPending ? 'Chargement de l’annuaire…' : 'Tapez un nom'}
            data={(gps.data ?? []).filter((g) => g.practitioner !== current?.reference).map((g) => ({ value: g.practitioner, label: g.place ? `${g.name} — ${g.place}` : g.name }))}
            value={choice}
            onChange={(v) => { setChoice(v); setMissing(false); }}
            searchable
            nothingFoundMessage="Aucun médecin généraliste de ce nom dans l’annuaire"
            error={missing ? 'Choisissez le médecin traitant dans la liste' : fieldError}
            required
          />
          {gps.error && <ErrorMessage error={gps.error} onRetry={() => void gps.refetch()} />}
          {save.error && !fieldError && <ErrorMessage error={save.error} />}
          <Group gap="xs">
            <Button type="submit" loading={save.isPending}>Enregistrer le médecin traitant</Button>
            <Button variant="default" onClick={() => { setOpen(false); save.reset(); }}>Annuler</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** Records the cancer diagnosis (CIM-10 topography, ICD-O-3 morphology, date) the RCP registration refers to. */
function DiagnosisForm({ patientId }: { patientId: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [topography, setTopography] = useState('');
  const [morphology, setMorphology] = useState('');
  const [date, setDate] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: () => {
      const topo = parsePick(topography, CIM10_TOPOGRAPHIES);
      const morpho = parsePick(morphology, ICDO3_MORPHOLOGIES);
      const local: Record<string, string> = {};
      if (!topo) local.topography = 'Choisissez ou tapez un code CIM-10 (ex. C18.7)';
      if (!morpho) local.morphology = 'Choisissez ou tapez un code CIM-O-3 (ex. 8140/3)';
      if (!date) local.date = 'La date du diagnostic est obligatoire';
      if (Object.keys(local).length) {
        setProblems(local);
        return Promise.reject(new Error('local'));
      }
      const condition: Condition = {
        resourceType: 'Condition',
        subject: { reference: `Patient/${patientId}` },
        extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [{ system: ICDO3_SYSTEM, code: morpho!.code, display: morpho!.display }] } }],
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
        code: { coding: [{ system: ICD10_SYSTEM, code: topo!.code, display: topo!.display }], text: topo!.display },
        onsetDateTime: date,
        recordedDate: parisDay(),
      };
      return api<Condition>('/fhir/Condition', { method: 'POST', body: condition });
    },
    onSuccess: () => {
      notifications.show({ message: 'Diagnostic enregistré' });
      setOpen(false);
      setProblems({});
      // The next diagnosis starts from an empty form (a kept topography filtered the pickers to itself).
      setTopography('');
      setMorphology('');
      setDate('');
      void queryClient.invalidateQueries({ queryKey: ['hospital'] });
    },
    onError: (error) => {
      if (error instanceof ApiError) setProblems(fieldErrorsOf(error.outcome?.issue, { topography: ['Condition.code'], morphology: ['Condition.extension'], date: ['Condition.onset', 'Condition.onsetDateTime'] }));
    },
  });
  if (!open) return <div><Button variant="light" onClick={() => setOpen(true)}>Enregistrer un diagnostic de cancer</Button></div>;
  return (
    <Card withBorder component="section" aria-labelledby="diagnosis-title">
      <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4" id="diagnosis-title">Diagnostic de cancer</Title>
          <Autocomplete label="Topographie (CIM-10)" description="Tapez le code ou le nom de l’organe" data={CIM10_TOPOGRAPHIES.map(pickLabel)} value={topography} onChange={setTopography} error={problems.topography} required />
          <Autocomplete label="Morphologie (CIM-O-3)" description="Tapez le code ou le type histologique" data={ICDO3_MORPHOLOGIES.map(pickLabel)} value={morphology} onChange={setMorphology} error={problems.morphology} required />
          <TextInput label="Date du diagnostic" type="date" value={date} onChange={(e) => setDate(e.currentTarget.value)} error={problems.date} required />
          {save.error instanceof ApiError && !Object.keys(problems).length && <ErrorMessage error={save.error} />}
          <Group gap="xs">
            <Button type="submit" loading={save.isPending}>Enregistrer le diagnostic</Button>
            <Button variant="default" onClick={() => setOpen(false)}>Annuler</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** The end of an emergency access while it runs: past it, the next render of the page no longer says it. */
function runningUntil(until: string | undefined): string | undefined {
  return until && new Date(until).getTime() > Date.now() ? until : undefined;
}

/** Out of the circle of care: emergency access with a stated reason, limited to 4 hours, traced and reviewed. */
function BreakGlass({ patientId, onOpened }: { patientId: string; onOpened: () => Promise<unknown> }) {
  const [reason, setReason] = useState('');
  const open = useMutation({
    mutationFn: () => hospitalApi.breakGlass(patientId, reason),
    // Its end is read back from the server, the notice's one source.
    onSuccess: () => onOpened(),
  });
  const fieldError = open.error instanceof ApiError ? fieldErrorsOf(open.error.outcome?.issue, { reason: ['reason'] }).reason : undefined;
  return (
    <Stack gap="sm" maw={640}>
      {/* The server answers 404 alike for a record that does not exist and one outside the circle
          of care (it never says which): said in words, not as its "Patient/<id> introuvable". */}
      <Alert color="red" role="alert" title="Dossier hors de votre cercle de soins">
        Ce dossier n’existe pas, ou vous ne faites pas partie de l’équipe de soins de ce patient.
      </Alert>
      <Card withBorder component="section" aria-labelledby="break-glass-title">
        <form onSubmit={(e) => { e.preventDefault(); open.mutate(); }} noValidate>
          <Stack gap="sm">
            <Title order={2} size="h4" id="break-glass-title">Accès en urgence (bris de glace)</Title>
            <Text size="sm">Réservé à une situation d’urgence pour un patient que vous prenez en charge. L’accès dure <strong>4 heures</strong> ; votre motif et chaque consultation sont relus par le responsable de la sécurité.</Text>
            <Textarea label="Motif de l’accès en urgence" description="15 caractères au moins" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError} autosize minRows={2} required />
            {open.error && !fieldError && <ErrorMessage error={open.error} />}
            <Group><Button color="orange" type="submit" loading={open.isPending}>Ouvrir le dossier en urgence</Button></Group>
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}
