import { Box, Group, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The frame of every page: one <h1> (focused when the page opens, so a screen reader announces
 * the new page after a client-side navigation), the document title, an optional subtitle and
 * actions on the right (below the title on a phone).
 */
export function Page({ title, subtitle, actions, children }: { title: string; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} — DCC`;
  }, [title]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start" gap="sm">
        <Box style={{ minWidth: 0 }}>
          <Title order={1} ref={heading} tabIndex={-1} size="h2" style={{ outline: 'none' }}>{title}</Title>
          {subtitle && <Text c="dimmed" size="sm" mt={4} component="div">{subtitle}</Text>}
        </Box>
        {actions && <Group gap="xs">{actions}</Group>}
      </Group>
      {children}
    </Stack>
  );
}
