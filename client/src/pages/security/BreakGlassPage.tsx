import { Anchor, Badge, Button, Group, Modal, Radio, ScrollArea, SegmentedControl, Stack, Table, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useCurrentUser } from '../../api/session.ts';
import { ACTION_LABEL, security, type BreakGlassGrant } from '../../api/security.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { deName } from '../../lib/elision.ts';

/**
 * /securite/acces-urgence — the emergency accesses ("bris de glace") to review: who opened which
 * record, when, why; the review records the reviewer, the verdict and a comment, once (the server
 * refuses a second review and traces the first).
 */
export default function BreakGlassPage() {
  const user = useCurrentUser();
  const [filter, setFilter] = useState<'todo' | 'all'>('todo');
  const [reviewing, setReviewing] = useState<BreakGlassGrant | undefined>();
  const grants = useQuery({ queryKey: ['break-glass'], queryFn: () => security.grants() });
  const list = (grants.data?.grants ?? []).filter((g) => filter === 'all' || !g.reviewedAt);
  return (
    <Page title="Accès d'urgence" subtitle="Dossiers ouverts en bris de glace, à relire" actions={<><Button component={Link} to="/securite" variant="light">Qui a consulté ce dossier</Button><Button component={Link} to="/securite/connexions" variant="light">Connexions</Button></>}>
      <SegmentedControl value={filter} onChange={(v) => setFilter(v as 'todo' | 'all')} data={[{ value: 'todo', label: 'À relire' }, { value: 'all', label: 'Tous' }]} aria-label="Accès affichés" w={240} />
      {grants.isPending && <Loading label="Chargement des accès d'urgence…" />}
      {grants.error && <ErrorMessage error={grants.error} onRetry={() => void grants.refetch()} />}
      {grants.data && (list.length === 0 ? <Text>Aucun accès d'urgence {filter === 'todo' ? 'à relire' : 'enregistré'}.</Text> : (
        <Table.ScrollContainer minWidth={820}>
          <Table striped data-testid="break-glass">
            <Table.Thead><Table.Tr><Table.Th>Ouvert le</Table.Th><Table.Th>Médecin</Table.Th><Table.Th>Dossier</Table.Th><Table.Th>Motif déclaré</Table.Th><Table.Th>Relecture</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {list.map((g) => (
                <Table.Tr key={g.id}>
                  <Table.Td>{formatDateTime(g.createdAt)}<Text size="xs" c="dimmed">jusqu'au {formatDateTime(g.expiresAt)}</Text></Table.Td>
                  <Table.Td>{g.displayName}</Table.Td>
                  <Table.Td>
                    {/* Whose record, before opening its trail (the column said only « Voir les accès au dossier »). */}
                    <Text size="sm" fw={600} data-testid="break-glass-patient">{g.patientIdentity ?? 'Patient introuvable'}</Text>
                    <Anchor component={Link} to={`/securite?patient=${g.patientId}`} size="sm" aria-label={`Voir les accès au dossier ${g.patientIdentity ? deName(g.patientIdentity) : 'de ce patient'}`}>Voir les accès au dossier</Anchor>
                  </Table.Td>
                  <Table.Td>{g.reason}</Table.Td>
                  <Table.Td>
                    {g.reviewedAt ? (
                      <>
                        {g.review ? <Badge color={g.review.verdict === 'justified' ? '#1e6b32' : 'red.9'} variant="filled">{g.review.verdict === 'justified' ? 'Justifié' : 'Injustifié'}</Badge> : <Badge variant="filled">Relu</Badge>}
                        <Text size="xs">{g.review ? `par ${g.review.reviewerName}, ` : ''}le {formatDateTime(g.reviewedAt)}</Text>
                        {g.review?.comment && <Text size="xs">« {g.review.comment} »</Text>}
                      </>
                    ) : g.practitionerId === user?.practitionerId ? <Text size="xs">Ouvert par vous : relu par un autre responsable</Text> : g.active ? (
                      // Reviewed once ended (the server refuses before): the physician may still be reading.
                      <Text size="xs" data-testid="break-glass-running">En cours jusqu'au {formatDateTime(g.expiresAt)} : à relire une fois l'accès terminé, quand tout ce qu'il a permis de consulter est connu</Text>
                    ) : (
                      <Button size="xs" onClick={() => setReviewing(g)}>Relire</Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ))}
      {reviewing && <ReviewDialog grant={reviewing} onClose={() => setReviewing(undefined)} />}
    </Page>
  );
}

function ReviewDialog({ grant, onClose }: { grant: BreakGlassGrant; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [verdict, setVerdict] = useState<'justified' | 'unjustified'>('justified');
  const [comment, setComment] = useState('');
  const review = useMutation({
    mutationFn: () => security.review(grant.id, verdict, comment),
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ['break-glass'] }); notifications.show({ closeButtonProps: { 'aria-label': 'Fermer la notification' }, message: 'Relecture enregistrée (tracée, non modifiable)' }); onClose(); },
    onError: () => void queryClient.invalidateQueries({ queryKey: ['break-glass'] }),
  });
  return (
    <Modal opened onClose={onClose} title={`Relire l'accès ${deName(grant.displayName)}`} size="xl">
      <form onSubmit={(e) => { e.preventDefault(); review.mutate(); }}>
        <Stack>
          <Text size="sm">Motif déclaré : « {grant.reason} » — le {formatDateTime(grant.createdAt)}</Text>
          <ConsultedDuring grant={grant} />
          <Radio.Group label="Verdict" value={verdict} onChange={(v) => setVerdict(v as 'justified' | 'unjustified')} required>
            <Group mt={4}><Radio value="justified" label="Justifié" /><Radio value="unjustified" label="Injustifié" /></Group>
          </Radio.Group>
          <Textarea label="Commentaire" description={verdict === 'unjustified' ? 'Obligatoire : ce qui sera fait' : 'Facultatif'} value={comment} onChange={(e) => setComment(e.currentTarget.value)} autosize minRows={2} required={verdict === 'unjustified'} />
          <Text size="xs" c="dimmed">La relecture est enregistrée une seule fois et tracée dans le journal d'audit.</Text>
          {review.error && <ErrorMessage error={review.error} />}
          <Group justify="flex-end"><Button variant="default" onClick={onClose}>Annuler</Button><Button type="submit" loading={review.isPending} disabled={verdict === 'unjustified' && !comment.trim()}>Enregistrer la relecture</Button></Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * What the holder consulted in the record from the opening to the end of the access (the patient's
 * trail, narrowed): the verdict is given on facts, not on the stated reason alone.
 */
function ConsultedDuring({ grant }: { grant: BreakGlassGrant }) {
  const accesses = useQuery({ queryKey: ['break-glass-accesses', grant.id], queryFn: () => security.grantAccesses(grant) });
  const lines = accesses.data?.lines ?? [];
  return (
    <Stack gap={4} data-testid="break-glass-consulted">
      <Text size="sm" fw={600}>Consulté pendant l'accès, du {formatDateTime(grant.createdAt)} au {formatDateTime(grant.expiresAt)}</Text>
      {accesses.isPending && <Loading label="Chargement des consultations…" />}
      {accesses.error && <ErrorMessage error={accesses.error} onRetry={() => void accesses.refetch()} />}
      {accesses.data && (lines.length === 0 ? <Text size="sm">Aucune consultation enregistrée pendant cet accès.</Text> : (
        <>
          {accesses.data.truncated && <Text size="xs" c="orange.9">Les {lines.length} premières consultations sont affichées : le journal du dossier les donne toutes.</Text>}
          <ScrollArea.Autosize mah={280} type="auto">
            <Table striped withTableBorder>
              <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>Action</Table.Th><Table.Th>Objet</Table.Th><Table.Th>Résultat</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {lines.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>{formatDateTime(l.recorded)}</Table.Td>
                    <Table.Td>{l.action ? ACTION_LABEL[l.action] : '—'}</Table.Td>
                    <Table.Td>{l.what}{l.detail && <Text size="xs">{l.detail}</Text>}</Table.Td>
                    <Table.Td>{l.success ? 'Autorisé' : 'Refusé'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
        </>
      ))}
    </Stack>
  );
}
