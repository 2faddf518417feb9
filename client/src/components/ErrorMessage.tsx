import { Alert, Button, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/http.ts';
import { errorTitle } from '../lib/error-title.ts';

/**
 * An error as a person reads it: the server's French sentence (OperationOutcome text) or a
 * sentence for the status, announced to screen readers (role="alert"), never raw JSON. `children`:
 * where to go to act on it (a link to the page that holds what was refused).
 */
export function ErrorMessage({ error, title, onRetry, children }: { error: unknown; title?: string; onRetry?: () => void; children?: ReactNode }) {
  return (
    <Alert color="red" variant="light" role="alert" title={title ?? errorTitleOf(error)} data-testid="error-message">
      <Text size="sm">{errorMessage(error)}</Text>
      {children && <Text size="sm" mt="xs">{children}</Text>}
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="white" color="red" onClick={onRetry}>Réessayer</Button>
        </Group>
      )}
    </Alert>
  );
}

/** The alert's title for an error: what the server says it is (errorTitle), « Erreur » for anything else. */
export function errorTitleOf(error: unknown): string {
  return error instanceof ApiError ? errorTitle(error.status, error.outcome) : 'Erreur';
}
