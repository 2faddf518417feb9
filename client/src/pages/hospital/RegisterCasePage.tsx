import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Radio, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Condition } from '@medplum/fhirtypes';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { hospitalApi, idOf, type SessionDetails } from '../../api/hospital.ts';
import { ApiError } from '../../api/http.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { useFocusFirstInvalid } from '../../components/useFocusFirstInvalid.ts';
import { formatDate, formatDateTime, parisDay } from '../../lib/dates.ts';
import { fieldErrorsOf } from '../../lib/field-errors.ts';
import { patientDisplayName } from '../../lib/patient-identity.ts';
import { offeredDiagnoses } from '../../lib/diagnoses.ts';
import { registrationBlocker } from '../../lib/registration-blocker.ts';

const MOTIFS = [
  { value: 'treatment-proposal', label: 'Proposition de traitement (dont ajustement et surveillance)' },
  { value: 'diagnostic-opinion', label: 'Avis diagnostique' },
  { value: 'recours', label: 'Recours' },
  { value: 'paediatrics', label: 'Pédiatrie' },
];
const FIELDS = {
  session: ['session'], condition: ['condition'], motif: ['motif'], question: ['question'], summary: ['summary'],
  patientInformed: ['patientInformed'], patientNonOpposition: ['patientNonOpposition'], gpInformed: ['gpInformed'], lateReason: ['lateReason'],
};
/** How many coming sessions of the board are offered (the next ones with room are enough to choose). */
const SESSIONS_SHOWN = 4;

function conditionLabel(c: Condition): string {
  const code = c.code?.coding?.[0];
  return `${code?.code ?? ''} ${code?.display ?? c.code?.text ?? 'Diagnostic'}${c.onsetDateTime ? ` — diagnostiqué le ${formatDate(c.onsetDateTime)}` : ''}`.trim();
}

/**
 * /hopital/patients/:id/inscription — register the patient's case on an RCP: the board, its next
 * sessions with their places left and cut-off (late registration with its reason), the motif, the
 * question and the summary, the patient's information. The refusals (full session, cut-off, patient
 * already registered…) are the server's sentences. The RCP sheet is created with the case: its page opens next.
 */
export default function RegisterCasePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const patient = useQuery({ queryKey: ['hospital', 'patient', id], queryFn: () => hospitalApi.patient(id) });
  const conditions = useQuery({ queryKey: ['hospital', 'conditions', id], queryFn: () => hospitalApi.conditions(id) });
  const boards = useQuery({ queryKey: ['hospital', 'boards'], queryFn: () => hospitalApi.boards(), staleTime: 60_000 });
  const [boardId, setBoardId] = useState<string | null>(null);
  const [sessionId, setSessionId] = useState<string>('');
  // undefined until the physician picks or clears one: the record's only diagnosis is then the one presented.
  const [pickedCondition, setConditionId] = useState<string | null | undefined>(undefined);
  const [diagnosisMissing, setDiagnosisMissing] = useState(false);
  const [motif, setMotif] = useState<string>('treatment-proposal');
  const [question, setQuestion] = useState('');
  const [summary, setSummary] = useState('');
  const [informed, setInformed] = useState(false);
  const [nonOpposition, setNonOpposition] = useState(false);
  const [gpInformed, setGpInformed] = useState(false);
  const [lateReason, setLateReason] = useState('');
  const [refusals, setRefusals] = useState(0);
  const formRef = useFocusFirstInvalid(refusals);

  const today = parisDay();
  const sessions = useQuery({ queryKey: ['hospital', 'sessions', boardId, today], queryFn: () => hospitalApi.sessions(boardId!, today), enabled: Boolean(boardId) });
  const coming = (sessions.data ?? []).filter((s) => new Date(s.start) > new Date()).slice(0, SESSIONS_SHOWN);
  const details = useQueries({ queries: coming.map((s) => ({ queryKey: ['hospital', 'session', s.id], queryFn: () => hospitalApi.session(s.id) })) });
  const chosen = details.map((d) => d.data).find((d) => d?.session.id === sessionId);
  const late = chosen ? new Date() > new Date(chosen.registrationDeadline) : false;
  // A diagnosis marked « saisie erronée » is not offered (the server refuses it too).
  const conditionList = offeredDiagnoses((conditions.data?.entry ?? []).map((e) => e.resource as Condition));
  const conditionId = pickedCondition === undefined ? (conditionList.length === 1 ? conditionList[0]!.id! : null) : pickedCondition;
  const diagnosisRequired = motif !== 'diagnostic-opinion';

  const register = useMutation({
    mutationFn: () => hospitalApi.registerCase({
      session: `Appointment/${sessionId}`,
      patient: `Patient/${id}`,
      ...(conditionId ? { condition: `Condition/${conditionId}` } : {}),
      motif, question, summary,
      patientInformed: informed, patientNonOpposition: nonOpposition, gpInformed,
      ...(late ? { lateRequest: true, ...(lateReason.trim() ? { lateReason: lateReason.trim() } : {}) } : {}),
    }),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: ['hospital'] });
      notifications.show({ message: result.case.state === 'pending' ? 'Dossier inscrit, en attente de l’accord du 3C' : 'Dossier inscrit en RCP' });
      navigate(`/hopital/fiches/${idOf(result.case.sheet)}`);
    },
    onError: () => setRefusals((n) => n + 1),
  });
  const problems: Partial<Record<keyof typeof FIELDS, string>> = register.error instanceof ApiError ? fieldErrorsOf(register.error.outcome?.issue, FIELDS) : {};
  // Checked here too (the server refuses it as well), in words that fit the record: choose the one it holds, or record one.
  if (diagnosisMissing && diagnosisRequired && !conditionId) {
    problems.condition = conditionList.length ? 'Choisissez le diagnostic présenté' : 'Aucun diagnostic enregistré : enregistrez-le dans le dossier du patient (obligatoire sauf avis diagnostique)';
  }
  const blocker = registrationBlocker({
    boardChosen: Boolean(boardId),
    sessionsLoading: Boolean(boardId) && sessions.isPending,
    // Full as SessionChoice shows it (« Complète »: its radio is disabled).
    sessions: coming.map((_session, i) => {
      const d = details[i]?.data;
      return d ? { full: (d.agenda?.places.used ?? 0) >= d.board.capacity } : {};
    }),
    sessionChosen: Boolean(sessionId),
  });
  const submit = () => {
    if (diagnosisRequired && !conditionId) {
      setDiagnosisMissing(true);
      setRefusals((n) => n + 1);
      return;
    }
    register.mutate();
  };

  return (
    <Page
      title="Inscrire en RCP"
      subtitle={patient.data ? <Anchor component={Link} to={`/hopital/patients/${id}`}>← {patientDisplayName(patient.data)}</Anchor> : undefined}
    >
      {(boards.isPending || patient.isPending) && <Loading />}
      {boards.error && <ErrorMessage error={boards.error} />}
      {boards.data && (
        <form ref={formRef} onSubmit={(e) => { e.preventDefault(); submit(); }} noValidate>
          <Stack gap="md" maw={760}>
            <Select
              label="RCP" placeholder="Choisissez la RCP" required searchable
              data={boards.data.map((b) => ({ value: b.id, label: b.name }))}
              value={boardId} onChange={(v) => { setBoardId(v); setSessionId(''); }}
            />
            {boardId && sessions.isPending && <Loading label="Séances…" />}
            {sessions.error && <ErrorMessage error={sessions.error} />}
            {boardId && sessions.data && (
              <Radio.Group label="Séance" description="Places restantes et date limite d’inscription" value={sessionId} onChange={setSessionId} error={problems.session} required>
                <Stack gap="xs" mt="xs">
                  {coming.length === 0 && <Text size="sm" c="dimmed">Aucune séance planifiée à venir pour cette RCP.</Text>}
                  {coming.map((s, i) => <SessionChoice key={s.id} sessionId={s.id} start={s.start} details={details[i]?.data} />)}
                </Stack>
              </Radio.Group>
            )}
            {late && (
              <Alert color="orange" role="status" title="Inscription hors délai">
                <Stack gap="xs">
                  <Text size="sm">La date limite ({formatDateTime(chosen?.registrationDeadline)}) est passée : l’inscription sera soumise à l’accord du 3C.</Text>
                  <Textarea label="Motif de l’inscription hors délai" value={lateReason} onChange={(e) => setLateReason(e.currentTarget.value)} error={problems.lateReason} autosize minRows={2} required />
                </Stack>
              </Alert>
            )}
            <Select
              label="Diagnostic de cancer" description={conditionList.length ? 'Le diagnostic du dossier présenté' : 'Aucun diagnostic enregistré : ajoutez-le depuis le dossier du patient (obligatoire sauf avis diagnostique)'}
              data={conditionList.map((c) => ({ value: c.id!, label: conditionLabel(c) }))} value={conditionId} onChange={setConditionId} error={problems.condition} clearable
              required={diagnosisRequired} placeholder={conditionList.length ? 'Choisissez le diagnostic présenté' : undefined}
            />
            <Select label="Motif de la présentation" data={MOTIFS} value={motif} onChange={(v) => setMotif(v ?? 'treatment-proposal')} error={problems.motif} allowDeselect={false} required />
            <Textarea label="Question posée à la RCP" value={question} onChange={(e) => setQuestion(e.currentTarget.value)} error={problems.question} autosize minRows={2} required />
            <Textarea label="Synthèse du dossier" description="Résumé de la situation clinique" value={summary} onChange={(e) => setSummary(e.currentTarget.value)} error={problems.summary} autosize minRows={3} required />
            <Card withBorder padding="sm">
              <Stack gap="xs">
                <Title order={2} size="h5">Information du patient</Title>
                <Checkbox label="Le patient a été informé de la présentation de son dossier en RCP" checked={informed} onChange={(e) => setInformed(e.currentTarget.checked)} error={problems.patientInformed} />
                <Checkbox label="Le patient ne s’y oppose pas" checked={nonOpposition} onChange={(e) => setNonOpposition(e.currentTarget.checked)} error={problems.patientNonOpposition} />
                <Checkbox label="Le médecin traitant a été informé" checked={gpInformed} onChange={(e) => setGpInformed(e.currentTarget.checked)} error={problems.gpInformed} />
              </Stack>
            </Card>
            {register.error && <ErrorMessage error={register.error} title="Inscription refusée" />}
            <Group gap="sm" wrap="wrap">
              <Button type="submit" loading={register.isPending} disabled={Boolean(blocker)} aria-describedby={blocker ? 'register-blocker' : undefined}>Inscrire et ouvrir la fiche RCP</Button>
              {blocker && <Text size="sm" c="dimmed" id="register-blocker" data-testid="register-blocker" role="status">{blocker}</Text>}
            </Group>
          </Stack>
        </form>
      )}
    </Page>
  );
}

function SessionChoice({ sessionId, start, details }: { sessionId: string; start: string; details?: SessionDetails }) {
  const used = details?.agenda?.places.used ?? 0;
  const capacity = details?.board.capacity;
  const left = capacity !== undefined ? capacity - used : undefined;
  const late = details ? new Date() > new Date(details.registrationDeadline) : false;
  return (
    <div data-testid="session-choice">
      <Radio
        value={sessionId}
        disabled={left !== undefined && left <= 0}
        label={
          <Group gap="xs" wrap="wrap">
            <Text size="sm" fw={600}>{formatDateTime(start)}</Text>
            {left !== undefined && <Badge variant="light" color={left > 0 ? 'green' : 'red'}>{left > 0 ? `${left} place${left > 1 ? 's' : ''} restante${left > 1 ? 's' : ''}` : 'Complète'}</Badge>}
            {late && <Badge variant="light" color="orange">Hors délai</Badge>}
          </Group>
        }
        description={details ? `Inscriptions jusqu’au ${formatDateTime(details.registrationDeadline)}` : undefined}
      />
    </div>
  );
}
