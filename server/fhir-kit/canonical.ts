/**
 * The DCC's canonical base (fhir-profiles/README.md publishes its profiles, code systems and
 * identifier systems under it): defined once, so the domains, the store's SQL and the published
 * profiles cannot drift apart.
 */
export const DCC_CANONICAL_BASE = 'https://dcc-paca.example/fhir';

export const dccStructureDefinition = (name: string): string => `${DCC_CANONICAL_BASE}/StructureDefinition/${name}`;
export const dccCodeSystem = (name: string): string => `${DCC_CANONICAL_BASE}/CodeSystem/${name}`;
export const dccIdentifierSystem = (name: string): string => `${DCC_CANONICAL_BASE}/sid/${name}`;
