import { Button, Card, Group, NativeSelect, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { directoriesApi, trialsForPatient } from '../../api/directories.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { parisDay } from '../../lib/dates.ts';

/**
 * The physician records the patient's inclusion in a trial the RCP proposed: the trials offered
 * are the directory's recruiting trials for the patient's cancers; the server checks the proposal.
 */
export function RecordInclusionForm({ patientId }: { patientId: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [study, setStudy] = useState('');
  const [date, setDate] = useState(parisDay());
  const [subjectNumber, setSubjectNumber] = useState('');
  const trials = useQuery({ queryKey: ['directories', 'trials-for-patient', patientId], queryFn: () => trialsForPatient(patientId), enabled: open });
  const save = useMutation({
    mutationFn: () => directoriesApi.include(patientId, { study, date, ...(subjectNumber.trim() ? { subjectNumber: subjectNumber.trim() } : {}) }),
    onSuccess: async () => {
      setOpen(false);
      setSubjectNumber('');
      notifications.show({ message: 'Inclusion enregistrée', color: 'teal' });
      await queryClient.invalidateQueries({ queryKey: ['directories', 'inclusions', patientId] });
      await queryClient.invalidateQueries({ queryKey: ['hospital', 'timeline', patientId] });
    },
  });
  if (!open) return <Group><Button variant="default" size="xs" onClick={() => setOpen(true)}>Enregistrer une inclusion dans un essai</Button></Group>;
  const options = trials.data?.trials ?? [];
  return (
    <Card withBorder component="form" aria-labelledby="titre-inclusion" data-testid="inclusion-form"
      onSubmit={(e: React.FormEvent) => { e.preventDefault(); save.mutate(); }}>
      <Title order={3} size="h5" id="titre-inclusion" mb="xs">Inclusion dans un essai proposé par la RCP</Title>
      {trials.error && <ErrorMessage error={trials.error} />}
      {trials.data && options.length === 0 && <Text size="sm" c="dimmed">Aucun essai ouvert de l’annuaire ne cible les localisations de ce patient.</Text>}
      {options.length > 0 && (
        <Group align="flex-end" wrap="wrap">
          <NativeSelect label="Essai" required value={study} onChange={(e) => setStudy(e.currentTarget.value)}
            data={[{ value: '', label: 'Choisir un essai…' }, ...options.map((t) => ({ value: t.study, label: `${t.title} (${t.registryNumber})` }))]} />
          <TextInput label="Date d’inclusion" type="date" required value={date} onChange={(e) => setDate(e.currentTarget.value)} />
          <TextInput label="N° du patient dans l’essai" value={subjectNumber} onChange={(e) => setSubjectNumber(e.currentTarget.value)} />
          <Button type="submit" loading={save.isPending} disabled={!study}>Enregistrer</Button>
          <Button variant="subtle" onClick={() => setOpen(false)}>Annuler</Button>
        </Group>
      )}
      {save.error && <ErrorMessage error={save.error} />}
    </Card>
  );
}
