import { Badge, Button, Group, Modal, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Condition } from '@medplum/fhirtypes';
import { useState } from 'react';
import { hospitalApi } from '../../api/hospital.ts';
import { ApiError } from '../../api/http.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { formatDate } from '../../lib/dates.ts';
import { enteredInErrorReason, isEnteredInError } from '../../lib/diagnoses.ts';
import { fieldErrorsOf } from '../../lib/field-errors.ts';

function diagnosisLabel(c: Condition): string {
  const code = c.code?.coding?.[0];
  return `${code?.code ?? ''} ${code?.display ?? c.code?.text ?? 'Diagnostic'}`.trim();
}

/**
 * The record's cancer diagnoses. A wrong one is declared « saisie erronée » with its reason, after
 * confirmation: it stays listed, struck through, and is no longer offered for an RCP registration.
 */
export function DiagnosesCard({ patientId }: { patientId: string }) {
  const conditions = useQuery({ queryKey: ['hospital', 'conditions', patientId], queryFn: () => hospitalApi.conditions(patientId) });
  const [wrong, setWrong] = useState<Condition | undefined>();
  const list = (conditions.data?.entry ?? []).map((e) => e.resource as Condition).filter((c) => c?.resourceType === 'Condition');
  return (
    <section aria-labelledby="diagnoses-title">
      <Title order={2} size="h3" id="diagnoses-title">Diagnostics</Title>
      {conditions.isPending && <Loading />}
      {conditions.error && <ErrorMessage error={conditions.error} />}
      {conditions.data && !list.length && <Text size="sm" c="dimmed">Aucun diagnostic enregistré.</Text>}
      <Stack gap={6} mt="xs" data-testid="diagnoses">
        {list.map((c) => {
          const inError = isEnteredInError(c);
          return (
            <Group key={c.id} gap="xs" wrap="nowrap" align="flex-start" data-testid="diagnosis">
              <Stack gap={0} style={{ minWidth: 0, flex: 1 }}>
                <Text size="sm" td={inError ? 'line-through' : undefined} c={inError ? 'dimmed' : undefined}>
                  {diagnosisLabel(c)}{c.onsetDateTime ? ` — ${formatDate(c.onsetDateTime)}` : ''}
                </Text>
                {inError && <Text size="xs" c="dimmed">Motif : {enteredInErrorReason(c) ?? 'non précisé'}</Text>}
              </Stack>
              {inError
                ? <Badge color="gray" variant="light" size="sm">Saisie erronée</Badge>
                : <Button size="compact-xs" variant="subtle" color="red" onClick={() => setWrong(c)} aria-label={`Déclarer une saisie erronée : ${diagnosisLabel(c)}`}>Saisie erronée…</Button>}
            </Group>
          );
        })}
      </Stack>
      {wrong && <EnteredInErrorDialog condition={wrong} onClose={() => setWrong(undefined)} />}
    </section>
  );
}

function EnteredInErrorDialog({ condition, onClose }: { condition: Condition; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const mark = useMutation({
    mutationFn: () => hospitalApi.markConditionInError(condition.id!, reason),
    onSuccess: () => {
      notifications.show({ message: 'Diagnostic déclaré saisi par erreur' });
      void queryClient.invalidateQueries({ queryKey: ['hospital'] });
      onClose();
    },
  });
  const fieldError = mark.error instanceof ApiError ? fieldErrorsOf(mark.error.outcome?.issue, { reason: ['reason'] }).reason : undefined;
  return (
    <Modal opened onClose={onClose} title="Déclarer une saisie erronée" centered>
      <form onSubmit={(e) => { e.preventDefault(); mark.mutate(); }} noValidate>
        <Stack gap="sm">
          <Text size="sm">Le diagnostic <strong>{diagnosisLabel(condition)}</strong> restera visible dans l’historique du dossier, barré, mais ne sera plus proposé pour une inscription en RCP ni compté dans les indicateurs.</Text>
          <Textarea label="Motif de la saisie erronée" description="Erreur de patient, de code, de date…" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError} autosize minRows={2} required data-autofocus />
          {mark.error && !fieldError && <ErrorMessage error={mark.error} title="Refusé" />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>Annuler</Button>
            <Button type="submit" color="red.9" loading={mark.isPending}>Confirmer la saisie erronée</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
