import { Alert } from '@mantine/core';
import { Page } from '../../components/Page.tsx';

// Placeholder (phase 1 of issue 13): "Mes patients" comes next.
export default function MyPatientsPage() {
  return (
    <Page title="Mes patients">
      <Alert color="blue" role="status">La liste de vos patients arrive bientôt.</Alert>
    </Page>
  );
}
