import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, List, NumberInput, Radio, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bundle, CarePlan, CarePlanActivity, Extension, MedicationRequest } from '@medplum/fhirtypes';
import type { OfferEntry } from '../../api/directories.ts';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { hospitalApi, idOf, printLinks } from '../../api/hospital.ts';
import { api, ApiError } from '../../api/http.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { carePlanStatusLabel, decisionPageTitle, decisionStandingLabel } from '../../lib/care-plan-status.ts';
import { formatDate, parisDay } from '../../lib/dates.ts';
import { oralTreatmentPeriod } from '../../lib/oral-treatment-period.ts';
import { fieldErrorsOf } from '../../lib/field-errors.ts';
import { capitalBornWord, patientDisplayName } from '../../lib/patient-identity.ts';

const DCC = 'https://dcc-paca.example/fhir';
const EXT = {
  proposalRank: `${DCC}/StructureDefinition/dcc-proposal-rank`,
  surveillanceBy: `${DCC}/StructureDefinition/dcc-surveillance-by`,
  handOver: `${DCC}/StructureDefinition/dcc-handover`,
  shareWithGp: `${DCC}/StructureDefinition/dcc-share-with-gp`,
  orientation: `${DCC}/StructureDefinition/dcc-supportive-care-orientation`,
  updateReason: `${DCC}/StructureDefinition/dcc-pps-update-reason`,
  updateHistory: `${DCC}/StructureDefinition/dcc-pps-update`,
  endOfActiveTreatment: `${DCC}/StructureDefinition/dcc-end-of-active-treatment`,
};
const TA_ASIP = 'urn:oid:1.2.250.1.213.1.1.4.322';
const UPDATE_REASON_SYSTEM = `${DCC}/CodeSystem/dcc-pps-update-reason`;
/** The reasons of a PPS update (CI-SIS GEN-037, ValueSet dcc-pps-update-reason; server/care-plan/codes.ts). */
const UPDATE_REASONS: { value: string; label: string; coding: { system: string; code: string; display: string } }[] = [
  { value: 'calendar-change', label: 'Modification du calendrier', coding: { system: TA_ASIP, code: 'MED-560', display: 'Réajustement du programme thérapeutique et de suivi' } },
  { value: 'treatment-adjustment', label: 'Réajustement du programme thérapeutique et de suivi', coding: { system: TA_ASIP, code: 'MED-560', display: 'Réajustement du programme thérapeutique et de suivi' } },
  { value: 'relapse', label: 'Rechute ou évolution de la maladie', coding: { system: TA_ASIP, code: 'MED-244', display: 'Rechute du cancer' } },
  { value: 'refusal', label: 'Refus du patient', coding: { system: UPDATE_REASON_SYSTEM, code: 'patient-refusal', display: 'Refus du patient' } },
  { value: 'palliative-care', label: 'Passage en soins palliatifs', coding: { system: UPDATE_REASON_SYSTEM, code: 'palliative-care', display: 'Passage en soins palliatifs' } },
  { value: 'other', label: 'Autre motif', coding: { system: UPDATE_REASON_SYSTEM, code: 'other', display: 'Autre motif' } },
];

type Kind = 'rcp-decision' | 'pps' | 'ppac' | undefined;
function kindOf(plan: CarePlan): Kind {
  const code = plan.category?.flatMap((c) => c.coding ?? []).find((c) => ['rcp-decision', 'pps', 'ppac'].includes(c.code ?? ''))?.code;
  return code as Kind;
}
const ext = (e: { extension?: Extension[] } | undefined, url: string) => e?.extension?.find((x) => x.url === url);
function activityLabel(a: CarePlanActivity): string {
  return a.detail?.description ?? a.detail?.code?.text ?? a.detail?.code?.coding?.[0]?.display ?? a.reference?.display ?? 'Activité';
}

/**
 * /hopital/programmes/:id — the care programmes built from an RCP decision: from the signed
 * decision, the PPS (treatment calendar, oral treatments with dose, intakes and cycles); the
 * hand-over to the patient with their choice about the GP; at the end of active treatment, the
 * PPAC with its alternating hospital / GP surveillance and the supportive-care orientation; the PDF.
 */
export default function ProgrammePage() {
  const { id = '' } = useParams();
  const plan = useQuery({ queryKey: ['hospital', 'care-plan', id], queryFn: () => hospitalApi.carePlan(id) });
  const kind = plan.data ? kindOf(plan.data) : undefined;
  const patientId = idOf(plan.data?.subject?.reference);
  const patient = useQuery({ queryKey: ['hospital', 'patient', patientId], queryFn: () => hospitalApi.patient(patientId!), enabled: Boolean(patientId) });
  const p = patient.data;
  // A GP on file (the one a programme would be sent to); unknown while the patient loads.
  const hasGp = p ? (p.generalPractitioner ?? []).some((gp) => Boolean(gp.reference)) : undefined;
  const missing = plan.error instanceof ApiError && (plan.error.status === 404 || plan.error.status === 410);
  // A decision's standing and meeting date come from the timeline (the same query BuildPps reads).
  const timeline = useQuery({ queryKey: ['hospital', 'timeline', patientId], queryFn: () => hospitalApi.timeline(patientId!), enabled: Boolean(patientId) && kind === 'rcp-decision' });
  const decisionRef = `CarePlan/${plan.data?.id}`;
  const kindTitle = kind === 'pps' ? 'Programme personnalisé de soins (PPS)' : kind === 'ppac' ? 'Programme personnalisé de l’après-cancer (PPAC)'
    : kind === 'rcp-decision' ? decisionPageTitle(timeline.data?.decisions?.find((s) => s.decision === decisionRef), timeline.data?.events.find((e) => e.kind === 'décision' && e.reference === decisionRef)?.date, formatDate)
    : missing ? 'Programme introuvable' : 'Programme de soins';
  // Identity vigilance (RNIV): the patient named, with the birth date, wherever one acts on their record.
  const title = p ? `${kindTitle} — ${patientDisplayName(p)}` : kindTitle;
  return (
    <Page
      title={title}
      subtitle={patientId ? <Group gap="xs">{p && <Text size="sm" data-testid="patient-born">{capitalBornWord(p.gender)} le {formatDate(p.birthDate)}</Text>}<Anchor component={Link} to={`/hopital/patients/${patientId}`}>← Dossier du patient</Anchor></Group> : undefined}
      actions={plan.data && (kind === 'pps' || kind === 'ppac') ? (
        <>
          <Button component="a" href={printLinks.programme(id)} target="_blank" variant="default">{kind === 'pps' ? 'PPS (PDF)' : 'PPAC (PDF)'}</Button>
          {/* Only a PPS handed over to the patient leaves the DCC as CDA (the server refuses a draft). */}
          {kind === 'pps' && ext(plan.data, EXT.handOver) && <Button component="a" href={printLinks.programmeCda(id)} download={`pps-${id}.xml`} variant="default">Télécharger le document CDA</Button>}
        </>
      ) : undefined}
    >
      {plan.isPending && <Loading />}
      {/* Not the server's « CarePlan/<id> introuvable »: the reader needs what happened, not the record reference. */}
      {missing && <Alert color="orange" role="alert" title="Programme introuvable">Ce programme de soins n’existe pas ou n’existe plus : vérifiez le lien, ou ouvrez-le depuis le dossier du patient.</Alert>}
      {plan.error && !missing && <ErrorMessage error={plan.error} />}
      {plan.data && kind === 'rcp-decision' && <BuildPps decision={plan.data} />}
      {plan.data && kind === 'pps' && <Pps pps={plan.data} hasGp={hasGp} />}
      {plan.data && kind === 'ppac' && <Ppac ppac={plan.data} hasGp={hasGp} />}
      {plan.data && !kind && <Alert color="orange">Ce plan de soins n’est ni une décision de RCP, ni un PPS, ni un PPAC.</Alert>}
    </Page>
  );
}

interface TreatmentForm {
  proposal: number;
  label: string;
  start: string;
  end: string;
  confirmed: boolean;
  oral: boolean;
  medication: string;
  dose: number | string;
  unit: string;
  timesPerDay: number | string;
  daysOn: number | string;
  daysOff: number | string;
  cycles: number | string;
}

function BuildPps({ decision }: { decision: CarePlan }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const patientId = idOf(decision.subject?.reference);
  const timeline = useQuery({ queryKey: ['hospital', 'timeline', patientId], queryFn: () => hospitalApi.timeline(patientId!), enabled: Boolean(patientId) });
  const existing = useQuery({ queryKey: ['hospital', 'pps-of', decision.id], queryFn: () => api<Bundle<CarePlan>>('/fhir/CarePlan', { query: { 'based-on': `CarePlan/${decision.id}` } }) });
  // The PPS handed over and not closed: the one the GP, the nurse and the pharmacist read, which the new one will replace.
  const inProgress = useQuery({
    queryKey: ['hospital', 'pps-in-progress', patientId],
    queryFn: () => api<Bundle<CarePlan>>('/fhir/CarePlan', { query: { subject: `Patient/${patientId}`, status: 'active,on-hold' } }),
    enabled: Boolean(patientId),
  });
  const current = inProgress.data?.entry?.map((e) => e.resource).find((p): p is CarePlan => Boolean(p) && kindOf(p!) === 'pps');
  const [continueCurrent, setContinueCurrent] = useState<string | null>(null);
  const [missingChoice, setMissingChoice] = useState(false);
  const firstChoice = (decision.activity ?? []).map((a, index) => ({ a, index })).filter(({ a }) => {
    const e = ext(a, EXT.proposalRank) ?? ext(a.detail, EXT.proposalRank);
    const rank = e?.valuePositiveInt ?? e?.valueInteger;
    return rank === undefined || rank === 1;
  });
  const [rows, setRows] = useState<TreatmentForm[]>(() => firstChoice.map(({ a, index }) => ({
    proposal: index, label: activityLabel(a), start: a.detail?.scheduledPeriod?.start ?? '', end: a.detail?.scheduledPeriod?.end ?? '', confirmed: false,
    oral: false, medication: '', dose: '', unit: 'mg', timesPerDay: 2, daysOn: '', daysOff: '', cycles: '',
  })));
  const set = (i: number, patch: Partial<TreatmentForm>) => setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const build = useMutation({
    mutationFn: () => hospitalApi.buildPps(decision.id!, {
      ...(current ? { replaces: `CarePlan/${current.id}`, continueCurrent: continueCurrent === 'yes' } : {}),
      treatments: rows.map((r) => ({
        proposal: r.proposal,
        ...(r.start ? { start: r.start, datesConfirmed: r.confirmed } : {}),
        ...(r.end ? { end: r.end } : {}),
        ...(r.oral ? {
          route: 'oral', atHome: true,
          ...(r.medication.trim() ? { medication: { text: r.medication.trim() } } : {}),
          ...(r.dose !== '' ? { dose: { value: Number(r.dose), unit: r.unit || 'mg' } } : {}),
          ...(r.timesPerDay !== '' ? { timesPerDay: Number(r.timesPerDay) } : {}),
          ...(r.daysOn !== '' && r.daysOff !== '' ? { cycle: { daysOn: Number(r.daysOn), daysOff: Number(r.daysOff), ...(r.cycles !== '' ? { count: Number(r.cycles) } : {}) } } : {}),
        } : {}),
      })),
    }),
    onSuccess: (pps) => {
      notifications.show({ message: 'PPS établi (brouillon) : remettez-le au patient' });
      void queryClient.invalidateQueries({ queryKey: ['hospital'] });
      navigate(`/hopital/programmes/${pps.id}`);
    },
  });
  const problems = build.error instanceof ApiError ? fieldErrorsOf(build.error.outcome?.issue, Object.fromEntries(rows.flatMap((_, i) => [
    [`${i}.dose`, [`treatments[${i}].dose`]], [`${i}.medication`, [`treatments[${i}].medication`]], [`${i}.timesPerDay`, [`treatments[${i}].timesPerDay`]],
    [`${i}.cycle`, [`treatments[${i}].cycle`]], [`${i}.start`, [`treatments[${i}].start`]], [`${i}.end`, [`treatments[${i}].end`]],
  ]))) : {};
  const pps = existing.data?.entry?.map((e) => e.resource).find((p) => p && kindOf(p) === 'pps');
  const standing = timeline.data?.decisions?.find((s) => s.decision === `CarePlan/${decision.id}`);
  const replaced = decisionStandingLabel(standing, formatDate);
  if (!pps && replaced) {
    return (
      <Alert color="gray" role="status" title={replaced}>
        Une RCP plus récente a remplacé cette décision pour la même tumeur : le PPS s’établit à partir de la décision en vigueur
        {standing?.replacedBy ? <> (<Anchor component={Link} to={`/hopital/programmes/${idOf(standing.replacedBy)}`}>ouvrir la décision en vigueur</Anchor>)</> : null}.
      </Alert>
    );
  }
  if (pps) return <Alert color="blue" role="status">Le PPS de cette décision existe déjà : <Anchor component={Link} to={`/hopital/programmes/${pps.id}`}>ouvrir le PPS</Anchor>.</Alert>;
  return (
    <form onSubmit={(e) => {
      e.preventDefault();
      if (current && !continueCurrent) { setMissingChoice(true); return; }
      setMissingChoice(false);
      build.mutate();
    }} noValidate>
      <Stack gap="md">
        {current && (
          <Alert color="orange" title="Un PPS est en cours pour ce patient" data-testid="pps-in-progress">
            <Stack gap="xs">
              <Text size="sm">
                Le <Anchor component={Link} to={`/hopital/programmes/${current.id}`}>PPS en cours</Anchor>
                {current.period?.start ? <> (depuis le {formatDate(current.period.start)})</> : null} est celui que lisent le médecin traitant, l’infirmier(ère) et le pharmacien.
                Une fois remis au patient, le nouveau PPS le remplacera.
              </Text>
              <Radio.Group label="Ses traitements et consignes en cours" value={continueCurrent} onChange={setContinueCurrent} withAsterisk error={missingChoice ? 'Dites si les traitements en cours se poursuivent' : undefined}>
                <Stack gap={4} mt={4}>
                  <Radio value="yes" label="se poursuivent : les reprendre dans le nouveau PPS" />
                  <Radio value="no" label="s’arrêtent : la nouvelle décision les remplace" />
                </Stack>
              </Radio.Group>
            </Stack>
          </Alert>
        )}
        <Text size="sm">Le PPS reprend les traitements de première intention de la proposition signée. Précisez le calendrier et, pour un traitement oral pris à domicile, la dose, les prises et les cycles.</Text>
        {rows.map((r, i) => (
          <Card withBorder key={r.proposal} component="fieldset" aria-label={r.label} data-testid="pps-treatment">
            <Stack gap="xs">
              <Text fw={600} size="sm">{r.label}</Text>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <TextInput label={`Début (${r.label})`} type="date" value={r.start} onChange={(e) => set(i, { start: e.currentTarget.value })} error={problems[`${i}.start`]} />
                <TextInput label={`Fin (${r.label})`} type="date" value={r.end} onChange={(e) => set(i, { end: e.currentTarget.value })} error={problems[`${i}.end`]} />
                <Checkbox mt="lg" label="Dates confirmées" checked={r.confirmed} onChange={(e) => set(i, { confirmed: e.currentTarget.checked })} />
              </SimpleGrid>
              <Checkbox label={`Traitement oral à domicile (${r.label})`} checked={r.oral} onChange={(e) => set(i, { oral: e.currentTarget.checked })} />
              {r.oral && (
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                  <TextInput label="Médicament" value={r.medication} onChange={(e) => set(i, { medication: e.currentTarget.value })} error={problems[`${i}.medication`]} />
                  <NumberInput label="Dose par prise" value={r.dose} onChange={(v) => set(i, { dose: v })} min={0} error={problems[`${i}.dose`]} />
                  <Select label="Unité" data={['mg', 'g', 'µg', 'mg/m²', 'comprimé(s)']} value={r.unit} onChange={(v) => set(i, { unit: v ?? 'mg' })} allowDeselect={false} />
                  <NumberInput label="Prises par jour" value={r.timesPerDay} onChange={(v) => set(i, { timesPerDay: v })} min={1} max={6} error={problems[`${i}.timesPerDay`]} />
                  <NumberInput label="Jours de prise par cycle" value={r.daysOn} onChange={(v) => set(i, { daysOn: v })} min={1} error={problems[`${i}.cycle`]} />
                  <NumberInput label="Jours d’arrêt par cycle" value={r.daysOff} onChange={(v) => set(i, { daysOff: v })} min={0} />
                  <NumberInput label="Nombre de cycles" value={r.cycles} onChange={(v) => set(i, { cycles: v })} min={1} />
                </SimpleGrid>
              )}
            </Stack>
          </Card>
        ))}
        {build.error && <ErrorMessage error={build.error} title="PPS non établi" />}
        <Group><Button type="submit" loading={build.isPending}>Établir le PPS</Button></Group>
      </Stack>
    </form>
  );
}

/** The MedicationRequests the plan's activities reference (oral treatments): their dates live there, not in the activity. */
function useOralRequests(plan: CarePlan): Map<string, MedicationRequest> {
  const refs = (plan.activity ?? []).map((a) => a.reference?.reference).filter((r): r is string => Boolean(r?.startsWith('MedicationRequest/')));
  const requests = useQuery({
    queryKey: ['hospital', 'oral-requests', plan.id, plan.meta?.versionId, refs],
    queryFn: async () => Promise.all(refs.map((r) => api<MedicationRequest>(`/fhir/${r}`).catch(() => undefined))),
    enabled: refs.length > 0,
  });
  return new Map((requests.data ?? []).filter((r): r is MedicationRequest => Boolean(r)).map((r) => [`MedicationRequest/${r.id}`, r]));
}

function oralLabel(a: CarePlanActivity, request: MedicationRequest | undefined): string {
  return request?.medicationCodeableConcept?.text ?? request?.medicationCodeableConcept?.coding?.[0]?.display ?? activityLabel(a);
}

function Calendar({ plan }: { plan: CarePlan }) {
  const requests = useOralRequests(plan);
  const items = (plan.activity ?? []).map((a) => {
    // An oral treatment is dated by its MedicationRequest, by the same rule as the printed PPS.
    const oral = a.reference?.reference ? oralTreatmentPeriod(requests.get(a.reference.reference)) : undefined;
    const period = a.detail?.scheduledPeriod ?? oral;
    return { a, start: period?.start ?? a.detail?.scheduledString, end: period?.end, label: a.reference?.reference ? oralLabel(a, requests.get(a.reference.reference)) : activityLabel(a) };
  }).sort((x, y) => String(x.start ?? '9999').localeCompare(String(y.start ?? '9999')));
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table striped data-testid="programme-calendar">
        <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>Activité</Table.Th><Table.Th>Par</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {items.map(({ a, start, end, label }, i) => {
            const by = ext(a, EXT.surveillanceBy)?.valueCode;
            return (
              <Table.Tr key={i} data-by={by}>
                <Table.Td>{start ? formatDate(start) : 'à préciser'}{end && end !== start ? ` → ${formatDate(end)}` : ''}</Table.Td>
                <Table.Td>{label}</Table.Td>
                <Table.Td>{by === 'hospital' ? 'Spécialiste hospitalier' : by === 'gp' ? 'Médecin traitant' : a.detail?.performer?.map((p) => p.display).filter(Boolean).join(', ')}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Pps({ pps, hasGp }: { pps: CarePlan; hasGp?: boolean }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const handOver = ext(pps, EXT.handOver);
  const handedAt = handOver?.extension?.find((e) => e.url === 'date')?.valueDateTime ?? handOver?.extension?.find((e) => e.url === 'date')?.valueDate;
  const shares = ext(pps, EXT.shareWithGp)?.valueBoolean;
  // No GP on file (at the hand-over, or now): never « partagé avec le médecin traitant ».
  const noGp = handOver?.extension?.find((e) => e.url === 'noGeneralPractitioner')?.valueBoolean === true || hasGp === false;
  // A PPAC already prepared for this PPS (ahead of the end of active treatment: the PPS stays in force).
  const successors = useQuery({ queryKey: ['hospital', 'ppac-of', pps.id], queryFn: () => api<Bundle<CarePlan>>('/fhir/CarePlan', { query: { replaces: `CarePlan/${pps.id}` } }) });
  const preparedPpac = successors.data?.entry?.map((e) => e.resource).find((p): p is CarePlan => Boolean(p) && kindOf(p!) === 'ppac' && !['revoked', 'entered-in-error'].includes(p!.status));
  // PPAC: end of active treatment, alternating surveillance, supportive-care orientation.
  // Only structures whose after-cancer label holds today, by the directory's own rule (labelled=true:
  // isLabelledOn, server/directories/label.ts) — a withdrawn label is not offered.
  const structures = useQuery({ queryKey: ['hospital', 'supportive-care', 'labelled'], queryFn: () => api<{ total: number; entries: OfferEntry[] }>('/api/directories/offer', { query: { labelled: 'true' } }), staleTime: 300_000 });
  const [end, setEnd] = useState(parisDay());
  const [interval, setInterval] = useState<number | string>(6);
  const [years, setYears] = useState<number | string>(5);
  const [first, setFirst] = useState('hospital');
  const [exams, setExams] = useState('');
  const [structure, setStructure] = useState<string | null>(null);
  // The PPS closes when the end of active treatment is reached (server/care-plan/ppac.ts): asked to confirm
  // then; a date to come prepares the PPAC ahead (draft) and leaves the PPS in force.
  const ahead = /^\d{4}-\d{2}-\d{2}$/.test(end) && end > parisDay();
  const [confirming, setConfirming] = useState(false);
  const start = useMutation({
    mutationFn: () => {
      const s = (structures.data?.entries ?? []).find((h) => h.service === structure);
      return hospitalApi.startPpac(pps.id!, {
        endOfTreatment: end,
        surveillance: {
          intervalMonths: Number(interval), years: Number(years), first,
          ...(exams.trim() ? { exams: exams.split('\n').map((x) => x.trim()).filter(Boolean).map((display) => ({ display })) } : {}),
        },
        ...(structure ? { needsEvaluation: { structure: { reference: structure, ...(s?.name ? { display: s.name } : {}) } } } : {}),
      }, pps.meta?.versionId);
    },
    onSuccess: (ppac) => {
      notifications.show({ message: ahead ? `PPAC préparé (brouillon) : le PPS reste en vigueur jusqu’au ${formatDate(end)}` : 'PPAC établi : le PPS est clos' });
      void queryClient.invalidateQueries({ queryKey: ['hospital'] });
      navigate(`/hopital/programmes/${ppac.id}`);
    },
  });
  const ppacErrors = start.error instanceof ApiError ? fieldErrorsOf(start.error.outcome?.issue, { end: ['endOfTreatment'], interval: ['surveillance.intervalMonths'], years: ['surveillance.years'], structure: ['needsEvaluation'] }) : {};

  return (
    <Stack gap="lg">
      <Group gap="xs">
        <Badge variant="light" size="lg">{carePlanStatusLabel(pps.status, 'pps')}</Badge>
        {handedAt && <Text size="sm" data-testid="handed-over">Remis le {formatDate(handedAt)}{noGp ? ' — pas de médecin traitant déclaré : non envoyé' : shares === false ? ' — le patient refuse l’envoi au médecin traitant' : shares ? ' — partagé avec le médecin traitant' : ''}</Text>}
        {pps.meta?.versionId && <Text size="sm" data-testid="pps-version">Version {pps.meta.versionId}</Text>}
      </Group>
      <section aria-labelledby="calendar-title">
        <Title order={2} size="h3" id="calendar-title">Calendrier des soins</Title>
        <Calendar plan={pps} />
      </section>
      <UpdateHistory plan={pps} />
      {pps.status === 'active' && handedAt && <EditPps pps={pps} />}
      {pps.status !== 'completed' && <HandOverCard plan={pps} hasGp={hasGp} />}
      {pps.status === 'active' && preparedPpac && (
        <Alert color="blue" role="status" title="PPAC préparé">
          Le PPAC a été préparé pour la fin des traitements actifs{ext(preparedPpac, EXT.endOfActiveTreatment)?.valueDate ? ` du ${formatDate(ext(preparedPpac, EXT.endOfActiveTreatment)!.valueDate)}` : ''} : le PPS reste en vigueur jusqu’à sa remise au patient. <Anchor component={Link} to={`/hopital/programmes/${preparedPpac.id}`}>Ouvrir le PPAC</Anchor>
        </Alert>
      )}
      {pps.status === 'active' && successors.isSuccess && !preparedPpac && (
        <Card withBorder component="section" aria-labelledby="ppac-title">
          <form onSubmit={(e) => {
            e.preventDefault();
            if (!ahead && !confirming) { setConfirming(true); return; }
            setConfirming(false);
            start.mutate();
          }} noValidate>
            <Stack gap="sm">
              <Title order={2} size="h3" id="ppac-title">Fin des traitements actifs : établir le PPAC</Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput label="Fin des traitements actifs" type="date" value={end} onChange={(e) => { setEnd(e.currentTarget.value); setConfirming(false); }} error={ppacErrors.end}
                  description={ahead ? 'Date à venir : le PPAC sera préparé (brouillon) et le PPS restera en vigueur jusqu’à cette date.' : undefined} />
                <Select label="Première consultation de surveillance" data={[{ value: 'hospital', label: 'Spécialiste hospitalier' }, { value: 'gp', label: 'Médecin traitant' }]} value={first} onChange={(v) => setFirst(v ?? 'hospital')} allowDeselect={false} />
                <NumberInput label="Une consultation tous les (mois)" value={interval} onChange={setInterval} min={1} max={24} error={ppacErrors.interval} />
                <NumberInput label="Pendant (années)" value={years} onChange={setYears} min={1} max={10} error={ppacErrors.years} />
              </SimpleGrid>
              <Textarea label="Examens de surveillance" description="Un par ligne (ex. Scanner thoraco-abdomino-pelvien)" value={exams} onChange={(e) => setExams(e.currentTarget.value)} autosize minRows={2} />
              <Select label="Orientation soins de support (bilan des besoins)" description="Structures labellisées du parcours global après cancer" clearable
                data={(structures.data?.entries ?? []).map((h) => ({ value: h.service, label: h.city ? `${h.name} (${h.city})` : h.name }))}
                value={structure} onChange={setStructure} error={ppacErrors.structure} />
              {start.error && !Object.keys(ppacErrors).length && <ErrorMessage error={start.error} title="PPAC non établi" />}
              {confirming && (
                <Alert color="orange" role="alert" title="Clore le PPS ?">
                  Les traitements actifs sont terminés le {formatDate(end)} : le PPS sera clos (plus de traitement à venir pour le patient et son médecin traitant) et le PPAC prendra le relais. Vérifiez qu’aucun traitement du calendrier ne reste à faire.
                </Alert>
              )}
              <Group>
                <Button type="submit" loading={start.isPending}>{confirming ? 'Confirmer : clore le PPS et établir le PPAC' : ahead ? 'Préparer le PPAC' : 'Établir le PPAC'}</Button>
                {confirming && <Button variant="default" onClick={() => setConfirming(false)}>Annuler</Button>}
              </Group>
            </Stack>
          </form>
        </Card>
      )}
    </Stack>
  );
}

/** The hand-over of a PPS or PPAC to the patient, with the patient's answer about the GP (never assumed). */
function HandOverCard({ plan, hasGp }: { plan: CarePlan; hasGp?: boolean }) {
  // No GP on file: the question is not asked — there is no one to send the programme to.
  const noGp = hasGp === false;
  const queryClient = useQueryClient();
  const handOver = ext(plan, EXT.handOver);
  const handedAt = handOver?.extension?.find((e) => e.url === 'date')?.valueDateTime ?? handOver?.extension?.find((e) => e.url === 'date')?.valueDate;
  const name = kindOf(plan) === 'ppac' ? 'PPAC' : 'PPS';
  const [date, setDate] = useState(parisDay());
  const [share, setShare] = useState('');
  const [objection, setObjection] = useState(false);
  const [handReason, setHandReason] = useState('');
  const [unanswered, setUnanswered] = useState(false);
  const hand = useMutation({
    // Only an explicit « oui » or « non » is sent: an unanswered question is never a refusal.
    mutationFn: (shareWithGp: boolean | undefined) => hospitalApi.handOver(plan.id!, { date, ...(shareWithGp === undefined ? {} : { shareWithGp }), ...(objection ? { dataReuseObjection: true } : {}), ...(handReason.trim() ? { reason: handReason.trim() } : {}) }, plan.meta?.versionId),
    onSuccess: () => {
      notifications.show({ message: `Remise du ${name} au patient enregistrée` });
      void queryClient.invalidateQueries({ queryKey: ['hospital'] });
    },
  });
  const handErrors = hand.error instanceof ApiError ? fieldErrorsOf(hand.error.outcome?.issue, { date: ['date'], share: ['shareWithGp'], reason: ['reason'] }) : {};
  return (
        <Card withBorder component="section" aria-labelledby="handover-title">
          <form onSubmit={(e) => {
            e.preventDefault();
            if (noGp) { hand.mutate(undefined); return; }
            if (share !== 'oui' && share !== 'non') { setUnanswered(true); return; }
            setUnanswered(false);
            hand.mutate(share === 'oui');
          }} noValidate>
            <Stack gap="sm">
              <Title order={2} size="h3" id="handover-title">{handedAt ? 'Nouvelle remise au patient' : 'Remise au patient'}</Title>
              <TextInput label="Date de la remise" type="date" value={date} onChange={(e) => setDate(e.currentTarget.value)} error={handErrors.date} maw={240} />
              {noGp ? (
                <Alert color="gray" role="note" data-testid="no-gp">
                  Pas de médecin traitant déclaré : le {name} ne peut pas lui être envoyé.
                  {idOf(plan.subject?.reference) && <> <Anchor component={Link} to={`/hopital/patients/${idOf(plan.subject?.reference)}`}>Déclarer le médecin traitant dans le dossier du patient</Anchor>, puis revenez remettre le {name}.</>}
                </Alert>
              ) : (
              <Radio.Group label={`Le patient accepte-t-il que son ${name} soit envoyé à son médecin traitant ?`} value={share} onChange={(v) => { setShare(v); setUnanswered(false); }}
                error={unanswered ? 'Indiquez la réponse du patient (oui ou non) : elle est obligatoire pour enregistrer la remise.' : handErrors.share} required>
                <Group gap="md" mt={4}><Radio value="oui" label="Oui" /><Radio value="non" label="Non" /></Group>
              </Radio.Group>
              )}
              {handedAt && <Textarea label="Motif de la nouvelle remise" description="Programme mis à jour, exemplaire perdu…" value={handReason} onChange={(e) => setHandReason(e.currentTarget.value)} error={handErrors.reason} autosize minRows={2} required />}
              <Checkbox label="Le patient s’oppose à la réutilisation de ses données (recherche)" checked={objection} onChange={(e) => setObjection(e.currentTarget.checked)} />
              {hand.error && !Object.keys(handErrors).length && <ErrorMessage error={hand.error} />}
              <Group><Button type="submit" loading={hand.isPending}>Enregistrer la remise</Button></Group>
            </Stack>
          </form>
        </Card>
  );
}

function UpdateHistory({ plan }: { plan: CarePlan }) {
  const records = (plan.extension ?? []).filter((e) => e.url === EXT.updateHistory).map((e) => ({
    reason: e.extension?.find((x) => x.url === 'reason')?.valueCodeableConcept,
    detail: e.extension?.find((x) => x.url === 'detail')?.valueString,
    date: e.extension?.find((x) => x.url === 'date')?.valueDateTime,
  }));
  if (!records.length) return null;
  return (
    <section aria-labelledby="updates-title">
      <Title order={2} size="h3" id="updates-title">Mises à jour du programme</Title>
      <List size="sm" data-testid="pps-updates">
        {records.map((r, i) => <List.Item key={i}>{[r.date ? formatDate(r.date) : '', r.reason?.text ?? r.reason?.coding?.[0]?.display ?? '', r.detail ?? ''].filter(Boolean).join(' — ')}</List.Item>)}
      </List>
    </section>
  );
}

interface DatesRow { index: number; label: string; start: string; end: string }

/**
 * A PPS already handed over to the patient changes only by a new version that says why (CI-SIS
 * GEN-037: relapse, refusal, palliative care, calendar change…): the calendar of the programme
 * edited here, the reason appended to its history (the server refuses a change without one).
 */
function EditPps({ pps }: { pps: CarePlan }) {
  const queryClient = useQueryClient();
  const initial = (): DatesRow[] => (pps.activity ?? []).map((a, index) => ({ a, index })).filter(({ a }) => a.detail && !ext(a, EXT.surveillanceBy)).map(({ a, index }) => ({
    index, label: activityLabel(a), start: a.detail?.scheduledPeriod?.start?.slice(0, 10) ?? '', end: a.detail?.scheduledPeriod?.end?.slice(0, 10) ?? '',
  }));
  const [rows, setRows] = useState<DatesRow[]>(initial);
  const requests = useOralRequests(pps);
  const oral = (pps.activity ?? []).filter((a) => a.reference?.reference?.startsWith('MedicationRequest/'));
  const [reason, setReason] = useState<string | null>(null);
  const [detail, setDetail] = useState('');
  const [missingReason, setMissingReason] = useState(false);
  const set = (i: number, patch: Partial<DatesRow>) => setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const save = useMutation({
    mutationFn: () => {
      const chosen = UPDATE_REASONS.find((r) => r.value === reason)!;
      const activity = (pps.activity ?? []).map((a, index) => {
        const row = rows.find((r) => r.index === index);
        if (!row || !a.detail) return a;
        const { scheduledPeriod: _old, ...detailRest } = a.detail;
        const period = { ...(row.start ? { start: row.start } : {}), ...(row.end ? { end: row.end } : {}) };
        return { ...a, detail: { ...detailRest, ...(Object.keys(period).length ? { scheduledPeriod: period } : {}) } };
      });
      const concept = { coding: [chosen.coding], text: chosen.label };
      const record: Extension = {
        url: EXT.updateHistory,
        extension: [
          { url: 'reason', valueCodeableConcept: concept },
          ...(detail.trim() ? [{ url: 'detail', valueString: detail.trim() }] : []),
          { url: 'date', valueDateTime: new Date().toISOString() },
        ],
      };
      const extension = [...(pps.extension ?? []).filter((e) => e.url !== EXT.updateReason), { url: EXT.updateReason, valueCodeableConcept: concept }, record];
      return hospitalApi.updateCarePlan({ ...pps, extension, activity }, pps.meta?.versionId);
    },
    onSuccess: (saved) => {
      notifications.show({ message: `PPS mis à jour : version ${saved.meta?.versionId ?? ''} enregistrée. Remettez la nouvelle version au patient.` });
      setDetail('');
      setReason(null);
      void queryClient.invalidateQueries({ queryKey: ['hospital'] });
    },
  });
  const errors = save.error instanceof ApiError ? fieldErrorsOf(save.error.outcome?.issue, { reason: ['CarePlan.extension'] }) : {};
  return (
    <Card withBorder component="section" aria-labelledby="edit-pps-title">
      <form onSubmit={(e) => {
        e.preventDefault();
        if (!reason) { setMissingReason(true); return; }
        setMissingReason(false);
        save.mutate();
      }} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h3" id="edit-pps-title">Modifier le PPS remis au patient</Title>
          <Text size="sm">Le patient a déjà reçu ce programme : chaque modification en crée une nouvelle version avec son motif, gardé dans l’historique.</Text>
          {rows.map((r, i) => (
            <Card withBorder key={r.index} component="fieldset" aria-label={r.label} data-testid="pps-edit-item">
              <Text fw={600} size="sm">{r.label}</Text>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput label={`Début (${r.label})`} type="date" value={r.start} onChange={(e) => set(i, { start: e.currentTarget.value })} />
                <TextInput label={`Fin (${r.label})`} type="date" value={r.end} onChange={(e) => set(i, { end: e.currentTarget.value })} />
              </SimpleGrid>
            </Card>
          ))}
          {oral.map((a) => {
            const request = requests.get(a.reference!.reference!);
            const period = oralTreatmentPeriod(request);
            const name = oralLabel(a, request);
            return (
              <Card withBorder key={a.reference!.reference} component="section" aria-label={name} data-testid="pps-edit-oral">
                <Text fw={600} size="sm">{name} — traitement oral</Text>
                <Text size="sm">{period?.start ? `Du ${formatDate(period.start)}${period.end ? ` au ${formatDate(period.end)}` : ''}` : 'Dates à préciser'}{request?.dosageInstruction?.[0]?.text ? ` — ${request.dosageInstruction[0].text.replace(/^Cycle \d+ : /, '')}` : ''}</Text>
                <Text size="sm" c="dimmed">La dose, les prises et les dates d’un traitement oral ne se modifient pas ici : elles sont celles de sa prescription (traitement oral prescrit), que le prescripteur modifie ; le PPS et son document les reprennent.</Text>
              </Card>
            );
          })}
          <Select label="Motif de la modification" data={UPDATE_REASONS.map((r) => ({ value: r.value, label: r.label }))} value={reason} onChange={setReason} required
            error={missingReason ? 'Indiquez le motif de la modification : le patient a déjà reçu ce programme.' : errors.reason} />
          <Textarea label="Précisions sur la modification" value={detail} onChange={(e) => setDetail(e.currentTarget.value)} autosize minRows={2} />
          {save.error && !Object.keys(errors).length && <ErrorMessage error={save.error} title="PPS non modifié" />}
          <Group><Button type="submit" loading={save.isPending}>Enregistrer la nouvelle version</Button></Group>
        </Stack>
      </form>
    </Card>
  );
}

function Ppac({ ppac, hasGp }: { ppac: CarePlan; hasGp?: boolean }) {
  const orientation = (ppac.activity ?? []).map((a) => ext(a, EXT.orientation)?.valueReference).find(Boolean);
  return (
    <Stack gap="lg">
      <Group gap="xs">
        <Badge variant="light" size="lg">{carePlanStatusLabel(ppac.status, 'ppac')}</Badge>
        {ppac.period?.start && <Text size="sm">Surveillance du {formatDate(ppac.period.start)} au {formatDate(ppac.period.end)}</Text>}
      </Group>
      {orientation && <Alert color="blue" role="note" title="Orientation soins de support">{orientation.display ?? orientation.reference}</Alert>}
      <section aria-labelledby="surveillance-title">
        <Title order={2} size="h3" id="surveillance-title">Surveillance alternée hôpital / médecin traitant</Title>
        <Calendar plan={ppac} />
      </section>
      {/* Handed over at the end of active treatment: the PPS it replaces closes then (refused before). */}
      {(ppac.status === 'draft' || ppac.status === 'active') && <HandOverCard plan={ppac} hasGp={hasGp} />}
    </Stack>
  );
}
