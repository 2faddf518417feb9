import { Anchor, Badge, Button, Card, Group, List, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ApiError } from '../../api/http.ts';
import { cityApi, lastViewMoved, summaryParts, summaryPdfUrl, type Audience, type CityChange } from '../../api/city.ts';
import { useCurrentUser, type Principal } from '../../api/session.ts';
import { ErrorMessage, LoadError, loadErrorTitle } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Narrative } from '../../components/Narrative.tsx';
import { Page } from '../../components/Page.tsx';
import { TrialInclusionsCard } from '../directories/TrialInclusionsCard.tsx';
import { ageOn, formatDate, formatDateTime } from '../../lib/dates.ts';
import { capitalBornWord } from '../../lib/patient-identity.ts';

/** The summary a city professional reads: their own profession's. */
export function audienceOf(user: Principal): Audience {
  if (user.roles.includes('gp')) return 'gp';
  if (user.roles.includes('nurse')) return 'nurse';
  if (user.roles.includes('pharmacist')) return 'pharmacist';
  return 'gp'; // a hospital physician previews the GP's
}

/**
 * /patients/:id — the patient's summary for my profession (GP: diagnosis and stage, latest
 * signed RCP proposal, PPS, PPAC surveillance calendar, who to call; nurse: care calendar, home
 * treatments, side effects; pharmacist: oral anticancer treatments), what changed since I last
 * looked, and the PDF. The mails link here (#section opens the section they announce).
 */
export default function PatientPage() {
  const { id = '' } = useParams();
  const user = useCurrentUser();
  const audience = audienceOf(user);
  const location = useLocation();
  const queryClient = useQueryClient();

  // What changed stays new until « Marquer comme vu »: opening the page acknowledges nothing (a
  // record opened by mistake once cleared the professional's news). Read before the summary, so
  // a patient who is not mine is said once.
  const changes = useQuery({ queryKey: ['city', 'changes', id], queryFn: () => cityApi.changes({ patient: id, count: 50 }) });
  const summary = useQuery({
    queryKey: ['summary', id, audience],
    queryFn: () => cityApi.summary(id, audience),
    // A patient who is not mine (404/403) is said once, by the first answer.
    // A link that leads nowhere (400, an identifier that is not one) too: one box, not two.
    enabled: !changes.isPending && !(changes.error instanceof ApiError && [400, 403, 404].includes(changes.error.status)),
  });
  const seen = useMutation({
    // Up to the newest change shown (the list is newest first): one recorded meanwhile stays new.
    mutationFn: () => cityApi.markSeen(id, changes.data?.items[0]?.date),
    onSuccess: async () => {
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['city', 'changes', id] }), lastViewMoved(queryClient)]);
      notifications.show({ message: 'Changements marqués comme vus', color: 'teal' });
    },
  });

  const { composition, patient } = summary.data ? summaryParts(summary.data) : {};
  const name = patient ? displayName(patient.name) : changes.data?.items[0]?.patient.name;

  // A mail's link names a section (#rcp-proposal…): go there once the summary is shown.
  useEffect(() => {
    if (!summary.data || !location.hash) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.scrollIntoView({ block: 'start' });
      target.focus({ preventScroll: true });
    }
  }, [summary.data, location.hash]);

  const age = ageOn(patient?.birthDate);
  return (
    <Page
      title={name ?? (changes.error ? loadErrorTitle('patient', changes.error) : 'Patient')}
      subtitle={patient && (
        <>
          {patient.birthDate && <>{capitalBornWord(patient.gender)} le {formatDate(patient.birthDate)}{age !== undefined ? ` (${age} ans)` : ''} · </>}
          {composition?.title ?? ''}
        </>
      )}
      actions={summary.data && (
        <Button component="a" href={summaryPdfUrl(id, audience)} download={`synthese-${id}.pdf`} variant="filled">
          Télécharger la synthèse (PDF)
        </Button>
      )}
    >
      <Anchor component={Link} to="/patients" size="sm">← Mes patients</Anchor>
      {changes.error && <LoadError kind="patient" error={changes.error} onRetry={() => void changes.refetch()} />}
      {changes.data && changes.data.items.length > 0 && (
        <ChangesCard changes={changes.data.items} onSeen={() => seen.mutate()} seeing={seen.isPending} error={seen.error} />
      )}
      {/* Not while the query waits disabled (a patient who is not mine): the error is all there is to say. */}
      {(summary.isLoading || (changes.isPending && !summary.data)) && <Loading label="Chargement de la synthèse…" />}
      {summary.error && !changes.error && <LoadError kind="patient" error={summary.error} onRetry={() => void summary.refetch()} />}
      {composition && (
        <Stack gap="md">
          {(composition.section ?? []).map((section) => {
            const key = section.code?.coding?.[0]?.code ?? section.title ?? '';
            return (
              <Card key={key} withBorder component="section" id={key} tabIndex={-1} aria-labelledby={`titre-${key}`} data-section={key}>
                <Title order={2} size="h4" id={`titre-${key}`} mb={4}>{section.title}</Title>
                <Narrative xhtml={section.text?.div} />
              </Card>
            );
          })}
          {/* The GP sees the trial their patient is in, with its contact (the nurse and pharmacist do not read inclusions). */}
          {audience === 'gp' && <TrialInclusionsCard patientId={id} hideEmpty />}
          <Text size="xs" c="dimmed">
            Synthèse établie le {formatDateTime(composition.date)} à partir du DCC, selon ce que votre profession peut consulter et les choix du patient.
          </Text>
        </Stack>
      )}
    </Page>
  );
}

function ChangesCard({ changes, onSeen, seeing, error }: { changes: CityChange[]; onSeen: () => void; seeing: boolean; error: unknown }) {
  return (
    <Card withBorder component="section" aria-labelledby="titre-changements" data-testid="patient-changes"
      style={{ borderLeft: '4px solid var(--mantine-color-orange-8)' }}>
      <Title order={2} size="h4" id="titre-changements" mb={4}>Ce qui a changé, pas encore marqué comme vu ({changes.length})</Title>
      <List size="sm" spacing={4}>
        {changes.map((c) => (
          <List.Item key={`${c.resource.reference}/${c.resource.versionId}`}>
            <Badge size="sm" variant="outline" color="dark" mr={6}>{c.kind.label}</Badge>
            {formatDateTime(c.date)} — {c.description}{c.reason && !c.description.includes(c.reason) ? ` (motif : ${c.reason})` : ''}
          </List.Item>
        ))}
      </List>
      {Boolean(error) && <ErrorMessage error={error} />}
      <Group mt="sm">
        <Button size="xs" variant="default" onClick={onSeen} loading={seeing}>Marquer comme vu</Button>
      </Group>
    </Card>
  );
}

function displayName(names: { family?: string; given?: string[]; use?: string; text?: string }[] | undefined): string | undefined {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return undefined;
  return [n.family?.toLocaleUpperCase('fr-FR'), ...(n.given ?? [])].filter(Boolean).join(' ') || n.text;
}
