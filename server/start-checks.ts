import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config } from './config.ts';

/**
 * What is checked before the database is opened, so that a start-up fault is one line saying what
 * is wrong and what to set (main.ts prints it and exits 1), not a stack trace after a minute of
 * migrations: the database URL, the data folder, the TLS files, the ports, and the lock of the
 * embedded database.
 */
export class StartupError extends Error {}

/** Locks held by this process (a lock file carrying our own PID but not listed here is stale: a restarted container reuses PIDs). */
const held = new Set<string>();

export interface DataLock {
  file: string;
  release: () => void;
}

/**
 * One server per embedded database: two PGlite instances on one folder corrupt it for good. The
 * lock is `DCC_DATA_DIR/dcc.lock` holding the owner's PID; a lock whose process is gone (kill -9,
 * power loss) is stale and taken over, so a crash never keeps the service from starting again.
 */
export function lockDataDir(dataDir: string): DataLock {
  const file = path.join(dataDir, 'dcc.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      held.add(file);
      const release = () => {
        if (!held.delete(file)) return;
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch { /* already gone */ }
      };
      process.once('exit', release);
      return { file, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StartupError(`le dossier de données ${dataDir} n'est pas accessible en écriture (${(error as NodeJS.ErrnoException).code}) : changez DCC_DATA_DIR ou ses droits`);
      }
      const owner = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner) && (owner !== process.pid || held.has(file))) {
        throw new StartupError(`un autre serveur DCC (PID ${owner}) utilise déjà la base embarquée de ${dataDir} (verrou ${file}) : arrêtez-le, ou donnez un autre DCC_DATA_DIR`);
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new StartupError(`impossible de prendre le verrou ${file} : un autre serveur démarre sur le même DCC_DATA_DIR`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Configuration faults found without touching the database (throws StartupError). */
export async function preflight(config: Config): Promise<void> {
  if (config.databaseUrl) {
    let url: URL;
    try {
      url = new URL(config.databaseUrl);
    } catch {
      throw new StartupError('DATABASE_URL est mal formée : attendu postgres://utilisateur:motdepasse@hôte:5432/base');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new StartupError(`DATABASE_URL doit commencer par postgres:// (reçu ${url.protocol}//…)`);
    }
  }
  if (config.dataDir !== ':memory:') {
    try {
      fs.mkdirSync(config.dataDir, { recursive: true });
      fs.accessSync(config.dataDir, fs.constants.W_OK);
    } catch (error) {
      throw new StartupError(`le dossier de données ${config.dataDir} n'est pas accessible en écriture (${(error as NodeJS.ErrnoException).code}) : changez DCC_DATA_DIR ou ses droits`);
    }
  }
  for (const [name, file] of [['TLS_CERT_FILE', config.tlsCertFile], ['TLS_KEY_FILE', config.tlsKeyFile], ['CPS_CA_FILE', config.cpsCaFile]] as const) {
    if (!file) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      throw new StartupError(`${name} : le fichier ${file} est introuvable ou illisible`);
    }
  }
  await requireFreePort(config.port, config.host, 'PORT');
  if (config.tlsCertFile || config.demoPki) await requireFreePort(config.tlsPort, config.host, 'TLS_PORT');
}

async function requireFreePort(port: number, host: string, variable: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(new StartupError(error.code === 'EADDRINUSE'
        ? `le port ${port} (${host}) est déjà utilisé : arrêtez l'autre service ou changez ${variable}`
        : `impossible d'écouter sur ${host}:${port} (${error.code}) : vérifiez HOST et ${variable}`));
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
