/**
 * The FHIR R4 REST layer (HTTP): routes, interactions, transaction/batch, $validate, the
 * CapabilityStatement. Generic FHIR basics live in ../fhir-kit/, below the store.
 * Other folders import this folder through this file only (test/architecture/import-rules.test.ts).
 */
export { processBundle } from './bundle-processing.ts';
export { sendResource } from './http.ts';
export { fhirRouter, coreOperations } from './routes.ts';
export { validateForWrite } from './write-validation.ts';
export { capabilityOperationsOf, type FhirOperation, type OperationHandler, operationsRouter, type OperationTarget } from './operations.ts';
