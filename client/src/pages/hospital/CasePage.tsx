import { Alert, Anchor, Badge, Button, Card, Group, List, Modal, Radio, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Patient, ResearchStudy } from '@medplum/fhirtypes';
import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { hasDecision, hospitalApi, idOf, printLinks, TREATMENT_TYPES, type DecisionInput, type DecisionView, type RcpCase, type RcpSheetData } from '../../api/hospital.ts';
import { api, ApiError } from '../../api/http.ts';
import { ErrorMessage, LoadError, loadErrorTitle } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDate, formatDateTime } from '../../lib/dates.ts';
import { capitalBornWord, patientDisplayName, patientIdentityLine } from '../../lib/patient-identity.ts';
import { cleanValue } from '../../lib/sheet-draft.ts';
import { reportRecipients } from '../../lib/report-recipients.ts';
import { signersText } from '../../lib/signers.ts';

/** A proposal line as the form holds it: its rank (1 = first choice, 2… = alternatives), type and detail. */
interface Line {
  intention: string;
  type: string;
  detail: string;
}

interface DecisionForm {
  lines: Line[];
  exams: { description: string; earliest: string; latest: string }[];
  surveillance: string;
  comment: string;
  guidelineName: string;
  guidelineVersion: string;
  follows: '' | 'oui' | 'non';
  deviationReason: string;
  trial: '' | 'oui' | 'non';
  study: string;
  trialComment: string;
}

function formOf(view: DecisionView | undefined): DecisionForm {
  const p = view?.proposal;
  const b = view?.basis;
  const study = b?.clinicalTrial?.study;
  return {
    lines: (p?.treatments ?? []).map((t) => ({ intention: String(t.intention), type: String(t.type), detail: t.detail ?? '' })),
    exams: (p?.exams ?? []).map((e) => ({ description: e.description ?? '', earliest: e.earliest ?? '', latest: e.latest ?? '' })),
    surveillance: p?.surveillance?.description ?? '',
    comment: p?.comment ?? '',
    guidelineName: b?.guideline?.name ?? '',
    guidelineVersion: b?.guideline?.version ?? '',
    follows: b?.followsGuideline === undefined ? '' : b.followsGuideline ? 'oui' : 'non',
    deviationReason: b?.deviationReason ?? '',
    trial: b?.clinicalTrial?.proposed === undefined ? '' : b.clinicalTrial.proposed ? 'oui' : 'non',
    study: typeof study === 'string' ? study.replace(/\/_history\/.*$/, '') : '',
    trialComment: b?.clinicalTrial?.comment ?? '',
  };
}

/** The form → the decision the API reads (sequence = order within the line; blanks left out). */
function decisionOf(form: DecisionForm): DecisionInput {
  const seq = new Map<string, number>();
  const treatments = form.lines.filter((l) => l.type).map((l) => {
    const sequence = (seq.get(l.intention) ?? 0) + 1;
    seq.set(l.intention, sequence);
    return { intention: Number(l.intention), sequence, type: l.type, ...(l.detail.trim() ? { detail: l.detail.trim() } : {}) };
  });
  const input = {
    treatments,
    exams: form.exams.filter((e) => e.description.trim()).map((e) => cleanValue(e) as DecisionInput['exams'][number]),
    ...(form.surveillance.trim() ? { surveillance: { description: form.surveillance.trim() } } : {}),
    ...(form.comment.trim() ? { comment: form.comment.trim() } : {}),
    ...(form.guidelineName.trim() ? { guideline: { name: form.guidelineName.trim(), ...(form.guidelineVersion.trim() ? { version: form.guidelineVersion.trim() } : {}) } } : {}),
    ...(form.follows ? { followsGuideline: form.follows === 'oui' } : {}),
    ...(form.deviationReason.trim() ? { deviationReason: form.deviationReason.trim() } : {}),
    clinicalTrial: {
      ...(form.trial ? { proposed: form.trial === 'oui' } : {}),
      ...(form.trial === 'oui' && form.study ? { study: form.study } : {}),
      ...(form.trialComment.trim() ? { comment: form.trialComment.trim() } : {}),
    } as DecisionInput['clinicalTrial'],
  };
  return input;
}

const LINE_LABELS: Record<string, string> = { '1': 'Première intention', '2': 'Alternative 1', '3': 'Alternative 2' };

/**
 * /hopital/dossiers/:id — the RCP's decision for a case: the proposals by line, the guideline,
 * the clinical trial picked from the regional directory of open trials, surveillance; signature
 * after a confirmation that shows what will be signed; then read-only, and a correction asks for
 * its reason and shows the versions side by side.
 */
export default function CasePage() {
  const { id = '' } = useParams();
  const rcpCase = useQuery({ queryKey: ['hospital', 'case', id], queryFn: () => hospitalApi.case(id) });
  const decision = useQuery({ queryKey: ['hospital', 'decision', id], queryFn: () => hospitalApi.decision(id), enabled: Boolean(rcpCase.data?.sheet) });
  const c = rcpCase.data;
  const patient = useQuery({ queryKey: ['hospital', 'patient', idOf(c?.patient)], queryFn: () => hospitalApi.patient(idOf(c!.patient)!), enabled: Boolean(c) });
  const p = patient.data;
  // Identity vigilance (RNIV): the patient named, with the birth date, wherever one acts on their record.
  return (
    <Page
      // Withdrawn, refused or not yet accepted, the page is the request's; once on a session's agenda it is where the decision is taken.
      title={rcpCase.error ? loadErrorTitle('case', rcpCase.error) : `${c && !hasDecision(c) && REQUEST_ONLY_STATES.includes(c.state) ? 'Demande d’inscription en RCP' : 'Décision de la RCP'}${p ? ` — ${patientDisplayName(p)}` : ''}`}
      subtitle={c ? <Group gap="xs">{p && <Text size="sm" data-testid="patient-born">{capitalBornWord(p.gender)} le {formatDate(p.birthDate)}</Text>}<Anchor component={Link} to={`/hopital/patients/${idOf(c.patient)}`}>← Dossier du patient</Anchor><Text size="sm" c="dimmed">Question : {c.question}</Text></Group> : undefined}
      actions={c?.sheet ? (
        <>
          <Button component={Link} to={`/hopital/fiches/${idOf(c.sheet)}`} variant="light">Fiche RCP</Button>
          {c.state === 'signed' && <Button component="a" href={printLinks.rcpSheet(idOf(c.sheet)!)} target="_blank" variant="default">Compte rendu (PDF)</Button>}
          {c.state === 'signed' && <Button component="a" href={printLinks.rcpSheetCda(idOf(c.sheet)!)} download={`frcp-${idOf(c.sheet)}.xml`} variant="default">Télécharger le document CDA</Button>}
        </>
      ) : undefined}
    >
      {(rcpCase.isPending || decision.isPending && Boolean(c?.sheet)) && <Loading />}
      {rcpCase.error && <LoadError kind="case" error={rcpCase.error} onRetry={() => void rcpCase.refetch()} />}
      {decision.error && <ErrorMessage error={decision.error} />}
      {c && <CaseHeader rcpCase={c} />}
      {patient.error && <ErrorMessage error={patient.error} />}
      {c && p && decision.data && <CaseBody rcpCase={c} patient={p} view={decision.data} />}
    </Page>
  );
}

/** States in which the case is only a request, never to be (or not yet) on an agenda: no decision to take on its page. */
const REQUEST_ONLY_STATES: RcpCase['state'][] = ['pending', 'withdrawn', 'rejected'];

function CaseHeader({ rcpCase }: { rcpCase: RcpCase }) {
  const [withdrawing, setWithdrawing] = useState(false);
  return (
    <Group gap="xs" data-testid="case-state">
      <Badge variant="light" size="lg" color={rcpCase.state === 'signed' ? 'green' : rcpCase.state === 'rejected' ? 'red' : rcpCase.state === 'withdrawn' ? 'gray' : 'blue'}>{rcpCase.stateLabel}</Badge>
      {rcpCase.statusReason && <Text size="sm">{rcpCase.statusReason}</Text>}
      {rcpCase.signedAt && <Text size="sm" c="dimmed">Signé le {formatDateTime(rcpCase.signedAt)}</Text>}
      {/* Offered as the server decides it (mayWithdraw: the requester, the 3C or the chair, before the discussion). */}
      {rcpCase.mayWithdraw && <Button size="xs" variant="outline" color="red.9" ml="auto" onClick={() => setWithdrawing(true)}>Retirer la demande</Button>}
      {withdrawing && <WithdrawRequestDialog rcpCase={rcpCase} onClose={() => setWithdrawing(false)} />}
    </Group>
  );
}

/** Withdrawing is final (the request is revoked, the case leaves the agenda): a reason, kept in the history, and a confirmation. */
function WithdrawRequestDialog({ rcpCase, onClose }: { rcpCase: RcpCase; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const withdraw = useMutation({
    mutationFn: () => hospitalApi.withdrawCase(rcpCase.id, reason.trim(), rcpCase.version),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['hospital'] });
      notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: 'Demande d’inscription à la RCP retirée' });
      onClose();
    },
    // Refused because the case moved on meanwhile (discussed, withdrawn by the 3C): the page reads it again.
    onError: () => void queryClient.invalidateQueries({ queryKey: ['hospital', 'case', rcpCase.id] }),
  });
  const issues = withdraw.error instanceof ApiError ? withdraw.error.outcome?.issue ?? [] : [];
  const reasonError = issues.filter((i) => i.expression?.includes('reason')).map((i) => i.details?.text).join(' ') || undefined;
  return (
    <Modal opened onClose={onClose} title="Retirer la demande d’inscription à la RCP ?" centered>
      <form onSubmit={(e) => { e.preventDefault(); withdraw.mutate(); }} noValidate>
        <Stack gap="sm">
          <Text size="sm">Le dossier quitte l’ordre du jour de la séance et ne sera pas discuté ; la demande est close et ne peut pas être rouverte. Pour le présenter plus tard, inscrivez-le à nouveau.</Text>
          <Textarea label="Motif du retrait" description="Gardé dans l’historique du dossier et visible du 3C" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={reasonError} autosize minRows={2} required data-autofocus />
          {withdraw.error && !reasonError && <ErrorMessage error={withdraw.error} title="Retrait refusé" />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>Annuler</Button>
            <Button type="submit" color="red.9" loading={withdraw.isPending} disabled={!reason.trim()}>Retirer la demande</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Why the signed-in physician may not sign (or correct), and who may: the server refuses them anyway. */
function NotASigner({ rcpCase, view, correction }: { rcpCase: RcpCase; view: DecisionView; correction?: boolean }) {
  return (
    <Alert color="orange" role="status" title={correction ? 'Vous ne pouvez pas corriger ce compte rendu' : 'Vous ne pouvez pas signer ce compte rendu'} data-testid="not-a-signer">
      Le compte rendu est signé par un médecin qui a participé à la discussion du dossier (présent ou à distance) ou par le médecin coordonnateur de la RCP.
      {' '}Peut le {correction ? 'corriger' : 'signer'} : {signersText(view.signing.signers, rcpCase.requester)}.
    </Alert>
  );
}

function CaseBody({ rcpCase, patient, view }: { rcpCase: RcpCase; patient: Patient; view: DecisionView }) {
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['hospital'] });
  const discuss = useMutation({
    mutationFn: () => api(`/api/rcp/cases/${rcpCase.id}/discuss`, { method: 'POST', body: {} }),
    onSuccess: refresh,
  });
  const [correcting, setCorrecting] = useState(false);
  const signed = rcpCase.state === 'signed';
  const editable = rcpCase.state === 'discussed' || rcpCase.state === 'recorded';
  return (
    <Stack gap="lg">
      {rcpCase.state === 'accepted' && (
        <Alert color="blue" role="status" title="Dossier inscrit, pas encore discuté">
          <Stack gap="xs">
            <Text size="sm">La proposition se saisit une fois le dossier discuté en séance (séance ouverte, quorum atteint).</Text>
            <Group><Button size="xs" variant="light" onClick={() => discuss.mutate()} loading={discuss.isPending}>Noter le dossier discuté en séance</Button></Group>
            {discuss.error && <ErrorMessage error={discuss.error} />}
          </Stack>
        </Alert>
      )}
      {rcpCase.state === 'pending' && <Alert color="orange" role="status">En attente de l’accord du 3C.</Alert>}
      {editable && !view.signing.maySign && <NotASigner rcpCase={rcpCase} view={view} />}
      {editable && <DecisionEditor rcpCase={rcpCase} patient={patient} view={view} onDone={refresh} />}
      {signed && !correcting && (
        <>
          <Alert color="green" role="status" title="Compte rendu signé : lecture seule" data-testid="signed-read-only">
            La proposition ne se modifie plus. Une erreur se corrige par une nouvelle version motivée, signée et envoyée à nouveau.
          </Alert>
          <DecisionSummary view={view} />
          {!view.signing.maySign && <NotASigner rcpCase={rcpCase} view={view} correction />}
          <Group>
            {view.signing.maySign && <Button variant="light" color="orange" onClick={() => setCorrecting(true)}>Corriger le compte rendu</Button>}
            {view.decision && <Button component={Link} to={`/hopital/programmes/${idOf(view.decision)}`}>Programme de soins (PPS)</Button>}
          </Group>
          {rcpCase.firstReport && rcpCase.report && rcpCase.firstReport !== rcpCase.report && <Versions sheetId={idOf(rcpCase.sheet)!} first={rcpCase.firstReport} last={rcpCase.report} />}
        </>
      )}
      {signed && correcting && <DecisionEditor rcpCase={rcpCase} patient={patient} view={view} correction onDone={() => { setCorrecting(false); refresh(); }} onCancel={() => setCorrecting(false)} />}
    </Stack>
  );
}

function DecisionSummary({ view }: { view: DecisionView | { proposal?: RcpSheetData['proposal']; basis?: RcpSheetData['basis']; studyTitle?: string } }) {
  const p = view.proposal;
  const b = view.basis;
  // The trial by its title (the view resolves the sheet's ResearchStudy reference), never by its id.
  const study = b?.clinicalTrial?.study;
  const studyTitle = view.studyTitle ?? (typeof study === 'object' && study ? (study as { title?: string }).title : undefined);
  const byLine = new Map<number, NonNullable<NonNullable<typeof p>['treatments']>>();
  for (const t of p?.treatments ?? []) byLine.set(t.intention, [...(byLine.get(t.intention) ?? []), t]);
  return (
    <Stack gap="xs" data-testid="decision-summary">
      {[...byLine.entries()].sort(([a], [z]) => a - z).map(([line, items]) => (
        <div key={line}>
          <Text size="sm" fw={600}>{LINE_LABELS[String(line)] ?? `Alternative ${line - 1}`}</Text>
          <List size="sm">{items.map((t, i) => <List.Item key={i}>{TREATMENT_TYPES[String(t.type)] ?? t.type}{t.detail ? ` — ${t.detail}` : ''}</List.Item>)}</List>
        </div>
      ))}
      {p?.exams?.length ? <Text size="sm">Examens : {p.exams.map((e) => `${e.description}${e.latest ? ` (avant le ${formatDate(e.latest)})` : ''}`).join(' ; ')}</Text> : null}
      {p?.surveillance?.description && <Text size="sm">Surveillance : {p.surveillance.description}</Text>}
      {b?.guideline?.name && <Text size="sm">Référentiel : {b.guideline.name}{b.guideline.version ? ` (${b.guideline.version})` : ''}{b.followsGuideline === false ? ` — écart : ${b.deviationReason}` : b.followsGuideline ? ' — proposition conforme' : ''}</Text>}
      <Text size="sm">Essai clinique : {b?.clinicalTrial?.proposed ? `proposé${studyTitle ? ` : ${studyTitle}` : ''}` : 'non proposé'}{b?.clinicalTrial?.comment ? ` — ${b.clinicalTrial.comment}` : ''}</Text>
    </Stack>
  );
}

function DecisionEditor({ rcpCase, patient, view, correction, onDone, onCancel }: { rcpCase: RcpCase; patient: Patient; view: DecisionView; correction?: boolean; onDone: () => void; onCancel?: () => void }) {
  const [form, setForm] = useState<DecisionForm>(() => {
    const f = formOf(view);
    return f.lines.length ? f : { ...f, lines: [{ intention: '1', type: '', detail: '' }] };
  });
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const signVersion = useRef(view.sheet.version);
  // Where the report goes, as the server will send it (the decision view's list, refreshed by the save).
  const [addressed, setAddressed] = useState(view.recipients);
  const trials = useQuery({ queryKey: ['hospital', 'trials'], queryFn: () => hospitalApi.trials(), staleTime: 300_000 });
  const set = <K extends keyof DecisionForm>(key: K, value: DecisionForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const queryClient = useQueryClient();
  // The sheet changed since this page read it (a colleague, another tab, the 3C moving the case):
  // the save is refused (412). The view is read again — its version with it — and what was typed
  // stays in the form, so a second click saves it over the new version; a reload would lose it.
  const [stale, setStale] = useState(false);
  const onStale = (e: Error) => {
    if (!(e instanceof ApiError && e.status === 412)) return;
    setStale(true);
    setConfirming(false);
    void queryClient.invalidateQueries({ queryKey: ['hospital', 'decision', rcpCase.id] });
  };
  const saved = useMutation({
    mutationFn: () => hospitalApi.saveDecision(rcpCase.id, decisionOf(form), view.sheet.version),
    onError: onStale,
    onSuccess: (v) => {
      setStale(false);
      signVersion.current = v.sheet.version;
      setAddressed(v.recipients);
      if (v.signing.maySign) {
        notifications.show({ message: 'Proposition enregistrée' });
        setConfirming(true);
      } else notifications.show({ message: `Proposition enregistrée : à signer par ${signersText(v.signing.signers, rcpCase.requester)}` });
    },
  });
  const sign = useMutation({
    mutationFn: () => hospitalApi.sign(rcpCase.id, signVersion.current),
    onError: onStale,
    onSuccess: () => {
      notifications.show({ message: `Compte rendu signé : il part ${recipients}` });
      setConfirming(false);
      onDone();
    },
  });
  const correct = useMutation({
    mutationFn: () => hospitalApi.correct(rcpCase.id, { reason, decision: decisionOf(form) }),
    onSuccess: () => {
      notifications.show({ message: 'Correction signée : la nouvelle version est envoyée' });
      onDone();
    },
  });
  const error = (correction ? correct.error : saved.error) as unknown;
  const issues = error instanceof ApiError ? error.outcome?.issue ?? [] : [];
  const err = (path: string) => issues.filter((i) => (i.expression ?? []).some((e) => e === path || e.startsWith(`${path}.`) || e.startsWith(`${path}[`))).map((i) => i.details?.text).join(' ') || undefined;
  const studies = (trials.data?.entry ?? []).map((e) => e.resource as ResearchStudy).filter(Boolean);
  const recipients = reportRecipients(addressed, rcpCase.requester);
  const studyTitle = studies.find((s) => `ResearchStudy/${s.id}` === form.study)?.title;

  return (
    <Card withBorder component="section" aria-labelledby="decision-title">
      <form onSubmit={(e) => { e.preventDefault(); if (correction) correct.mutate(); else saved.mutate(); }} noValidate>
        <Stack gap="md">
          <Title order={2} size="h3" id="decision-title">{correction ? 'Correction du compte rendu' : 'Proposition de la RCP'}</Title>
          {correction && <Textarea label="Motif de la correction" description="Il figure sur la nouvelle version et est envoyé aux destinataires" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={err('reason')} required autosize minRows={2} />}
          <Stack gap="xs">
            <Text fw={600} size="sm">Traitements proposés</Text>
            {form.lines.map((line, i) => (
              <SimpleGrid key={i} cols={{ base: 1, sm: 3 }} data-testid="proposal-line">
                <Select label={`Ligne (proposition ${i + 1})`} data={Object.entries(LINE_LABELS).map(([value, label]) => ({ value, label }))} value={line.intention} allowDeselect={false}
                  onChange={(v) => set('lines', form.lines.map((l, j) => (j === i ? { ...l, intention: v ?? '1' } : l)))} error={err(`treatments[${i}].intention`)} />
                <Select label={`Type (proposition ${i + 1})`} data={Object.entries(TREATMENT_TYPES).map(([value, label]) => ({ value, label }))} value={line.type || null}
                  onChange={(v) => set('lines', form.lines.map((l, j) => (j === i ? { ...l, type: v ?? '' } : l)))} error={err(`treatments[${i}].type`)} searchable />
                <TextInput label={`Détail (proposition ${i + 1})`} value={line.detail} onChange={(e) => { const v = e.currentTarget.value; set('lines', form.lines.map((l, j) => (j === i ? { ...l, detail: v } : l))); }} error={err(`treatments[${i}].detail`)} />
              </SimpleGrid>
            ))}
            {err('treatments') && <Text size="sm" c="var(--mantine-color-error)" role="alert">{err('treatments')}</Text>}
            <Group gap="xs">
              <Button size="xs" variant="light" onClick={() => set('lines', [...form.lines, { intention: '1', type: '', detail: '' }])}>Ajouter un traitement</Button>
              <Button size="xs" variant="light" onClick={() => set('lines', [...form.lines, { intention: '2', type: '', detail: '' }])}>Ajouter une alternative</Button>
            </Group>
          </Stack>
          <Stack gap="xs">
            <Text fw={600} size="sm">Examens complémentaires</Text>
            {form.exams.map((exam, i) => (
              <SimpleGrid key={i} cols={{ base: 1, sm: 3 }}>
                <TextInput label={`Examen ${i + 1}`} value={exam.description} onChange={(e) => { const v = e.currentTarget.value; set('exams', form.exams.map((x, j) => (j === i ? { ...x, description: v } : x))); }} error={err(`exams[${i}].description`)} />
                <TextInput label={`Au plus tôt (examen ${i + 1})`} type="date" value={exam.earliest} onChange={(e) => { const v = e.currentTarget.value; set('exams', form.exams.map((x, j) => (j === i ? { ...x, earliest: v } : x))); }} error={err(`exams[${i}].earliest`)} />
                <TextInput label={`Au plus tard (examen ${i + 1})`} type="date" value={exam.latest} onChange={(e) => { const v = e.currentTarget.value; set('exams', form.exams.map((x, j) => (j === i ? { ...x, latest: v } : x))); }} error={err(`exams[${i}].latest`)} />
              </SimpleGrid>
            ))}
            <Group><Button size="xs" variant="light" onClick={() => set('exams', [...form.exams, { description: '', earliest: '', latest: '' }])}>Ajouter un examen</Button></Group>
          </Stack>
          <Textarea label="Surveillance" value={form.surveillance} onChange={(e) => set('surveillance', e.currentTarget.value)} autosize minRows={1} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Référentiel utilisé" description="Ex. TNCD — Cancer du côlon" value={form.guidelineName} onChange={(e) => set('guidelineName', e.currentTarget.value)} error={err('guideline')} />
            <TextInput label="Version du référentiel" value={form.guidelineVersion} onChange={(e) => set('guidelineVersion', e.currentTarget.value)} />
          </SimpleGrid>
          <Radio.Group label="La proposition suit-elle le référentiel ?" value={form.follows} onChange={(v) => set('follows', v as DecisionForm['follows'])} error={err('followsGuideline')}>
            <Group gap="md" mt={4}><Radio value="oui" label="Oui" /><Radio value="non" label="Non" /></Group>
          </Radio.Group>
          {form.follows === 'non' && <Textarea label="Raison de l’écart au référentiel" value={form.deviationReason} onChange={(e) => set('deviationReason', e.currentTarget.value)} error={err('deviationReason')} autosize minRows={1} required />}
          <Radio.Group label="Inclusion dans un essai clinique proposée ?" value={form.trial} onChange={(v) => set('trial', v as DecisionForm['trial'])} error={err('clinicalTrial.proposed')} required>
            <Group gap="md" mt={4}><Radio value="oui" label="Oui" /><Radio value="non" label="Non" /></Group>
          </Radio.Group>
          {form.trial === 'oui' && (
            <Select label="Essai proposé (essais ouverts de la région)" searchable data={studies.map((s) => ({ value: `ResearchStudy/${s.id}`, label: `${s.title ?? s.id}${s.phase?.text ? ` — ${s.phase.text}` : ''}` }))}
              value={form.study || null} onChange={(v) => set('study', v ?? '')} error={err('clinicalTrial.study')} nothingFoundMessage="Aucun essai ouvert ne correspond" />
          )}
          <TextInput label="Commentaire sur l’essai clinique" value={form.trialComment} onChange={(e) => set('trialComment', e.currentTarget.value)} />
          <Textarea label="Commentaire de la RCP" value={form.comment} onChange={(e) => set('comment', e.currentTarget.value)} autosize minRows={1} />
          {stale && (
            <Alert color="orange" variant="light" role="alert" title="La fiche a changé entre-temps" data-testid="decision-stale">
              La fiche RCP a été modifiée depuis l’ouverture de cette page (par un collègue ou dans un autre onglet) : elle vient d’être relue.
              Vos saisies ci-dessus sont conservées ; vérifiez-les, puis enregistrez à nouveau.
            </Alert>
          )}
          {!stale && error instanceof ApiError && !issues.some((i) => i.expression?.length) && <ErrorMessage error={error} />}
          {error instanceof ApiError && issues.some((i) => i.expression?.length) && <Text size="sm" c="var(--mantine-color-error)" role="alert">{error.message}</Text>}
          <Group gap="xs">
            {correction
              ? <><Button type="submit" color="orange" loading={correct.isPending}>Signer la correction</Button><Button variant="default" onClick={onCancel}>Annuler</Button></>
              : <Button type="submit" loading={saved.isPending}>{view.signing.maySign ? 'Enregistrer et signer…' : 'Enregistrer la proposition'}</Button>}
          </Group>
        </Stack>
      </form>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Signer le compte rendu de RCP — ${patientDisplayName(patient)}`} centered size="lg">
        <Stack gap="sm">
          <Text size="sm" data-testid="sign-patient">Vous allez signer le compte rendu de RCP de <strong>{patientIdentityLine(patient, formatDate)}</strong>.</Text>
          <Text size="sm" data-testid="sign-recipients">Il sera verrouillé et envoyé {recipients}.</Text>
          {/* No GP on file: it can be declared first (the report then reaches them), from the record. */}
          {!addressed.some((r) => r.role === 'general-practitioner' && r.practitioner) && (
            <Text size="sm"><Anchor component={Link} to={`/hopital/patients/${patient.id}`}>Déclarer le médecin traitant dans le dossier du patient</Anchor> avant de signer pour qu’il reçoive le compte rendu.</Text>
          )}
          <Card withBorder padding="sm"><DecisionSummary view={{ proposal: decisionOf(form) as unknown as RcpSheetData['proposal'], basis: { ...(form.guidelineName ? { guideline: { name: form.guidelineName, ...(form.guidelineVersion ? { version: form.guidelineVersion } : {}) } } : {}), ...(form.follows ? { followsGuideline: form.follows === 'oui' } : {}), deviationReason: form.deviationReason, clinicalTrial: { proposed: form.trial === 'oui', ...(studyTitle ? { study: { title: studyTitle } } : {}), comment: form.trialComment } } }} /></Card>
          {/* A refusal (sheet incomplete for signature, signed meanwhile…) is acted on in the sheet: the way there. */}
          {sign.error && (
            <ErrorMessage error={sign.error} title="Signature refusée">
              {idOf(view.sheet.reference) && (
                <Anchor component={Link} to={`/hopital/fiches/${idOf(view.sheet.reference)}`} data-testid="sign-refused-sheet">Ouvrir la fiche RCP pour la compléter ou la relire</Anchor>
              )}
            </ErrorMessage>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setConfirming(false)}>Relire encore</Button>
            <Button onClick={() => sign.mutate()} loading={sign.isPending}>Signer</Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

/** The first signed version and the corrected one, side by side (what the GP received, then what replaces it). */
function Versions({ sheetId, first, last }: { sheetId: string; first: string; last: string }) {
  const v1 = first.split('/_history/')[1];
  const v2 = last.split('/_history/')[1];
  const a = useQuery({ queryKey: ['hospital', 'sheet', sheetId, v1], queryFn: () => hospitalApi.sheet(sheetId, v1) });
  const b = useQuery({ queryKey: ['hospital', 'sheet', sheetId, v2], queryFn: () => hospitalApi.sheet(sheetId, v2) });
  return (
    <section aria-labelledby="versions-title">
      <Title order={2} size="h3" id="versions-title">Versions signées</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }} mt="xs" data-testid="versions">
        {[{ q: a, label: `Version ${v1} (première signature)` }, { q: b, label: `Version ${v2} (corrigée)` }].map(({ q, label }) => (
          <Card withBorder key={label} padding="sm">
            <Title order={3} size="h5">{label}</Title>
            {q.isPending && <Loading />}
            {q.error && <ErrorMessage error={q.error} />}
            {q.data && (
              <>
                {q.data.correction && <Text size="sm" c="var(--mantine-color-orange-light-color)" mb="xs">Motif de la correction : {q.data.correction.reason}</Text>}
                <DecisionSummary view={{ proposal: q.data.data.proposal, basis: q.data.data.basis }} />
              </>
            )}
          </Card>
        ))}
      </SimpleGrid>
    </section>
  );
}
