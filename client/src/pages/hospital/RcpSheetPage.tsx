import {
  Alert, Anchor, Autocomplete, Badge, Button, Card, Checkbox, Fieldset, Grid, Group, List, Modal, Radio, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useBlocker, useParams } from 'react-router';
import { hospitalApi, idOf, printLinks, TREATMENT_TYPES, type MissingItem, type RcpCase, type RcpSheetData, type RcpSheetView } from '../../api/hospital.ts';
import { ApiError } from '../../api/http.ts';
import { draftOwner, useCurrentUser } from '../../api/session.ts';
import { LoadError, loadErrorTitle } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { fhirPartialDate, formatDate, formatDateTime, parisDay, partialDateInput } from '../../lib/dates.ts';
import { CIM10_TOPOGRAPHIES, ICD10_SYSTEM, ICDO3_MORPHOLOGIES, ICDO3_SYSTEM, parsePick, pickLabel } from '../../lib/oncology-codes.ts';
import { assessmentDay, changedStage, clearLocalDraft, itemsNotRefused, patchOf, readLocalDraft, writeLocalDraft } from '../../lib/sheet-draft.ts';

/** Pause in typing after which the changed items are saved (short: a network cut loses nothing anyway). */
const AUTOSAVE_MS = 800;
const RETRY_MS = 3000;

type SaveState =
  | { kind: 'saved'; at?: string; ms?: number }
  | { kind: 'pending' }
  | { kind: 'saving' }
  | { kind: 'offline' }
  | { kind: 'invalid'; error: ApiError }
  /** The items without error saved; the refused ones (`items`) wait in the form and on this computer. */
  | { kind: 'partial'; error: ApiError; items: string[] }
  | { kind: 'conflict'; error: ApiError }
  | { kind: 'error'; error: unknown };

const storage = typeof window !== 'undefined' ? window.localStorage : undefined;

// Where each item of the sheet sits on the page, to say which part was not saved.
const ITEM_SECTION: Record<string, string> = {
  reason: 'Motif de la RCP', discovery: 'Circonstances de découverte', diagnosis: 'Diagnostic', performanceStatus: 'État général',
  history: 'Antécédents', comorbidities: 'Comorbidités', examResults: 'Examens et résultats', phase: 'Phase et évolution de la maladie',
  treatmentsSoFar: 'Traitements déjà reçus', summary: 'Synthèse du cas présenté', question: 'Question posée à la RCP', otherData: 'Autres informations utiles',
};
const sectionsOf = (items: string[]) => [...new Set(items.map((k) => ITEM_SECTION[k] ?? k))].map((s) => `« ${s} »`).join(', ');

/**
 * /hopital/fiches/:id — the RCP sheet (FRCP 2022.01) section by section, with what is still missing
 * for the session and for the signature, live. Each change is saved after a short pause (PATCH of
 * the changed items, If-Match on the version read) and kept in the browser until the server has it:
 * a network cut or an expired session loses nothing, and leaving with unsaved changes is warned.
 * An item the server refuses (TNM without its edition…) does not hold back the others: they are
 * saved, the refused one stays typed with the server's sentence under its field until corrected.
 * A stored value the server would refuse if written now (a TNM from before its notation was
 * checked) is shown as stored, with the server's sentence under its field: it blocks the signature.
 * A signed sheet is read-only (a correction goes through the decision page, with its reason).
 */
export default function RcpSheetPage() {
  const { id = '' } = useParams();
  const sheet = useQuery({ queryKey: ['hospital', 'sheet', id], queryFn: () => hospitalApi.sheet(id), staleTime: Infinity, retry: false });
  return (
    <>
      {sheet.isPending && <Page title="Fiche RCP"><Loading label="Chargement de la fiche…" /></Page>}
      {sheet.error && <Page title={loadErrorTitle('sheet', sheet.error)}><LoadError kind="sheet" error={sheet.error} onRetry={() => void sheet.refetch()} /></Page>}
      {sheet.data && <SheetWithCase key={id} view={sheet.data} reload={() => void sheet.refetch()} />}
    </>
  );
}

/** Case states after which the request's sheet is never discussed, so never edited again (the server refuses it: 409). */
const CLOSED_CASE_STATES: RcpCase['state'][] = ['withdrawn', 'rejected'];

/**
 * The sheet with its case (the patient's case whose request holds it): a withdrawn or refused
 * request leaves its sheet read-only, as the server does. The form is mounted once the cases are
 * known, so a local draft is not restored (nor saved) into a sheet that no longer changes.
 */
function SheetWithCase({ view, reload }: { view: RcpSheetView; reload: () => void }) {
  const patientId = idOf(view.data.patient);
  const cases = useQuery({ queryKey: ['hospital', 'cases', patientId], queryFn: () => hospitalApi.cases(patientId!), enabled: Boolean(patientId) });
  if (patientId && cases.isPending) return <Page title="Fiche RCP"><Loading label="Chargement de la fiche…" /></Page>;
  const rcpCase = cases.data?.find((c) => idOf(c.sheet) === view.id);
  const closedCase = rcpCase && CLOSED_CASE_STATES.includes(rcpCase.state) && !view.signed ? rcpCase : undefined;
  return <SheetEditor key={`${view.id}-${view.signed}-${Boolean(closedCase)}`} view={view} reload={reload} closedCase={closedCase} />;
}

function SheetEditor({ view, reload, closedCase }: { view: RcpSheetView; reload: () => void; closedCase?: RcpCase | undefined }) {
  const sheetId = view.id;
  const queryClient = useQueryClient();
  const readOnly = view.signed || Boolean(closedCase);
  const owner = draftOwner(useCurrentUser());
  // What the physician typed and the server does not have yet survives a reload: applied over the server's version.
  const [restored] = useState(() => (readOnly ? undefined : readLocalDraft(storage, owner, sheetId)));
  const [draft, setDraft] = useState<RcpSheetData>(() => ({ ...view.data, ...(restored?.values ?? {}) }));
  const dirty = useRef(new Set<string>(Object.keys(restored?.values ?? {})));
  const version = useRef(view.version);
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const [completeness, setCompleteness] = useState(view.completeness);
  // A stored value the server no longer accepts as new (legacy TNM): shown under its field until fixed.
  const [storedIssues, setStoredIssues] = useState(view.issues ?? []);
  const [state, setState] = useState<SaveState>(restored ? { kind: 'pending' } : { kind: 'saved', ...(view.lastUpdated ? { at: view.lastUpdated } : {}) });
  const saving = useRef(false);
  const savesDone = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const patient = useQuery({ queryKey: ['hospital', 'patient', idOf(view.data.patient)], queryFn: () => hospitalApi.patient(idOf(view.data.patient)!), enabled: Boolean(view.data.patient) });
  const cases = useQuery({ queryKey: ['hospital', 'cases', idOf(view.data.patient)], queryFn: () => hospitalApi.cases(idOf(view.data.patient)!), enabled: Boolean(view.data.patient) });
  const rcpCase = cases.data?.find((c) => idOf(c.sheet) === sheetId);

  const keepLocally = useCallback(() => {
    const values = Object.fromEntries([...dirty.current].map((k) => [k, draftRef.current[k]]));
    writeLocalDraft(storage, owner, sheetId, version.current, values);
  }, [sheetId]);

  const save = useCallback(async (): Promise<void> => {
    clearTimeout(timer.current);
    if (readOnly || !dirty.current.size) return;
    if (saving.current) {
      timer.current = setTimeout(() => void save(), AUTOSAVE_MS);
      return;
    }
    saving.current = true;
    setState({ kind: 'saving' });
    const changed = [...dirty.current];
    let keys = changed;
    let snapshot = new Map(keys.map((k) => [k, JSON.stringify(draftRef.current[k])]));
    let refused: ApiError | undefined;
    const started = performance.now();
    try {
      let composition;
      try {
        composition = await hospitalApi.patchSheet(sheetId, patchOf(draftRef.current, keys), version.current);
      } catch (error) {
        if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 422)) throw error;
        const rest = itemsNotRefused(keys, error.outcome?.issue);
        if (!rest.length || rest.length === keys.length) throw error;
        // The items are independent (a PATCH replaces whole items of a draft): the others are saved
        // now rather than held back by one field; the refused ones stay typed, here and on this computer.
        refused = error;
        keys = rest;
        snapshot = new Map(keys.map((k) => [k, JSON.stringify(draftRef.current[k])]));
        composition = await hospitalApi.patchSheet(sheetId, patchOf(draftRef.current, keys), version.current);
      }
      const ms = Math.round(performance.now() - started);
      savesDone.current++;
      version.current = composition.meta?.versionId ?? version.current;
      // Items changed again while saving stay dirty (saved on the next round).
      keys.forEach((k) => { if (JSON.stringify(draftRef.current[k]) === snapshot.get(k)) dirty.current.delete(k); });
      keepLocally();
      if (!dirty.current.size) clearLocalDraft(storage, owner, sheetId);
      const notSaved = changed.filter((k) => !keys.includes(k));
      setState(refused ? { kind: 'partial', error: refused, items: notSaved } : dirty.current.size ? { kind: 'pending' } : { kind: 'saved', at: new Date().toISOString(), ms });
      const fresh = await hospitalApi.sheet(sheetId).catch(() => undefined);
      if (fresh) {
        setCompleteness(fresh.completeness);
        setStoredIssues(fresh.issues ?? []);
        if (!dirty.current.size) version.current = fresh.version;
      }
      void queryClient.invalidateQueries({ queryKey: ['hospital', 'cases'] });
      void queryClient.invalidateQueries({ queryKey: ['hospital', 'timeline'] });
      // Refused items are sent again once the physician changes them, not in a loop.
      if (dirty.current.size && !refused) timer.current = setTimeout(() => void save(), AUTOSAVE_MS);
    } catch (error) {
      if (error instanceof ApiError && error.status === 0) {
        setState({ kind: 'offline' });
        timer.current = setTimeout(() => void save(), RETRY_MS);
      } else if (error instanceof ApiError && (error.status === 412 || error.status === 409)) setState({ kind: 'conflict', error });
      else if (error instanceof ApiError && (error.status === 400 || error.status === 422)) setState({ kind: 'invalid', error });
      else setState({ kind: 'error', error });
    } finally {
      saving.current = false;
    }
  }, [keepLocally, queryClient, readOnly, sheetId]);

  const update = useCallback(<K extends keyof RcpSheetData>(key: K, value: RcpSheetData[K]) => {
    // The ref is updated now, not in a state updater React may run later: the local copy below must hold this keystroke.
    const next = { ...draftRef.current, [key]: value };
    draftRef.current = next;
    setDraft(next);
    dirty.current.add(String(key));
    keepLocally();
    setState((s) => (s.kind === 'offline' ? s : { kind: 'pending' }));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), AUTOSAVE_MS);
  }, [keepLocally, save]);

  // A restored draft is sent at once; the network coming back sends what is waiting.
  useEffect(() => {
    if (restored) timer.current = setTimeout(() => void save(), 50);
    const online = () => void save();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      clearTimeout(timer.current);
    };
  }, [restored, save]);

  // Leaving with unsaved changes: the browser's warning (tab closed, reload) and the app's (links).
  const unsaved = state.kind !== 'saved';
  useEffect(() => {
    if (!unsaved) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => unsaved && currentLocation.pathname !== nextLocation.pathname);

  const issues = state.kind === 'invalid' || state.kind === 'partial' ? state.error.outcome?.issue ?? [] : [];
  const textsAt = (list: typeof issues, path: string): string | undefined => {
    const texts = list.filter((i) => (i.expression ?? []).some((e) => e === path || e.startsWith(`${path}.`) || e.startsWith(`${path}[`))).map((i) => i.details?.text ?? i.diagnostics);
    return texts.length ? texts.join(' ') : undefined;
  };
  // The refusal of what was just typed first; else what the stored value breaks (it blocks the signature).
  const err = (path: string): string | undefined => textsAt(issues, path) ?? textsAt(storedIssues, path);
  const f: FieldProps = { draft, update, err };
  const patientName = patient.data?.name?.[0] ? `${patient.data.name[0].family?.toLocaleUpperCase('fr-FR') ?? ''} ${patient.data.name[0].given?.join(' ') ?? ''}`.trim() : undefined;

  return (
    <Page
      title={`Fiche RCP${patientName ? ` — ${patientName}` : ''}`}
      subtitle={
        <Group gap="xs">
          {view.data.patient && <Anchor component={Link} to={`/hopital/patients/${idOf(view.data.patient)}`}>← Dossier du patient</Anchor>}
          <Text size="sm" c="dimmed">{view.data.meeting?.rcpName} — séance du {formatDateTime(view.data.meeting?.date)}</Text>
        </Group>
      }
      actions={
        <>
          {rcpCase && <Button component={Link} to={`/hopital/dossiers/${rcpCase.id}`} variant="light">{closedCase ? 'Dossier' : 'Décision et signature'}</Button>}
          <Button component="a" href={printLinks.rcpSheet(sheetId)} target="_blank" variant="default">Fiche (PDF)</Button>
        </>
      }
    >
      {view.signed && (
        <Alert color="blue" role="status" title="Fiche signée : lecture seule" data-testid="sheet-read-only">
          Le compte rendu est signé ; il ne se modifie plus. Une correction se fait depuis « Décision et signature », avec son motif.
        </Alert>
      )}
      {closedCase && (
        <Alert color="gray" role="status" title={`${closedCase.state === 'withdrawn' ? 'Demande retirée' : 'Demande refusée par le 3C'}${closedCase.statusReason ? ` — motif : ${closedCase.statusReason}` : ''}`} data-testid="sheet-read-only" data-case-state={closedCase.state}>
          La demande d’inscription en RCP {closedCase.state === 'withdrawn' ? 'a été retirée' : 'a été refusée'} : la fiche ne sera pas discutée et n’est plus modifiable. Elle reste au dossier, en lecture seule.
        </Alert>
      )}
      {view.correction && <Alert color="orange" role="note" title="Correction en cours">Motif : {view.correction.reason}</Alert>}
      {restored && <Alert color="blue" role="status" data-testid="draft-restored">Saisie non enregistrée retrouvée sur ce poste (du {formatDateTime(restored.savedAt)}) : elle est reprise et enregistrée.</Alert>}
      <SaveStatus saves={savesDone.current} state={state} onSave={() => void save()} onReload={() => { clearLocalDraft(storage, owner, sheetId); reload(); }} readOnly={readOnly} />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <fieldset disabled={readOnly} className={readOnly ? 'dcc-signed-sheet' : undefined} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
            <Stack gap="lg">
              <ReasonSection {...f} />
              <DiscoverySection {...f} />
              <DiagnosisSection {...f} recordDiagnosis={view.recordDiagnosis} />
              <PerformanceSection {...f} storedDate={view.data.performanceStatus?.date} />
              <HistorySection {...f} />
              <ExamsSection {...f} />
              <PhaseSection {...f} />
              <TreatmentsSection {...f} />
              <SummarySection {...f} />
              {!readOnly && <Group><Button onClick={() => void save()} disabled={!unsaved}>Enregistrer maintenant</Button></Group>}
            </Stack>
          </fieldset>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md" style={{ position: 'sticky', top: 76 }}>
            {/* A request withdrawn or refused goes to no session and is never signed: nothing is « missing ». */}
            {!closedCase && <CompletenessPanel title="Pour la séance" testId="completeness-session" missing={completeness.session} />}
            {!closedCase && <CompletenessPanel title="Pour la signature" testId="completeness-signature" missing={completeness.signature} />}
          </Stack>
        </Grid.Col>
      </Grid>
      <Modal opened={blocker.state === 'blocked'} onClose={() => blocker.reset?.()} title="Modifications non enregistrées" centered>
        <Stack gap="sm">
          <Text size="sm">Une partie de votre saisie n’est pas encore enregistrée sur le serveur. Elle reste gardée sur ce poste et sera reprise à la prochaine ouverture de la fiche.</Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => blocker.reset?.()}>Rester sur la fiche</Button>
            <Button color="orange" onClick={() => blocker.proceed?.()}>Quitter quand même</Button>
          </Group>
        </Stack>
      </Modal>
    </Page>
  );
}

function SaveStatus({ saves, state, onSave, onReload, readOnly }: { saves: number; state: SaveState; onSave: () => void; onReload: () => void; readOnly: boolean }) {
  if (readOnly) return null;
  let content: ReactNode;
  let color = 'gray';
  if (state.kind === 'saved') {
    color = 'green';
    content = state.at ? `Enregistré à ${formatDateTime(state.at).split(' à ')[1] ?? formatDateTime(state.at)}` : 'Enregistré';
  } else if (state.kind === 'pending') content = 'Modifications en attente d’enregistrement…';
  else if (state.kind === 'saving') content = 'Enregistrement…';
  else if (state.kind === 'offline') {
    color = 'orange';
    content = 'Réseau indisponible : votre saisie est gardée sur ce poste et sera enregistrée dès le retour du réseau.';
  } else if (state.kind === 'invalid') {
    color = 'red';
    content = <>Rien n’a été enregistré. À corriger : {problemsOf(state.error)}. Votre saisie reste dans le formulaire et sur ce poste. <Button size="compact-xs" variant="subtle" onClick={onSave}>Réessayer</Button></>;
  } else if (state.kind === 'partial') {
    color = 'red';
    content = <>Enregistré, sauf {sectionsOf(state.items)}. À corriger : {problemsOf(state.error)}. Votre saisie y reste dans le formulaire et sur ce poste, enregistrée dès qu’elle est corrigée.</>;
  } else if (state.kind === 'conflict') {
    color = 'red';
    content = <>La fiche a été modifiée ailleurs entre-temps. <Button size="compact-xs" variant="subtle" onClick={onReload}>Recharger la fiche</Button></>;
  } else {
    color = 'red';
    content = <>Non enregistré : {state.error instanceof ApiError ? state.error.message : 'erreur inattendue'} <Button size="compact-xs" variant="subtle" onClick={onSave}>Réessayer</Button></>;
  }
  return (
    <Text size="sm" c={color === 'gray' ? 'dimmed' : `var(--mantine-color-${color}-light-color)`} role="status" aria-live="polite" data-testid="save-status" data-state={state.kind} data-saves={saves}
      // The save's duration is for the tests' log, not for the physician.
      data-save-ms={state.kind === 'saved' ? state.ms : undefined}>
      {content}
    </Text>
  );
}

/** The server's sentences, each naming its field in French (server/rcp-sheet/item-labels.ts). */
function problemsOf(error: ApiError): string {
  const texts = (error.outcome?.issue ?? []).map((i) => i.details?.text ?? i.diagnostics).filter(Boolean);
  return texts.length ? texts.join(' ; ') : error.message;
}

function CompletenessPanel({ title, testId, missing }: { title: string; testId: string; missing: MissingItem[] }) {
  const errors = missing.filter((m) => m.severity === 'error');
  const warnings = missing.filter((m) => m.severity === 'warning');
  return (
    <Card withBorder padding="sm" data-testid={testId} data-complete={errors.length === 0}>
      <Group justify="space-between" gap="xs">
        <Title order={2} size="h5">{title}</Title>
        <Badge color={errors.length ? 'orange' : 'green'} variant="light">{errors.length ? `${errors.length} manquant${errors.length > 1 ? 's' : ''}` : 'Dossier complet'}</Badge>
      </Group>
      {errors.length > 0 && (
        <List size="sm" mt="xs" spacing={2}>
          {errors.map((m) => <List.Item key={m.item ?? m.label}><Anchor href={`#section-${(m.item ?? '').split('.')[0]}`} size="sm">{m.label}</Anchor></List.Item>)}
        </List>
      )}
      {warnings.length > 0 && (
        <Text size="xs" c="dimmed" mt="xs">Recommandé : {warnings.map((w) => w.label).join(' ; ')}</Text>
      )}
    </Card>
  );
}

// --- Sections (FRCP 2022.01) --------------------------------------------------------------------

interface FieldProps {
  draft: RcpSheetData;
  update: <K extends keyof RcpSheetData>(key: K, value: RcpSheetData[K]) => void;
  err: (path: string) => string | undefined;
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Fieldset id={`section-${id}`} legend={<Title order={2} size="h4" component="span">{title}</Title>} style={{ scrollMarginTop: 80 }}>
      <Stack gap="sm">{children}</Stack>
    </Fieldset>
  );
}

/** Oui / Non as two radio buttons (a yes-no item of the data set is never left to a checkbox's silence). */
function YesNo({ label, value, onChange, error }: { label: string; value: boolean | undefined; onChange: (v: boolean) => void; error?: string | undefined }) {
  return (
    <Radio.Group label={label} value={value === undefined ? '' : value ? 'oui' : 'non'} onChange={(v) => onChange(v === 'oui')} error={error}>
      <Group gap="md" mt={4}>
        <Radio value="oui" label="Oui" />
        <Radio value="non" label="Non" />
      </Group>
    </Radio.Group>
  );
}

const MOTIF_LABELS: Record<string, string> = {
  'treatment-proposal': 'Proposition de traitement', 'diagnostic-opinion': 'Avis diagnostique', recours: 'Recours', paediatrics: 'Pédiatrie',
};

function ReasonSection({ draft, update, err }: FieldProps) {
  const reason = draft.reason ?? {};
  const set = (patch: Partial<NonNullable<RcpSheetData['reason']>>) => update('reason', { ...reason, ...patch });
  return (
    <Section id="reason" title="Motif de la RCP">
      <Text size="sm">Nature : {reason.nature === 'transversal' ? 'RCP transversale' : 'RCP d’organe'}</Text>
      <Checkbox.Group label="Motif" value={reason.motifs ?? []} onChange={(v) => set({ motifs: v })} error={err('reason.motifs')}>
        <Group gap="md" mt={4}>{Object.entries(MOTIF_LABELS).map(([v, l]) => <Checkbox key={v} value={v} label={l} />)}</Group>
      </Checkbox.Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <YesNo label="RCP de recours" value={reason.recours} onChange={(v) => set({ recours: v })} error={err('reason.recours')} />
        <YesNo label="RCP pédiatrique" value={reason.paediatric} onChange={(v) => set({ paediatric: v })} error={err('reason.paediatric')} />
      </SimpleGrid>
      <TextInput label="Commentaire sur le motif" value={reason.comment ?? ''} onChange={(e) => set({ comment: e.currentTarget.value })} error={err('reason.comment')} />
    </Section>
  );
}

function DiscoverySection({ draft, update, err }: FieldProps) {
  const d = draft.discovery ?? {};
  return (
    <Section id="discovery" title="Circonstances de découverte">
      <YesNo label="Découvert lors d’un dépistage" value={d.byScreening} onChange={(v) => update('discovery', { ...d, byScreening: v })} error={err('discovery.byScreening') ?? err('discovery')} />
      <TextInput label="Circonstances (précisions)" value={d.comment ?? ''} onChange={(e) => update('discovery', { ...d, comment: e.currentTarget.value })} error={err('discovery.comment')} />
    </Section>
  );
}

function DiagnosisSection({ draft, update, err, recordDiagnosis }: FieldProps & { recordDiagnosis: RcpSheetData['diagnosis'] }) {
  const d = draft.diagnosis ?? {};
  const fromRecord = Boolean(d.condition);
  const tnm = d.tnm ?? {};
  const [topography, setTopography] = useState(d.topography ? pickLabel({ code: d.topography.code ?? '', display: d.topography.display }) : '');
  const [morphology, setMorphology] = useState(d.morphology ? pickLabel({ code: d.morphology.code ?? '', display: d.morphology.display }) : '');
  const setTnm = (patch: Partial<NonNullable<NonNullable<RcpSheetData['diagnosis']>['tnm']>>) => update('diagnosis', { ...d, tnm: changedStage(tnm, patch) });
  const pick = (kind: 'topography' | 'morphology', text: string) => {
    (kind === 'topography' ? setTopography : setMorphology)(text);
    const code = parsePick(text, kind === 'topography' ? CIM10_TOPOGRAPHIES : ICDO3_MORPHOLOGIES);
    // Only a readable code is stored: half-typed text stays in the field (and in the draft once it is one).
    if (code) update('diagnosis', { ...d, [kind]: { code: code.code, display: code.display, system: kind === 'topography' ? ICD10_SYSTEM : ICDO3_SYSTEM } });
    else if (!text.trim()) update('diagnosis', { ...d, [kind]: undefined });
  };
  return (
    <Section id="diagnosis" title="Diagnostic">
      {fromRecord ? (
        <Text size="sm" data-testid="record-diagnosis">
          Diagnostic du dossier : <strong>{recordDiagnosis?.topography?.code} {recordDiagnosis?.topography?.display}</strong>
          {recordDiagnosis?.morphology ? <>, {recordDiagnosis.morphology.code} {recordDiagnosis.morphology.display}</> : null}
          {recordDiagnosis?.date ? <>, diagnostiqué le {formatDate(recordDiagnosis.date)}</> : null}
          <Text span size="xs" c="dimmed" display="block">Repris du dossier du patient : il se modifie depuis le dossier, pas sur la fiche.</Text>
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Autocomplete label="Topographie (CIM-10)" data={CIM10_TOPOGRAPHIES.map(pickLabel)} value={topography} onChange={(v) => pick('topography', v)} error={err('diagnosis.topography')} />
          <Autocomplete label="Morphologie (CIM-O-3)" data={ICDO3_MORPHOLOGIES.map(pickLabel)} value={morphology} onChange={(v) => pick('morphology', v)} error={err('diagnosis.morphology')} />
          <TextInput label="Date du diagnostic" type="date" value={d.date ?? ''} onChange={(e) => update('diagnosis', { ...d, date: e.currentTarget.value })} error={err('diagnosis.date')} />
          <Select label="Latéralité" data={[{ value: 'right', label: 'Droite' }, { value: 'left', label: 'Gauche' }, { value: 'bilateral', label: 'Bilatérale' }]} value={d.laterality ?? null} onChange={(v) => update('diagnosis', { ...d, laterality: v ?? undefined })} clearable error={err('diagnosis.laterality')} />
        </SimpleGrid>
      )}
      {/* One TNM slot (FRCP 75620-5): its prefixes say the basis — cT3 clinical, pT3 after surgery, ypT2 after neoadjuvant treatment. */}
      <Text size="sm" fw={600}>Stade TNM</Text>
      <Text size="xs" c="dimmed">Préfixe c (clinique), p (pathologique, après chirurgie) ou yp (après traitement néoadjuvant)</Text>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <TextInput label="T" value={tnm.t ?? ''} onChange={(e) => setTnm({ t: e.currentTarget.value })} error={err('diagnosis.tnm.t')} placeholder="cT3" />
        <TextInput label="N" value={tnm.n ?? ''} onChange={(e) => setTnm({ n: e.currentTarget.value })} error={err('diagnosis.tnm.n')} placeholder="cN1" />
        <TextInput label="M" value={tnm.m ?? ''} onChange={(e) => setTnm({ m: e.currentTarget.value })} error={err('diagnosis.tnm.m')} placeholder="cM0" />
        <TextInput label="Stade" value={tnm.stage ?? ''} onChange={(e) => setTnm({ stage: e.currentTarget.value })} error={err('diagnosis.tnm.stage')} placeholder="IIIB" />
      </SimpleGrid>
      <Select label="Édition de la classification UICC" maw={320} data={[{ value: '8', label: '8e' }, { value: '9', label: '9e' }, { value: '7', label: '7e' }]} value={tnm.edition ?? null} onChange={(v) => setTnm({ edition: v ?? undefined })} error={err('diagnosis.tnm.edition')} />
      <TextInput label="Commentaire sur le diagnostic" value={d.comment ?? ''} onChange={(e) => update('diagnosis', { ...d, comment: e.currentTarget.value })} error={err('diagnosis.comment')} />
    </Section>
  );
}

/**
 * A score chosen anew is dated on the day it is assessed (today, or the meeting's day if the sheet
 * is filled after it) — unless a date was typed here: a changed score does not keep the stored
 * score's date (`storedDate`), which would say it was known on the day of the previous one.
 */
function PerformanceSection({ draft, update, err, storedDate }: FieldProps & { storedDate: string | undefined }) {
  const p = draft.performanceStatus ?? {};
  const scored = (v: string) => {
    const who = Number(v);
    const reassessed = p.who !== undefined && who !== p.who && p.date === storedDate;
    update('performanceStatus', { who, date: reassessed || !p.date ? assessmentDay(parisDay(), draft.meeting?.date) : p.date });
  };
  return (
    <Section id="performanceStatus" title="État général">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select
          label="Score OMS" description="Indice de performance (état général), de 0 à 4" value={p.who === undefined ? null : String(p.who)}
          onChange={(v) => (v === null ? update('performanceStatus', undefined) : scored(v))}
          data={['0', '1', '2', '3', '4'].map((v) => ({ value: v, label: `OMS ${v}` }))} clearable error={err('performanceStatus.who')}
        />
        <TextInput label="Date d’évaluation du score OMS" type="date" value={p.date ?? ''} onChange={(e) => update('performanceStatus', { ...p, date: e.currentTarget.value })} error={err('performanceStatus.date')} />
      </SimpleGrid>
    </Section>
  );
}

/** A list item of the data set (antécédents, examens, traitements) as rows of fields, with add and remove. */
function Rows<T extends Record<string, unknown>>({ label, items, onChange, columns, errPath, err, addLabel }: {
  label: string;
  items: T[];
  onChange: (items: T[]) => void;
  /** 'partial-date': a year or a month is a date too (an antecedent from 2012) — a date field would show it empty. */
  columns: { key: keyof T & string; label: string; type?: 'date' | 'partial-date' | 'text' | 'long'; options?: Record<string, string> }[];
  errPath: string;
  err: (path: string) => string | undefined;
  addLabel: string;
}) {
  const set = (i: number, key: string, value: unknown) => onChange(items.map((item, j) => (j === i ? { ...item, [key]: value } : item)));
  return (
    <Stack gap="xs">
      {items.map((item, i) => (
        <Card key={i} withBorder padding="xs">
          <SimpleGrid cols={{ base: 1, sm: columns.length }}>
            {columns.map((c) => {
              const fieldLabel = `${c.label} (${label.toLowerCase()} ${i + 1})`;
              const error = err(`${errPath}[${i}].${c.key}`);
              if (c.options) return <Select key={c.key} label={fieldLabel} data={Object.entries(c.options).map(([value, l]) => ({ value, label: l }))} value={(item[c.key] as string | undefined) ?? null} onChange={(v) => set(i, c.key, v ?? undefined)} error={error} />;
              if (c.type === 'long') return <Textarea key={c.key} label={fieldLabel} value={(item[c.key] as string | undefined) ?? ''} onChange={(e) => set(i, c.key, e.currentTarget.value)} error={error} autosize minRows={1} />;
              if (c.type === 'partial-date') return <PartialDateInput key={c.key} label={fieldLabel} value={item[c.key] as string | undefined} onChange={(v) => set(i, c.key, v)} error={error} />;
              return <TextInput key={c.key} label={fieldLabel} type={c.type === 'date' ? 'date' : 'text'} value={(item[c.key] as string | undefined) ?? ''} onChange={(e) => set(i, c.key, e.currentTarget.value)} error={error} />;
            })}
          </SimpleGrid>
          <Group justify="flex-end" mt={4}><Button size="compact-xs" variant="subtle" color="red" onClick={() => onChange(items.filter((_, j) => j !== i))}>Retirer</Button></Group>
        </Card>
      ))}
      <Group><Button size="xs" variant="light" onClick={() => onChange([...items, {} as T])}>{addLabel}</Button></Group>
    </Stack>
  );
}

/**
 * A date known to the year, the month or the day, typed the French way (JJ/MM/AAAA, MM/AAAA, AAAA)
 * and kept as the FHIR partial date the API speaks. What is not a date yet stays as typed (kept in
 * the draft, refused by the server) with the expected forms under the field.
 */
function PartialDateInput({ label, value, onChange, error }: { label: string; value: string | undefined; onChange: (value: string | undefined) => void; error: string | undefined }) {
  const [text, setText] = useState(() => partialDateInput(value));
  // A value changed from outside (a row above removed, a draft restored) replaces what is shown.
  const [shownValue, setShownValue] = useState(value);
  if (value !== shownValue) {
    setShownValue(value);
    if ((fhirPartialDate(text) ?? (text.trim() || undefined)) !== value) setText(partialDateInput(value));
  }
  const unreadable = text.trim() !== '' && !fhirPartialDate(text);
  return (
    <TextInput
      label={label} description="Jour, mois ou année : 14/03/2019, 03/2019 ou 2012" inputMode="numeric" value={text}
      onChange={(e) => {
        const typed = e.currentTarget.value;
        setText(typed);
        onChange(fhirPartialDate(typed) ?? (typed.trim() || undefined));
      }}
      onBlur={() => { const fhir = fhirPartialDate(text); if (fhir) setText(partialDateInput(fhir)); }}
      error={unreadable ? 'Date attendue : JJ/MM/AAAA, MM/AAAA ou AAAA' : error}
    />
  );
}

function HistorySection({ draft, update, err }: FieldProps) {
  return (
    <Section id="history" title="Antécédents et comorbidités">
      <Rows label="Antécédent" items={draft.history ?? []} onChange={(v) => update('history', v)} errPath="history" err={err} addLabel="Ajouter un antécédent"
        columns={[{ key: 'date', label: 'Date', type: 'partial-date' }, { key: 'text', label: 'Antécédent', type: 'long' }]} />
      <Rows label="Comorbidité" items={draft.comorbidities ?? []} onChange={(v) => update('comorbidities', v)} errPath="comorbidities" err={err} addLabel="Ajouter une comorbidité"
        columns={[{ key: 'date', label: 'Date', type: 'partial-date' }, { key: 'text', label: 'Comorbidité', type: 'long' }]} />
    </Section>
  );
}

function ExamsSection({ draft, update, err }: FieldProps) {
  return (
    <Section id="examResults" title="Examens et résultats">
      <Rows label="Examen" items={draft.examResults ?? []} onChange={(v) => update('examResults', v)} errPath="examResults" err={err} addLabel="Ajouter un examen"
        columns={[{ key: 'date', label: 'Date', type: 'date' }, { key: 'exam', label: 'Examen' }, { key: 'result', label: 'Résultat', type: 'long' }]} />
    </Section>
  );
}

function PhaseSection({ draft, update, err }: FieldProps) {
  const p = draft.phase ?? {};
  const prog = p.progression ?? {};
  const setProg = (key: 'local' | 'regional' | 'distant', v: boolean) => update('phase', { ...p, progression: { ...prog, [key]: v } });
  return (
    <Section id="phase" title="Phase et évolution de la maladie">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select label="Phase" data={[{ value: 'initial', label: 'Phase initiale' }, { value: 'relapse', label: 'Rechute' }]} value={p.phase ?? null} onChange={(v) => update('phase', { ...p, phase: v ?? undefined })} error={err('phase.phase')} />
        <TextInput label={p.phase === 'relapse' ? 'Date de la rechute' : 'Date de l’évaluation'} type="date" value={p.date ?? ''} onChange={(e) => update('phase', { ...p, date: e.currentTarget.value })} error={err('phase.date')} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <YesNo label="Progression locale" value={prog.local} onChange={(v) => setProg('local', v)} error={err('phase.progression.local')} />
        <YesNo label="Progression régionale" value={prog.regional} onChange={(v) => setProg('regional', v)} error={err('phase.progression.regional')} />
        <YesNo label="Progression à distance" value={prog.distant} onChange={(v) => setProg('distant', v)} error={err('phase.progression.distant')} />
      </SimpleGrid>
      <TextInput label="Commentaire sur l’évolution" value={p.comment ?? ''} onChange={(e) => update('phase', { ...p, comment: e.currentTarget.value })} error={err('phase.comment')} />
    </Section>
  );
}

function TreatmentsSection({ draft, update, err }: FieldProps) {
  return (
    <Section id="treatmentsSoFar" title="Traitements déjà reçus">
      <Rows label="Traitement" items={draft.treatmentsSoFar ?? []} onChange={(v) => update('treatmentsSoFar', v)} errPath="treatmentsSoFar" err={err} addLabel="Ajouter un traitement"
        columns={[
          { key: 'type', label: 'Type', options: TREATMENT_TYPES },
          { key: 'description', label: 'Description' },
          { key: 'status', label: 'Statut', options: { completed: 'Terminé', 'in-progress': 'En cours', 'not-done': 'Non réalisé' } },
        ]} />
    </Section>
  );
}

function SummarySection({ draft, update, err }: FieldProps) {
  return (
    <Section id="summary" title="Synthèse et question posée">
      <Textarea label="Synthèse du cas présenté" value={draft.summary ?? ''} onChange={(e) => update('summary', e.currentTarget.value)} error={err('summary')} autosize minRows={3} />
      <Textarea label="Question posée à la RCP" value={draft.question ?? ''} onChange={(e) => update('question', e.currentTarget.value)} error={err('question')} autosize minRows={2} />
      <Textarea label="Autres informations utiles" value={draft.otherData ?? ''} onChange={(e) => update('otherData', e.currentTarget.value)} error={err('otherData')} autosize minRows={1} />
    </Section>
  );
}
