import { Anchor, Badge, Button, Card, Group, NativeSelect, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ResearchStudy } from '@medplum/fhirtypes';
import { useState } from 'react';
import { DIRECTORY_KIND_LABEL, directoriesApi, PHASE_LABEL, type DirectoryKind, type OfferQuery, type TrialEntry, type TrialQuery, type TrialStatus } from '../../api/directories.ts';
import { useCurrentUser } from '../../api/session.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { parisDay } from '../../lib/dates.ts';
import { ImportPanel } from './ImportPanel.tsx';
import { draftOf, EMPTY_TRIAL, TrialFields, withDraft, type TrialDraft } from './TrialFields.tsx';

/**
 * /annuaires — the regional directories for signed-in professionals: the open clinical trials
 * (by cancer site, phase, town, status) and the offer of care (by kind, town, distance to a
 * postcode); the 3C keeps the trials directory (add, edit, close, import), the network team
 * (administrator) the offer of care (import).
 */
// Headings: the page's h1, then each trial or structure an h2 (under the tabs, an h3 skipped a level).
export default function DirectoriesPage() {
  const roles = useCurrentUser().roles;
  const coordinator = roles.includes('coordinator');
  // Who keeps what, as the server decides it (mayManageTrials, the offer import): the page only hides what would be refused.
  const keepsTrials = coordinator || roles.includes('admin');
  const keepsOffer = roles.includes('admin');
  return (
    <Page title="Annuaires régionaux" subtitle="Essais cliniques ouverts et offre de soins de la région">
      <Tabs defaultValue="essais" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="essais">Essais cliniques</Tabs.Tab>
          <Tabs.Tab value="offre">Offre de soins</Tabs.Tab>
          {keepsTrials && <Tabs.Tab value="import">Import et export</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="essais" pt="md"><Trials maintain={coordinator} /></Tabs.Panel>
        <Tabs.Panel value="offre" pt="md"><Offer /></Tabs.Panel>
        {keepsTrials && <Tabs.Panel value="import" pt="md"><ImportPanel trials={keepsTrials} offer={keepsOffer} /></Tabs.Panel>}
      </Tabs>
    </Page>
  );
}

/** Runs the search: the same criteria again are searched again (a new key alone would not refetch). */
function search<Q>(current: Q, next: Q, setQuery: (q: Q) => void, refetch: () => unknown): void {
  if (JSON.stringify(current) === JSON.stringify(next)) void refetch();
  else setQuery(next);
}

function Trials({ maintain }: { maintain: boolean }) {
  const [query, setQuery] = useState<TrialQuery>({ status: 'recruiting' });
  const [draft, setDraft] = useState<TrialQuery>({ status: 'recruiting' });
  const trials = useQuery({ queryKey: ['directories', 'trials', query], queryFn: () => directoriesApi.trials(query), placeholderData: keepPreviousData });
  return (
    <Stack gap="md">
      <Card withBorder component="form" aria-label="Rechercher un essai" onSubmit={(e: React.FormEvent) => { e.preventDefault(); search(query, draft, setQuery, trials.refetch); }}>
        <Group align="flex-end" wrap="wrap">
          <TextInput label="Localisation (CIM-10)" placeholder="ex. C50 ou C18.7" value={draft.cancerSite ?? ''} onChange={(e) => setDraft({ ...draft, cancerSite: e.currentTarget.value.trim() || undefined })} />
          <NativeSelect label="Phase" value={draft.phase ?? ''} onChange={(e) => setDraft({ ...draft, phase: e.currentTarget.value || undefined })}
            data={[{ value: '', label: 'Toutes' }, ...Object.entries(PHASE_LABEL).map(([value, label]) => ({ value, label }))]} />
          <TextInput label="Ville d’un centre" value={draft.town ?? ''} onChange={(e) => setDraft({ ...draft, town: e.currentTarget.value.trim() || undefined })} />
          <NativeSelect label="Statut" value={draft.status ?? ''} onChange={(e) => setDraft({ ...draft, status: (e.currentTarget.value || undefined) as TrialStatus | undefined })}
            data={[{ value: 'recruiting', label: 'En recrutement' }, { value: 'closed', label: 'Clos' }, { value: '', label: 'Tous' }]} />
          <Button type="submit">Rechercher</Button>
        </Group>
      </Card>
      {/* The message of the last search, gone as soon as the next one runs. */}
      {trials.error && !trials.isFetching && <ErrorMessage error={trials.error} />}
      {trials.isPending && <Loading label="Recherche des essais…" />}
      {trials.data && !trials.error && (
        <Text size="sm" aria-live="polite" data-testid="trials-total">
          {trials.data.total === 0
            ? 'Aucun essai ne correspond à ces critères. Élargissez la recherche : une localisation plus large (C50 plutôt que C50.4), toutes les phases, le statut « Tous » ou sans ville.'
            : `${trials.data.total} essai${trials.data.total > 1 ? 's' : ''}`}
        </Text>
      )}
      <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="trials">
        {trials.data?.trials.map((t) => <TrialItem key={t.study} trial={t} maintain={maintain} />)}
      </Stack>
      {maintain && <NewTrialForm />}
    </Stack>
  );
}

function TrialItem({ trial: t, maintain }: { trial: TrialEntry; maintain: boolean }) {
  const queryClient = useQueryClient();
  const close = useMutation({
    mutationFn: () => directoriesApi.closeTrial(t.study.split('/')[1]!, parisDay()),
    onSuccess: async () => {
      notifications.show({ message: `Essai ${t.registryNumber} clos aux inclusions`, color: 'teal' });
      await queryClient.invalidateQueries({ queryKey: ['directories', 'trials'] });
    },
  });
  const [editing, setEditing] = useState(false);
  return (
    <Card withBorder component="li" data-testid="trial">
      <Group gap="xs" wrap="wrap">
        <Title order={2} size="h5">{t.title}</Title>
        <Badge variant="outline" color="gray">{t.registryNumber}</Badge>
        <Badge color={t.status === 'recruiting' ? 'teal.9' : 'gray.7'} variant="filled">{t.status === 'recruiting' ? 'En recrutement' : 'Clos'}</Badge>
        {t.phase && <Badge variant="light">{t.phase.label}</Badge>}
      </Group>
      <Text size="sm">Localisations : {t.cancerSites.join(', ')}{t.stages.length ? ` · stades : ${t.stages.join(', ')}` : ''}</Text>
      {t.inclusionCriteria && <Text size="sm">Critères principaux : {t.inclusionCriteria}</Text>}
      {t.sites.length > 0 && <Text size="sm" c="dimmed">Centres : {t.sites.map((s) => [s.name, s.city].filter(Boolean).join(', ')).join(' ; ')}</Text>}
      {t.contact && (
        <Text size="sm">Contact : {t.contact.name ?? '—'}{t.contact.phone && <> · <Anchor href={`tel:${t.contact.phone.replace(/\s/g, '')}`}>{t.contact.phone}</Anchor></>}{t.contact.email && <> · <Anchor href={`mailto:${t.contact.email}`}>{t.contact.email}</Anchor></>}</Text>
      )}
      {maintain && !editing && (
        <Group mt="xs">
          <Button size="xs" variant="light" onClick={() => setEditing(true)}>Modifier {t.registryNumber}</Button>
          {t.status === 'recruiting' && <Button size="xs" variant="light" color="red" loading={close.isPending} onClick={() => close.mutate()}>Clore les inclusions de {t.registryNumber}</Button>}
        </Group>
      )}
      {close.error && <ErrorMessage error={close.error} />}
      {editing && <EditTrialForm id={t.study.split('/')[1]!} registry={t.registryNumber} onDone={() => setEditing(false)} />}
    </Card>
  );
}

/**
 * The 3C corrects a trial of the directory in place: the form starts from the stored ResearchStudy
 * (so the fields it does not show — sites, sponsor, period, identifiers — are kept as they are) and
 * saves it with If-Match on the version read: a colleague's change in between is refused (412), not
 * overwritten, and the form says so.
 */
function EditTrialForm({ id, registry, onDone }: { id: string; registry: string; onDone: () => void }) {
  const queryClient = useQueryClient();
  const study = useQuery({ queryKey: ['directories', 'study', id], queryFn: () => directoriesApi.study(id), staleTime: 0 });
  if (study.error) return <ErrorMessage error={study.error} />;
  if (!study.data) return <Loading label="Lecture de l’essai…" />;
  return <EditTrialFields study={study.data} registry={registry} onDone={async () => {
    await queryClient.invalidateQueries({ queryKey: ['directories'] });
    onDone();
  }} onCancel={onDone} />;
}

function EditTrialFields({ study, registry, onDone, onCancel }: { study: ResearchStudy; registry: string; onDone: () => Promise<void>; onCancel: () => void }) {
  const [f, setF] = useState(() => draftOf(study));
  const save = useMutation({
    mutationFn: () => directoriesApi.updateTrial(study.id!, withDraft(study, f), study.meta?.versionId),
    onSuccess: async () => {
      notifications.show({ message: `Essai ${registry} modifié`, color: 'teal' });
      await onDone();
    },
  });
  const titleId = `titre-modifier-${study.id}`;
  return (
    <Stack component="form" gap="xs" mt="sm" aria-labelledby={titleId} data-testid="edit-trial" onSubmit={(e: React.FormEvent) => { e.preventDefault(); save.mutate(); }}>
      <Title order={3} size="h6" id={titleId}>Modifier l’essai {registry}</Title>
      <Group align="flex-end" wrap="wrap">
        <TrialFields value={f} onChange={setF} />
      </Group>
      <Group gap="xs">
        <Button type="submit" size="xs" loading={save.isPending}>Enregistrer</Button>
        <Button size="xs" variant="default" onClick={onCancel}>Annuler</Button>
      </Group>
      {save.error && <ErrorMessage error={save.error} />}
    </Stack>
  );
}

/** The 3C adds a trial to the directory (the server checks the registry number and refuses a second entry). */
function NewTrialForm() {
  const queryClient = useQueryClient();
  const [registry, setRegistry] = useState('');
  const [f, setF] = useState<TrialDraft>(EMPTY_TRIAL);
  const save = useMutation({
    mutationFn: () => {
      const eu = /^\d{4}-\d{6}-\d{2}-\d{2}$/.test(registry.trim());
      const identifier = [{ system: eu ? 'https://euclinicaltrials.eu' : 'https://clinicaltrials.gov', value: registry.trim() }];
      return directoriesApi.createTrial(withDraft({ resourceType: 'ResearchStudy', status: 'active', identifier }, f));
    },
    onSuccess: async () => {
      notifications.show({ message: 'Essai ajouté à l’annuaire', color: 'teal' });
      setRegistry('');
      setF(EMPTY_TRIAL);
      await queryClient.invalidateQueries({ queryKey: ['directories', 'trials'] });
    },
  });
  return (
    <Card withBorder component="form" aria-labelledby="titre-nouvel-essai" data-testid="new-trial" onSubmit={(e: React.FormEvent) => { e.preventDefault(); save.mutate(); }}>
      <Title order={2} size="h4" id="titre-nouvel-essai" mb="xs">Ajouter un essai à l’annuaire</Title>
      <Group align="flex-end" wrap="wrap">
        <TextInput label="N° d’enregistrement (NCT ou EU CT)" required value={registry} onChange={(e) => setRegistry(e.currentTarget.value)} />
        <TrialFields value={f} onChange={setF} />
        <Button type="submit" loading={save.isPending}>Ajouter</Button>
      </Group>
      {save.error && <ErrorMessage error={save.error} />}
    </Card>
  );
}

function Offer() {
  const [query, setQuery] = useState<OfferQuery>({});
  const [draft, setDraft] = useState<OfferQuery>({});
  const offer = useQuery({ queryKey: ['directories', 'offer', query], queryFn: () => directoriesApi.offer(query), placeholderData: keepPreviousData });
  return (
    <Stack gap="md">
      <Card withBorder component="form" aria-label="Rechercher dans l’offre de soins" onSubmit={(e: React.FormEvent) => { e.preventDefault(); search(query, draft, setQuery, offer.refetch); }}>
        <Group align="flex-end" wrap="wrap">
          <NativeSelect label="Type de structure" value={draft.kind ?? ''} onChange={(e) => setDraft({ ...draft, kind: (e.currentTarget.value || undefined) as DirectoryKind | undefined })}
            data={[{ value: '', label: 'Tous' }, ...Object.entries(DIRECTORY_KIND_LABEL).map(([value, label]) => ({ value, label }))]} />
          <TextInput label="Ville" value={draft.town ?? ''} onChange={(e) => setDraft({ ...draft, town: e.currentTarget.value.trim() || undefined })} />
          <TextInput label="Code postal du patient" placeholder="ex. 13005" value={draft.near ?? ''} onChange={(e) => setDraft({ ...draft, near: e.currentTarget.value.trim() || undefined })} />
          <TextInput label="Distance maximale (km)" type="number" min={1} value={draft.withinKm ?? ''} onChange={(e) => setDraft({ ...draft, withinKm: e.currentTarget.value ? Number(e.currentTarget.value) : undefined })} />
          <Button type="submit">Rechercher</Button>
        </Group>
      </Card>
      {offer.error && !offer.isFetching && <ErrorMessage error={offer.error} />}
      {offer.isPending && <Loading label="Recherche dans l’offre de soins…" />}
      {offer.data && !offer.error && (
        <Text size="sm" aria-live="polite" data-testid="offer-total">
          {offer.data.total === 0
            ? 'Aucune structure ne correspond à ces critères. Élargissez la recherche : tous les types de structure, une distance plus grande ou sans ville.'
            : `${offer.data.total} structure${offer.data.total > 1 ? 's' : ''}`}
        </Text>
      )}
      <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="offer">
        {offer.data?.entries.map((o) => (
          <Card key={o.service} withBorder component="li" data-testid="offer-entry">
            <Group gap="xs" wrap="wrap">
              <Title order={2} size="h5">{o.name}</Title>
              <Badge variant="light">{DIRECTORY_KIND_LABEL[o.kind]}</Badge>
              {o.label && <Badge color={o.label.valid ? 'teal.9' : 'gray.7'} variant="outline">{o.label.valid ? `Labellisée après-cancer (${o.label.year})` : 'Label retiré'}</Badge>}
              {o.distanceKm !== undefined && <Badge variant="outline" color="gray">{o.distanceKm.toLocaleString('fr-FR')} km</Badge>}
            </Group>
            <Text size="sm">{[o.address, [o.postalCode, o.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')}</Text>
            <Text size="sm">{o.offers.map((x) => x.label).join(' · ')}</Text>
            {o.phone && <Text size="sm">Téléphone : <Anchor href={`tel:${o.phone.replace(/\s/g, '')}`}>{o.phone}</Anchor></Text>}
          </Card>
        ))}
      </Stack>
    </Stack>
  );
}
