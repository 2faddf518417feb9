import { Alert, Button, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/http.ts';
import { errorTitle, loadErrorWords, mayRetry, type PageKind } from '../lib/error-title.ts';

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
      {onRetry && retryable(error) && <RetryButton onRetry={onRetry} />}
    </Alert>
  );
}

/**
 * « Réessayer » only where a second try may work (network, server busy or down): offered under a
 * 404 or a 403 it promised what it cannot do. Dark red filled: the white button's red label on the
 * light red alert failed axe's colour contrast.
 */
function RetryButton({ onRetry }: { onRetry: () => void }) {
  return (
    <Group mt="sm">
      <Button size="xs" variant="filled" color="red.9" onClick={onRetry}>Réessayer</Button>
    </Group>
  );
}

function retryable(error: unknown): boolean {
  return !(error instanceof ApiError) || mayRetry(error.status);
}

/**
 * A page that could not load what it shows (a session, a board, a sheet…): one box, in the page's
 * words (loadErrorWords), without the server's FHIR references. Use `loadErrorTitle` for the page.
 */
export function LoadError({ kind, error, onRetry }: { kind: PageKind; error: unknown; onRetry?: () => void }) {
  const words = wordsOf(kind, error);
  return (
    <Alert color="red" variant="light" role="alert" title={words.title} data-testid="error-message">
      <Text size="sm">{words.text}</Text>
      {onRetry && words.retry && <RetryButton onRetry={onRetry} />}
    </Alert>
  );
}

/** The page's title when its load failed (« Séance introuvable »). */
export function loadErrorTitle(kind: PageKind, error: unknown): string {
  return wordsOf(kind, error).pageTitle;
}

function wordsOf(kind: PageKind, error: unknown) {
  if (error instanceof ApiError) return loadErrorWords(kind, error.status, error.message);
  const words = loadErrorWords(kind, undefined);
  return { ...words, text: errorMessage(error), retry: true };
}

/** The alert's title for an error: what the server says it is (errorTitle), « Erreur » for anything else. */
export function errorTitleOf(error: unknown): string {
  return error instanceof ApiError ? errorTitle(error.status, error.outcome) : 'Erreur';
}
