import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';

/**
 * moto's server (https://github.com/getmoto/moto, preinstalled on these machines): AWS services
 * implemented by people outside this project, the independent check on what our handlers do with
 * the real AWS SDK. One process per suite, on a free port of 127.0.0.1.
 */
export class Moto {
  public endpoint = '';
  private process?: ChildProcess;

  /** Starts moto_server and waits until it answers (it takes about a second). */
  public async start(timeoutMs = 20_000): Promise<this> {
    const port = await freePort();
    this.endpoint = `http://127.0.0.1:${port}`;
    this.process = spawn('moto_server', ['-p', String(port)], { stdio: 'ignore' });
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        await fetch(this.endpoint);
        return this;
      } catch (err) {
        if (Date.now() > until) {
          throw new Error(`moto_server did not answer on ${this.endpoint} within ${timeoutMs} ms (is moto installed? pip install 'moto[server]'): ${String(err)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  public stop(): void {
    this.process?.kill();
  }

  /** Client configuration for the real SDK v3 clients of a test. */
  public clientConfig() {
    return { endpoint: this.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' } };
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
