import { Alert } from '@mantine/core';
import { Page } from '../../components/Page.tsx';

// Placeholder reserved for the issue 14 (médecin hospitalier): replaced by its pages.
export default function HospitalHomePage() {
  return (
    <Page title="Dossiers patients">
      <Alert color="blue" role="status">Ces pages arrivent bientôt.</Alert>
    </Page>
  );
}
