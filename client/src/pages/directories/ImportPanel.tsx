import { Anchor, Button, Card, FileInput, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { directoriesApi, type DirectoryImportResult } from '../../api/directories.ts';
import { ApiError } from '../../api/http.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';

/**
 * Import and export of the regional directories by the people who keep them: the 3C and the
 * network team keep the trials, the network team (security officer / administrator) keeps the
 * offer of care. An import is a FHIR Bundle — another network's export, the ARS list, our own
 * export — and the server takes it all or nothing, so the page only shows what it answered:
 * what was created, updated or left as it was, or the French list of faults.
 */
export function ImportPanel({ trials, offer }: { trials: boolean; offer: boolean }) {
  return (
    <Stack gap="md">
      {trials && (
        <ImportCard
          title="Annuaire des essais cliniques"
          exportHref="/api/directories/trials/$export"
          exportLabel="Exporter les essais ouverts (Bundle FHIR)"
          help="Bundle FHIR d’essais (ResearchStudy) et de leurs centres (Location). Un essai déjà connu, retrouvé par son numéro d’enregistrement, est mis à jour ; les autres sont créés."
          send={directoriesApi.importTrials}
        />
      )}
      {offer && (
        <ImportCard
          title="Annuaire de l’offre de soins"
          exportHref="/api/directories/offer/$export"
          exportLabel="Exporter l’offre de soins (Bundle FHIR)"
          help="Bundle FHIR de structures (Organization), lieux (Location) et offres (HealthcareService). Chaque ressource est retrouvée par son identifiant : un second import du même fichier ne crée pas de doublon."
          send={directoriesApi.importOffer}
        />
      )}
    </Stack>
  );
}

function ImportCard({ title, help, exportHref, exportLabel, send }: {
  title: string;
  help: string;
  exportHref: string;
  exportLabel: string;
  send: (bundle: unknown) => Promise<DirectoryImportResult>;
}) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const run = useMutation({
    mutationFn: async (chosen: File) => send(await readBundle(chosen)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['directories'] }),
  });
  const result = run.data;
  return (
    <Card withBorder component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={2} size="h4">{title}</Title>
        <Text size="sm">{help}</Text>
        <Anchor href={exportHref} download size="sm">{exportLabel}</Anchor>
        <form onSubmit={(e) => { e.preventDefault(); if (file) run.mutate(file); }}>
          <Group align="end">
            <FileInput label={`Fichier à importer — ${title.toLowerCase()}`} description="Fichier JSON (FHIR)" accept="application/json,application/fhir+json,.json" value={file} onChange={(f) => { setFile(f); run.reset(); }} clearable clearButtonProps={{ 'aria-label': 'Retirer le fichier choisi' }} w={360} />
            <Button type="submit" disabled={!file} loading={run.isPending}>Importer</Button>
          </Group>
        </form>
        {run.error && <ErrorMessage error={run.error} title="Import refusé : l’annuaire est resté tel qu’il était" />}
        {result && (
          <Text role="status" data-testid="import-result" size="sm" fw={600}>Import terminé : {count(result.created.length, 'créé')}, {count(result.updated.length, 'mis à jour', true)}{result.unchanged ? `, ${count(result.unchanged.length, 'inchangé')}` : ''}.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

const count = (n: number, word: string, invariable = false) => `${n} ${invariable || n < 2 ? word : `${word}s`}`;

/** The file as a Bundle, or a French sentence saying why it cannot be one (the server is not called). */
async function readBundle(file: File): Promise<unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await file.text());
  } catch {
    throw new ApiError(400, `Le fichier « ${file.name} » n’est pas un document JSON lisible : exportez-le à nouveau au format FHIR JSON.`);
  }
  if ((parsed as { resourceType?: unknown })?.resourceType !== 'Bundle') {
    throw new ApiError(400, `Le fichier « ${file.name} » n’est pas un Bundle FHIR (resourceType « Bundle » attendu).`);
  }
  return parsed;
}
