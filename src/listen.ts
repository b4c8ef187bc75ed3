import type { Server } from 'node:http';

/** A port the process cannot listen on (another program holds it, or it needs privileges): the operator's to change. */
export class PortUnavailableError extends Error {
  override readonly name = 'PortUnavailableError';
}

/**
 * `server.listen` as a promise. A port in use or refused comes back as PortUnavailableError naming the setting to
 * change, which every entry point prints as one line (operator-errors.ts) rather than a stack trace.
 */
export function listen(server: Server, port: number, setting: string, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const where = host ? `${host}:${port}` : `port ${port}`;
      if (error.code === 'EADDRINUSE') reject(new PortUnavailableError(`Cannot listen on ${where} (${setting}): another program is using it. Set ${setting} to a free port, or stop the other program.`));
      else if (error.code === 'EACCES') reject(new PortUnavailableError(`Cannot listen on ${where} (${setting}): this user may not use that port. Set ${setting} to a port above 1023.`));
      else reject(error);
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
