import { Center, Loader, VisuallyHidden } from '@mantine/core';

/** A pending page or section: a spinner announced as "Chargement…". */
export function Loading({ label = 'Chargement…' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Loader size="md" aria-hidden="true" />
      <VisuallyHidden>{label}</VisuallyHidden>
    </Center>
  );
}
