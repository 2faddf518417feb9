/**
 * The after-cancer label of a structure (parcours de soins global après le traitement d'un cancer,
 * décret n° 2020-1665, arrêté du 24 décembre 2020): the ARS labels a structure for a territory
 * from a given year, and may withdraw the label. Pure reading and writing of the extension.
 */
import type { Extension, HealthcareService, Organization } from '@medplum/fhirtypes';
import { PHARMACY_TYPES, POST_CANCER_LABEL_EXT } from './codes.ts';

export interface PostCancerLabel {
  year: number;
  territory?: string;
  /** Date the ARS withdrew the label (YYYY-MM-DD). */
  withdrawn?: string;
}

export function labelOf(service: HealthcareService | undefined): PostCancerLabel | undefined {
  const ext = service?.extension?.find((e) => e.url === POST_CANCER_LABEL_EXT);
  if (!ext) return undefined;
  const part = (url: string) => ext.extension?.find((e) => e.url === url);
  const year = part('year')?.valueInteger;
  if (typeof year !== 'number') return undefined;
  const territory = part('territory')?.valueString;
  const withdrawn = part('withdrawn')?.valueDate;
  return { year, ...(territory ? { territory } : {}), ...(withdrawn ? { withdrawn } : {}) };
}

export function labelExtension(label: PostCancerLabel): Extension {
  return {
    url: POST_CANCER_LABEL_EXT,
    extension: [
      { url: 'year', valueInteger: label.year },
      ...(label.territory ? [{ url: 'territory', valueString: label.territory }] : []),
      ...(label.withdrawn ? [{ url: 'withdrawn', valueDate: label.withdrawn }] : []),
    ],
  };
}

/** Whether the label holds on a date (YYYY-MM-DD): granted that year or before, not withdrawn by then. */
export function isLabelledOn(service: HealthcareService, date: string): boolean {
  const label = labelOf(service);
  if (!label || service.active === false) return false;
  if (label.year > Number(date.slice(0, 4))) return false;
  return !label.withdrawn || label.withdrawn > date;
}

export function isPharmacy(organization: Organization | undefined): boolean {
  return (organization?.type ?? []).some((t) => (t.coding ?? []).some((c) => PHARMACY_TYPES.some((p) => p.system === c.system && p.code === c.code)));
}
