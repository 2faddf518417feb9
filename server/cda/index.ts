/** CDA R2 documents of the CI-SIS (FRCP, PPS): export, validation against the ANS kit. */
export { cdaOperations, cdaBodyParser } from './routes.ts';
export { exportPpsCda, exportRcpSheetCda, type CdaExport } from './export.ts';
export { buildPpsCda } from './pps.ts';
export { buildFrcpCda, documentIdsOf } from './frcp.ts';
export { buildXdmZip, xdmMetadata } from './xdm.ts';
export { pushCdaDocument, cdaDocumentReference, type CdaPushResult } from './dmp-push.ts';
