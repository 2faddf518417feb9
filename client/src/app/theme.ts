import { Anchor, createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

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
  },
});

/** Mantine's dimmed grey (#868e96, 3.3:1 on white) darkened to pass WCAG AA (4.5:1). */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': '#5c6370' },
  dark: {},
});
