/**
 * An external FHIR server for the push tests, that is NOT the DCC: Medplum's FHIR router over its
 * in-memory repository, behind a small node:http adapter on an ephemeral 127.0.0.1 port. It speaks
 * what fhir-kit-client needs (create, conditional create with If-None-Exist, read, vread, search)
 * and has controls to misbehave the way real servers do: answer 503, accept a write then lose the
 * answer (the half-finished push), never answer, reject with an OperationOutcome, demand a bearer
 * token, stop and come back on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getStatus, isOperationOutcome } from '@medplum/core';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../server/fhir-kit/validation.ts';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface FhirTestServer {
  /** FHIR base, e.g. http://127.0.0.1:43210/fhir */
  readonly baseUrl: string;
  readonly port: number;
  /** The server's own data (read it directly to count what arrived). */
  readonly repo: MemoryRepository;
  /** Every request received (including failed and dropped ones), oldest first. */
  readonly requests: ReceivedRequest[];
  /** The next `count` requests get `status` (503 by default) with an OperationOutcome, unprocessed. */
  failNext(count?: number, status?: number): void;
  /** The next `count` requests are processed (the write happens), then the connection is cut before any answer. */
  dropResponseOfNext(count?: number): void;
  /** The next `count` requests are served normally (so a later fault hits, e.g., the third request of a push). */
  passNext(count?: number): void;
  /** The next `count` requests are never answered (the connection stays open until the server stops). */
  stallNext(count?: number): void;
  /** The next request is refused unprocessed with this status and an OperationOutcome carrying `diagnostics`. */
  rejectNext(status: number, diagnostics: string): void;
  /** From now on, requests without `Authorization: Bearer <token>` get 401 (undefined: no check). */
  requireBearerToken(token: string | undefined): void;
  /** Stops listening and cuts every open connection (the server is "down"). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

type Fault = { kind: 'pass' } | { kind: 'fail'; status: number } | { kind: 'drop' } | { kind: 'stall' } | { kind: 'reject'; status: number; diagnostics: string };

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export async function startFhirTestServer(): Promise<FhirTestServer> {
  // Search on the memory repository evaluates Medplum's search parameter definitions.
  loadFhirDefinitions();
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  const requests: ReceivedRequest[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  let token: string | undefined;
  let port = 0;
  let server: Server | undefined;

  const outcome = (code: OperationOutcome['issue'][number]['code'], text: string): OperationOutcome => ({
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, details: { text }, diagnostics: text }],
  });
  const send = (res: ServerResponse, status: number, body: Resource, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': FHIR_JSON, ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });

    const fault = faults.shift();
    if (fault?.kind === 'stall') return; // never answered
    if (fault?.kind === 'fail') return send(res, fault.status, outcome('transient', 'Service temporairement indisponible'), { 'retry-after': '1' });
    if (fault?.kind === 'reject') return send(res, fault.status, outcome(fault.status === 422 ? 'processing' : 'invalid', fault.diagnostics));
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      return send(res, 401, outcome('login', 'Jeton d’accès absent ou invalide'), { 'www-authenticate': 'Bearer realm="fhir"' });
    }

    const path = (req.url ?? '/').replace(/^\/fhir(?=\/|\?|$)/, '');
    if (!(req.url ?? '').startsWith('/fhir')) return send(res, 404, outcome('not-found', `Pas de point d’accès FHIR à ${req.url}`));
    let body: unknown;
    if (chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, 400, outcome('structure', 'Corps JSON illisible'));
      }
    }
    const request: FhirRequest = { method: (req.method ?? 'GET') as HttpMethod, url: path || '/', pathname: '', body, params: {}, query: {}, headers: req.headers };
    const [result, resource] = await router.handleRequest(request, repo);
    if (fault?.kind === 'drop') {
      // The write happened; the client never learns it.
      req.socket.destroy();
      return;
    }
    const status = getStatus(result);
    const headers: Record<string, string> = {};
    if (resource && !isOperationOutcome(resource) && resource.id && resource.meta?.versionId) {
      headers.etag = `W/"${resource.meta.versionId}"`;
      if (status === 201) headers.location = `http://127.0.0.1:${port}/fhir/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
    }
    send(res, status, resource ?? result, headers);
  }

  async function start(): Promise<void> {
    const srv = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, outcome('exception', `Erreur interne : ${(error as Error).message}`));
      });
    });
    srv.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    port = (srv.address() as AddressInfo).port;
    server = srv;
  }

  async function stop(): Promise<void> {
    const srv = server;
    if (!srv) return;
    server = undefined;
    const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  }

  await start();
  const queue = (fault: Fault, count: number) => {
    for (let i = 0; i < count; i++) faults.push(fault);
  };
  return {
    get baseUrl() {
      return `http://127.0.0.1:${port}/fhir`;
    },
    get port() {
      return port;
    },
    repo,
    requests,
    failNext: (count = 1, status = 503) => queue({ kind: 'fail', status }, count),
    dropResponseOfNext: (count = 1) => queue({ kind: 'drop' }, count),
    passNext: (count = 1) => queue({ kind: 'pass' }, count),
    stallNext: (count = 1) => queue({ kind: 'stall' }, count),
    rejectNext: (status, diagnostics) => queue({ kind: 'reject', status, diagnostics }, 1),
    requireBearerToken: (value) => {
      token = value;
    },
    stop,
    start,
    close: async () => {
      await stop();
      faults.length = 0;
    },
  };
}
