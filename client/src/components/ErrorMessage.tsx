import { Alert, Button, Group, Text } from '@mantine/core';
import { ApiError, errorMessage } from '../api/http.ts';

/**
 * An error as a person reads it: the server's French sentence (OperationOutcome text) or a
 * sentence for the status, announced to screen readers (role="alert"), never raw JSON.
 */
export function ErrorMessage({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const status = error instanceof ApiError ? error.status : undefined;
  return (
    <Alert color="red" variant="light" role="alert" title={title ?? titleOf(status)} data-testid="error-message">
      <Text size="sm">{errorMessage(error)}</Text>
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="white" color="red" onClick={onRetry}>Réessayer</Button>
        </Group>
      )}
    </Alert>
  );
}

function titleOf(status: number | undefined): string {
  if (status === 403) return 'Accès refusé';
  if (status === 404) return 'Introuvable';
  if (status === 409 || status === 412) return 'Modification concurrente';
  if (status === 400 || status === 422) return 'Demande refusée';
  if (status === 0) return 'Réseau indisponible';
  return 'Erreur';
}
