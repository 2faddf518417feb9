import { Alert } from '@mantine/core';
import { Page } from '../../components/Page.tsx';

// Placeholder reserved for the issue 15 (coordination 3C): replaced by its pages.
export default function CoordinationHomePage() {
  return (
    <Page title="Coordination RCP">
      <Alert color="blue" role="status">Ces pages arrivent bientôt.</Alert>
    </Page>
  );
}
