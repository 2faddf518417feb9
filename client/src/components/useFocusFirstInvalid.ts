import { useEffect, useRef, type RefObject } from 'react';

/**
 * After a refused submit, focus goes to the first field marked invalid (WCAG 3.3.1: the person
 * lands on what to fix, and the screen reader reads its label and its error, linked by Mantine's
 * aria-describedby). `refusals` changes on each refused submit; the fields are looked up after
 * React has rendered the errors.
 */
export function useFocusFirstInvalid(refusals: number): RefObject<HTMLFormElement | null> {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!refusals) return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusals]);
  return form;
}
