import { Anchor, createTheme, Modal, Notification, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

// A dark institutional blue: text on its filled shades stays above 4.5:1 (WCAG AA).
const dcc: MantineColorsTuple = ['#e9f1fb', '#cfdff3', '#a0bde6', '#6e99d9', '#4579c9', '#2f65b7', '#245aa8', '#1c4f8c', '#16406f', '#0f3052'];

export const theme = createTheme({
  primaryColor: 'dcc',
  primaryShade: 7,
  colors: { dcc },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'sm',
  // Focus ring on keyboard navigation only, always visible (RGAA 10.7).
  focusRing: 'auto',
  components: {
    // Links distinguishable without colour (WCAG 1.4.1).
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
    // Close buttons (toasts, dialogs) are icons: they need a name (WCAG 4.1.2).
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Fermer la notification' } } }),
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Fermer' } } }),
  },
});

/** Mantine's dimmed grey (#868e96, 3.3:1 on white) darkened to pass WCAG AA (4.5:1). */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c6370',
    // Text of the light variants (alerts, badges) and the orange buttons darkened to pass WCAG AA (4.5:1).
    '--mantine-color-orange-light-color': '#a8380a',
    '--mantine-color-green-light-color': '#1f6b30',
    '--mantine-color-red-light-color': '#b02525',
    '--mantine-color-blue-light-color': '#1864ab',
    '--mantine-color-orange-filled': '#a8380a',
    '--mantine-color-orange-filled-hover': '#8f2f08',
    // Field errors (the server's rule beside its field) in a red readable on white.
    '--mantine-color-error': '#b02525',
  },
  dark: {},
});
