import type { CapabilityStatement } from '@medplum/fhirtypes';
import { SUPPORTED_RESOURCE_TYPES } from '../fhir-kit/resource-types.ts';
import { searchParametersOf } from '../fhir-kit/search-parameters.ts';

/** The CapabilityStatement, generated from the types and index definitions the server really uses. */
export function buildCapabilityStatement(
  baseUrl: string, software: { name: string; version: string },
  operationsOf: (type: string) => { name: string; definition: string }[] = () => [],
): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software,
    implementation: { description: 'DCC — Dossier Communicant de Cancérologie', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/json'],
    rest: [{
      mode: 'server',
      interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
      resource: SUPPORTED_RESOURCE_TYPES.map((type) => ({
        type,
        profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
        interaction: ['read', 'vread', 'update', 'delete', 'history-instance', 'history-type', 'create', 'search-type'].map((code) => ({ code: code as 'read' })),
        versioning: 'versioned-update',
        readHistory: true,
        updateCreate: true,
        conditionalCreate: true,
        conditionalRead: 'not-supported',
        conditionalUpdate: false,
        conditionalDelete: 'not-supported',
        searchInclude: [...searchParametersOf(type).values()].filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`),
        searchParam: [
          { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
          { name: '_lastUpdated', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated' },
          ...[...searchParametersOf(type).values()].map((p) => ({ name: p.code, type: p.type, definition: p.url })),
        ],
        // Every operation routed for this type, from the one operations table (server/operations.ts).
        ...(operationsOf(type).length ? { operation: operationsOf(type) } : {}),
      })),
    }],
  };
}
